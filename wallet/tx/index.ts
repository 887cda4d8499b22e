export * from './build.js'
export * from './file.js'
export * from './history.js'
export * from './lock.js'
