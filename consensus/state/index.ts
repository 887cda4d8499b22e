export * from './extensions.js'
export * from './outputs.js'
