export * from './outputs.js'
