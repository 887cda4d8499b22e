export * from './chain.js'
export * from './presets.js'
