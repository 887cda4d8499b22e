// blockstake/wallet: keys, transaction building and signing, the offline file format and the node API client; browser-safe.

export * from './client/node-api.js'
export * from './keys/index.js'
export * from './tx/index.js'
