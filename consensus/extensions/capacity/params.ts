// The `extensions.capacity` object of a chain definition (docs/capacity.md): the two versions and the
// longest reservation; every field optional, every error names its field.
import { type JsonValue, jsonObject, jsonUint } from '../../encoding/json.js'
import { fail, rejectUnknownKeys, version } from '../params.js'
import { CAPACITY_REGISTRATION_VERSION, CAPACITY_RESERVATION_VERSION } from './types.js'

export interface CapacityParams {
  readonly registrationVersion: number
  readonly reservationVersion: number
  /** The most hours one reservation may last (default ten years). */
  readonly maxReservationHours: number
}

export const CAPACITY_DEFAULTS: CapacityParams = {
  registrationVersion: CAPACITY_REGISTRATION_VERSION,
  reservationVersion: CAPACITY_RESERVATION_VERSION,
  maxReservationHours: 87_600,
}

const FIELDS = ['registrationVersion', 'reservationVersion', 'maxReservationHours'] as const

export function parseCapacityParams(value: unknown, path: string): CapacityParams {
  const o = jsonObject(value ?? {}, path)
  rejectUnknownKeys(o, FIELDS, path, 'capacity field')
  let maxReservationHours = CAPACITY_DEFAULTS.maxReservationHours
  if (o.maxReservationHours !== undefined) {
    maxReservationHours = jsonUint(o.maxReservationHours, `${path}.maxReservationHours`)
    if (maxReservationHours < 1 || maxReservationHours > 2 ** 32 - 1)
      fail('must be between 1 and 4294967295', `${path}.maxReservationHours`)
  }
  const params = {
    registrationVersion: version(o, 'registrationVersion', path, CAPACITY_DEFAULTS.registrationVersion),
    reservationVersion: version(o, 'reservationVersion', path, CAPACITY_DEFAULTS.reservationVersion),
    maxReservationHours,
  }
  if (params.registrationVersion === params.reservationVersion)
    fail('must differ from registrationVersion', `${path}.reservationVersion`)
  return params
}

/** Every field explicit; `parseCapacityParams` inverts it. */
export function capacityParamsToJson(p: CapacityParams): JsonValue {
  return {
    registrationVersion: p.registrationVersion,
    reservationVersion: p.reservationVersion,
    maxReservationHours: p.maxReservationHours,
  }
}

export function capacityVersions(p: CapacityParams): { version: number; field: string }[] {
  return [
    { version: p.registrationVersion, field: 'registrationVersion' },
    { version: p.reservationVersion, field: 'reservationVersion' },
  ]
}
