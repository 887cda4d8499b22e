export * from './keys/index.js'
export * from './tx/index.js'
