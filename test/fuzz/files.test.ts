import { fuzzSlice } from './slice.js'

fuzzSlice(['chain-definition', 'keystore', 'transaction-file'])
