export * from './derive.js'
export * from './seed.js'
