export * from './build.js'
