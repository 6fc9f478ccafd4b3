import { randomBytes, randomInt } from 'node:crypto'

/**
 * Ids the service makes and accepts. Anything a client names (dataset, sample) must match
 * `ID_PATTERN` before it reaches the store, and file names are built only from ids read back
 * from the database, so no request string ever becomes part of a path.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/
export const PROJECT_PATTERN = /^[0-9a-f]{32}$/

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

function pick(alphabet: string, length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)]
  return out
}

export const isId = (value: string): boolean => ID_PATTERN.test(value)

// Ids are unique, not secret: take them from a pooled buffer, since one randomBytes call per id
// was 14 µs and the demo makes 200,000 of them. Tokens and keys still draw their own bytes.
let pool = Buffer.alloc(0)
let used = 0
function idBytes(): Buffer {
  if (used + 16 > pool.length) {
    pool = randomBytes(16 * 1024)
    used = 0
  }
  used += 16
  return pool.subarray(used - 16, used)
}

/** 32 hex, like the cloud's project and sample ids. */
export const hexId = (): string => idBytes().toString('hex')
/** 20 letters and digits, like the cloud's dataset ids. */
export const datasetId = (): string => pick(ALNUM, 20)
export const accessKey = (): string => pick(UPPER, 20)
export const secretKey = (): string => pick(ALNUM, 40)
export const password = (): string => `Td-${pick(ALNUM, 14)}`
export const token = (): string => `MIIT${randomBytes(48).toString('base64url')}`
