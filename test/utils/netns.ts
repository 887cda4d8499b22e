// Hosts in Linux network namespaces for the partition test (docs/RELIABILITY.md, "Partitions"). Each host is
// a namespace `bsp<pid>n<i>` with two links: `tun0` (10.213.0.<i>/24, the data network) whose packets go
// through the wire process (test/utils/netwire.py: delay, jitter, loss, split; this kernel has no netem),
// and `ctl`, a veth to the root namespace (10.214.<k>.<4i+2>/30) over which the test reaches the host's API
// without delay or split. Traffic goes only to the addresses assigned here. Namespaces of earlier runs
// whose process is gone are removed on creation; `destroy()` removes this run's.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const IP = 'ip'
const PREFIX = 'bsp'

export interface Host {
  readonly index: number
  /** The namespace's name. */
  readonly ns: string
  /** Its address on the data network (through the wire). */
  readonly dataIp: string
  /** Its address on its control link (the root namespace reaches it there). */
  readonly controlIp: string
}

export interface WireOptions {
  readonly delayMs: number
  readonly jitterMs: number
  /** Probability that a packet is dropped, 0..1. */
  readonly loss: number
  readonly seed?: number
}

export interface WireStats {
  readonly forwarded: number
  readonly lost: number
  readonly cut: number
  readonly overflow: number
  readonly unroutable: number
  readonly bytes: number
  readonly queued: number
}

const ip = (...args: string[]): string =>
  execFileSync(IP, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Namespaces named by this harness (`bsp<pid>n<i>`) whose creating process is gone. */
function removeLeftovers(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? ''
    const m = /^bsp(\d+)n\d+$/.exec(name)
    if (m && !isAlive(Number(m[1]))) ip('netns', 'delete', name)
  }
}

/** A third octet for the control links that no address of the root namespace uses yet. */
function freeControlOctet(): number {
  const used = ip('-4', '-o', 'addr', 'show')
  for (let k = 0; k < 250; k++) {
    const octet = (process.pid + k) % 250
    if (!used.includes(` 10.214.${octet}.`)) return octet
  }
  throw new Error('no free 10.214.x.0/24 for the control links')
}

export class NetnsLab {
  readonly hosts: readonly Host[]
  private wire: ChildProcess | undefined
  private wireLines: Interface | undefined
  private readonly answers: ((line: string) => void)[] = []

  private constructor(hosts: Host[]) {
    this.hosts = hosts
  }

  /**
   * `count` namespaces with their control links (fails with the `ip` error when namespaces cannot be
   * made here: not root, no iproute2).
   */
  static create(count: number): NetnsLab {
    removeLeftovers()
    const octet = freeControlOctet()
    const hosts: Host[] = []
    const lab = new NetnsLab(hosts)
    try {
      for (let i = 1; i <= count; i++) {
        const ns = `${PREFIX}${process.pid}n${i}`
        const rootEnd = `${PREFIX}${process.pid}c${i}`
        const host: Host = {
          index: i - 1,
          ns,
          dataIp: `10.213.0.${i}`,
          controlIp: `10.214.${octet}.${4 * i + 2}`,
        }
        ip('netns', 'add', ns)
        hosts.push(host)
        ip('-n', ns, 'link', 'set', 'lo', 'up')
        ip('link', 'add', rootEnd, 'type', 'veth', 'peer', 'name', 'ctl', 'netns', ns)
        ip('addr', 'add', `10.214.${octet}.${4 * i + 1}/30`, 'dev', rootEnd)
        ip('link', 'set', rootEnd, 'up')
        ip('-n', ns, 'addr', 'add', `${host.controlIp}/30`, 'dev', 'ctl')
        ip('-n', ns, 'link', 'set', 'ctl', 'up')
      }
    } catch (err) {
      lab.destroy()
      throw err
    }
    return lab
  }

  /** Starts the wire (creates each host's `tun0`); resolves once it is ready. */
  async startWire(opts: WireOptions): Promise<void> {
    const script = fileURLToPath(new URL('./netwire.py', import.meta.url))
    const config = JSON.stringify({
      hosts: this.hosts.map((h) => ({ ns: h.ns, ip: h.dataIp })),
      prefix: 24,
      ...opts,
    })
    const wire = spawn('python3', [script, config], { stdio: ['pipe', 'pipe', 'inherit'] })
    this.wire = wire
    this.wireLines = createInterface({ input: wire.stdout! })
    this.wireLines.on('line', (line) => this.answers.shift()?.(line))
    const ready = await this.answer(20_000)
    if (!JSON.parse(ready).ready) throw new Error(`the wire did not start: ${ready}`)
  }

  private answer(ms: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the wire did not answer within ${ms} ms`)), ms)
      const onExit = () => reject(new Error('the wire exited'))
      this.wire?.once('exit', onExit)
      this.answers.push((line) => {
        clearTimeout(timer)
        this.wire?.off('exit', onExit)
        resolve(line)
      })
    })
  }

  private async command(line: string): Promise<any> {
    if (!this.wire?.stdin) throw new Error('the wire is not running')
    const answered = this.answer(10_000)
    this.wire.stdin.write(`${line}\n`)
    const reply = JSON.parse(await answered)
    if (reply.error) throw new Error(`wire: ${reply.error}`)
    return reply
  }

  /** Drops every packet between the hosts of `a` and those of `b`. */
  async split(a: readonly Host[], b: readonly Host[]): Promise<void> {
    await this.command(`split ${a.map((h) => h.index).join(',')} ${b.map((h) => h.index).join(',')}`)
  }

  async heal(): Promise<void> {
    await this.command('heal')
  }

  async stats(): Promise<WireStats> {
    return this.command('stats')
  }

  /** `ip netns exec` argv prefix: a command run inside `host`'s namespace. */
  exec(host: Host, command: string, args: readonly string[]): { command: string; args: string[] } {
    return { command: IP, args: ['netns', 'exec', host.ns, command, ...args] }
  }

  /** The pid of the wire process (the test's exit handler kills it with the nodes). */
  get wirePid(): number | undefined {
    return this.wire?.exitCode === null ? this.wire.pid : undefined
  }

  /** Stops the wire and removes the namespaces (their veths go with them). Processes in them must be gone. */
  destroy(): void {
    if (this.wire && this.wire.exitCode === null) this.wire.kill('SIGKILL')
    this.wireLines?.close()
    for (const h of this.hosts) {
      try {
        ip('netns', 'delete', h.ns)
      } catch {
        // already gone
      }
    }
  }
}
