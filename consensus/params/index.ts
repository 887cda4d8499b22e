export * from './chain.js'
export * from './extensions.js'
export * from './presets.js'
