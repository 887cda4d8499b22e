// Runs every bench/*.ts (or the one named: `npm run bench -- crypto`), each in its own Node process.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = dirname(fileURLToPath(import.meta.url))
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.slice(0, -'.ts'.length))
  .sort()

const requested = process.argv.slice(2)
const unknown = requested.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}

let failed = false
for (const name of requested.length > 0 ? requested : available) {
  // a fresh process per bench keeps JIT state and caches from leaking between figures
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.ts`)], {
    stdio: 'inherit',
  })
  if (status !== 0) {
    console.error(`bench ${name} failed with exit code ${status}`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
