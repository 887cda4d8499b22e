// `wallet swap …` refuses malformed arguments before it reads a wallet or asks a node (no node runs here:
// an answer naming the node would mean the argument got through).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  multisigUnlockHash,
  parseUnlockHash,
  unlockHashToString,
} from '../../../../consensus/types/unlockhash.js'
import { runCli } from '../../../utils/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'blockstake-swap-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const NODE = 'http://127.0.0.1:9' // nothing listens: reaching it would fail differently
const ALICE = '015a080a9259b9d4aaa550e2156f49b1a79a64c7ea463d810d4493e8242e6791584fbdac553e6f'
const HEX = 'ab'.repeat(32)

const swap = (...args: string[]) =>
  runCli('wallet', 'swap', ...args, '--wallet', join(dir, 'none.json'), '--node', NODE)

describe('wallet swap: bad arguments', () => {
  it.each([
    [['initiate', ALICE, '-5'], 'AMOUNT cannot be negative'],
    [['initiate', ALICE, '10', '--duration', '3 days'], '--duration must look like 90s, 10m, 48h or 2d'],
    [['initiate', `${ALICE.slice(0, -2)}00`, '10'], 'ADDRESS'],
    [['participate', ALICE, '10', 'abc'], 'HASHEDSECRET must be 64 hex characters'],
    [['redeem', 'xyz', HEX], 'OUTPUTID must be 64 hex characters'],
    [['redeem', HEX, `${HEX}00`], 'SECRET must be 64 hex characters'],
    [['refund', HEX.slice(2)], 'OUTPUTID must be 64 hex characters'],
    [['audit', HEX, '--hashed-secret', 'zz'], '--hashed-secret must be 64 hex characters'],
    [['extractsecret', 'not-an-id'], 'TXID|OUTPUTID must be 64 hex characters'],
  ])('%j is refused: %s', async (args, message) => {
    const r = await swap(...args)
    expect(r.code, r.out).toBe(2)
    expect(r.err).toContain(message)
    expect(r.err).not.toContain('127.0.0.1:9')
  })

  it('a contract pays a wallet address only, not a multisig one', async () => {
    const multisig = unlockHashToString(multisigUnlockHash([parseUnlockHash(ALICE)], 1))
    const r = await swap('initiate', multisig, '10')
    expect(r.code).toBe(2)
    expect(r.err).toContain('ADDRESS must be a wallet (public key) address, type 01')
  })
})
