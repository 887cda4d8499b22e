// Serves the light-client example page (examples/light/index.html) and relays `/node/*` to a node's API, so
// the page's requests stay on one origin. The page's script is bundled for the browser here with esbuild.
// Run against `npm start`'s devnet: npx tsx examples/light/serve.ts [--dir .devnet] [--port 8090]
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))
/** The most bytes of a POST /result body. */
const MAX_RESULT = 1 << 20

/** The page's script as one browser bundle (no `node:` import may be in it: esbuild fails if there is). */
export async function bundlePage(): Promise<string> {
  const out = await build({
    entryPoints: [join(here, 'page.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  return out.outputFiles[0]!.text
}

export interface ExampleServer {
  readonly url: string
  /** What the page posted to /result (the browser test waits for it). */
  readonly results: Promise<unknown>
  close(): Promise<void>
}

/** The page, its bundle, `/setup.json` (the chain definition JSON and the address to show) and `/node/*`. */
export async function startExampleServer(opts: {
  readonly node: string
  readonly chain: unknown
  readonly address: string
  readonly port?: number
}): Promise<ExampleServer> {
  const bundle = await bundlePage()
  const html = readFileSync(join(here, 'index.html'), 'utf8')
  let deliver: (v: unknown) => void = () => undefined
  const results = new Promise<unknown>((resolve) => {
    deliver = resolve
  })
  const send = (res: import('node:http').ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(body)
  }
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/'
    if (req.method === 'POST' && url === '/result') {
      let body = ''
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8')
        if (body.length > MAX_RESULT) req.destroy()
      })
      req.on('end', () => {
        try {
          deliver(JSON.parse(body))
        } catch {
          deliver({ ok: false, error: 'the page posted no JSON' })
        }
        send(res, 204, 'text/plain', '')
      })
      return
    }
    if (url === '/' || url.startsWith('/?')) return send(res, 200, 'text/html; charset=utf-8', html)
    if (url === '/page.js') return send(res, 200, 'text/javascript; charset=utf-8', bundle)
    if (url === '/setup.json')
      return send(res, 200, 'application/json', JSON.stringify({ chain: opts.chain, address: opts.address }))
    if (url.startsWith('/node/')) {
      const target = `${opts.node}${url.slice('/node'.length)}`
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', async () => {
        try {
          const r = await fetch(target, {
            method: req.method ?? 'GET',
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
            ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
            signal: AbortSignal.timeout(30_000),
          })
          send(res, r.status, r.headers.get('content-type') ?? 'application/json', await r.text())
        } catch (err) {
          send(
            res,
            502,
            'application/json',
            JSON.stringify({ code: 'bad-gateway', message: (err as Error).message }),
          )
        }
      })
      return
    }
    send(res, 404, 'text/plain', 'not found')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', resolve)
  })
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    results,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

// ---- command line ------------------------------------------------------------------------------------

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`)
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
  }
  const dir = arg('dir', '.devnet')
  const config = JSON.parse(readFileSync(join(dir, 'devnet.json'), 'utf8')) as {
    chainFile: string
    nodes: { apiPort: number }[]
    faucet: { address: string }
  }
  const chainFile = existsSync(config.chainFile) ? config.chainFile : join(dir, 'chain.json')
  const server = await startExampleServer({
    node: `http://127.0.0.1:${config.nodes[0]!.apiPort}`,
    chain: JSON.parse(readFileSync(chainFile, 'utf8')),
    address: arg('address', config.faucet.address),
    port: Number(arg('port', '8090')),
  })
  console.log(
    `light-client example: ${server.url}/ (address ${arg('address', config.faucet.address)}); Ctrl-C stops`,
  )
}
