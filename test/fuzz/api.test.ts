import { fuzzSlice } from './slice.js'

fuzzSlice(['api-txpool'])
