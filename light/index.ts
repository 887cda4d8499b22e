// blockstake/light: the light-client SDK (DESIGN §7, docs/light-client.md). Browser-safe.
export {
  type Balance,
  createLightClient,
  LightClient,
  type LightClientEvents,
  type LightClientOptions,
  type ProvenOutput,
  type Tip,
  type VerifiedTransaction,
} from './client.js'
export { type LightCheck, LightError } from './errors.js'
export { type ExtendResult, HeaderChain, provenTransaction, type VerifiedHeader } from './headers.js'
export {
  type Checkpoint,
  type LightHeader,
  type LightHeaders,
  type LightTransactionProof,
  MAX_LIGHT_HEADERS,
  parseCheckpoint,
  parseLightHeaders,
  parseLightTransactionProof,
  type TransactionProof,
} from './proof.js'
export { chooseSignatureBackend, type SignatureBackend } from './signatures.js'
