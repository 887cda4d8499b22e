export * from './authcointx/index.js'
export * from './minting/index.js'
