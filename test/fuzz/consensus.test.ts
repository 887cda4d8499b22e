import { fuzzSlice } from './slice.js'

fuzzSlice([
  'block-sia',
  'block-rivbin',
  'block-json',
  'transaction-sia',
  'transaction-json',
  'condition-sia',
  'condition-rivbin',
  'condition-json',
  'fulfillment-sia',
  'fulfillment-rivbin',
  'fulfillment-json',
])
