#!/usr/bin/env node
import '../polyfill.js'
import { main } from './program.js'

main(process.argv).then((code) => {
  process.exitCode = code
})
