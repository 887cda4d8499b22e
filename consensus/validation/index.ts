export * from './block.js'
export * from './errors.js'
export * from './transaction.js'
export * from './verdict.js'
