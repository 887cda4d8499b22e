export * from './codec.js'
export * from './errors.js'
export * from './hex.js'
export * from './json.js'
