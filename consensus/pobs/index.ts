export * from './kernel.js'
export * from './target.js'
export * from './timestamps.js'
