export * from './derive.js'
export * from './keystore.js'
export * from './seed.js'
