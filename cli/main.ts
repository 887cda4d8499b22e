#!/usr/bin/env node
import '../node/polyfill.js'
import { main } from './program.js'

// output piped into a reader that stops early (`| head`): end quietly, like other command-line tools
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err
  process.exit(process.exitCode ?? 0)
})

main(process.argv).then((code) => {
  process.exitCode = code
})
