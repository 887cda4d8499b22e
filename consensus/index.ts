// blockstake/consensus: the protocol itself, browser-safe (no node: imports, no I/O).
export * from './crypto/index.js'
export * from './encoding/index.js'
export * from './extensions/index.js'
export * from './params/index.js'
export * from './pobs/index.js'
export * from './state/index.js'
export * from './types/index.js'
export * from './validation/index.js'
