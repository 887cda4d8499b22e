export * from './derive.js'
export * from './keystore.js'
export * from './public.js'
export * from './seed.js'
