export * from './receipt.js'
export * from './record.js'
