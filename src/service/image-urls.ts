import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Image `source` URLs, the local stand-in for the cloud's presigned OBS URLs: they name the
 * sample and the variant, expire, and carry an HMAC made with a key only the service knows, so
 * they need no other credentials and cannot be altered.
 */
export const SOURCE_TTL_SECONDS = 3600

/** A resize in the `process_parameter` style: `image/resize,m_lfit,h_200` (w_ and/or h_). */
export interface Variant {
  width: number | null
  height: number | null
}

const MAX_SIDE = 4096

/** The variant a `process_parameter` asks for; null for nothing (the original); throws on junk. */
export function parseProcess(value: string | undefined): Variant | null {
  if (value === undefined || value === '') return null
  const [op, ...args] = value.split(',')
  if (op !== 'image/resize' || args.length === 0) throw new Error('only image/resize is supported')
  let width: number | null = null
  let height: number | null = null
  for (const arg of args) {
    const match = /^([mwh])_([a-z0-9]+)$/.exec(arg)
    if (!match) throw new Error(`unknown resize argument "${arg}"`)
    const [, name, raw = ''] = match
    if (name === 'm') {
      if (raw !== 'lfit') throw new Error('only m_lfit is supported')
      continue
    }
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_SIDE)
      throw new Error(`${name}_ must be 1..${MAX_SIDE}`)
    if (name === 'w') width = Number(raw)
    else height = Number(raw)
  }
  if (width === null && height === null) throw new Error('give w_ or h_')
  return { width, height }
}

/** The one spelling of a variant, used in signatures and cache file names. */
export function variantKey(variant: Variant | null): string {
  if (!variant) return 'original'
  return [variant.width ? `w${variant.width}` : '', variant.height ? `h${variant.height}` : '']
    .filter(Boolean)
    .join('_')
}

export function processParameter(variant: Variant): string {
  const parts = ['image/resize', 'm_lfit']
  if (variant.width) parts.push(`w_${variant.width}`)
  if (variant.height) parts.push(`h_${variant.height}`)
  return parts.join(',')
}

export interface SourceRef {
  projectId: string
  datasetId: string
  sampleId: string
  variant: Variant | null
}

function mac(secret: string, ref: SourceRef, expires: number): string {
  const text = [ref.projectId, ref.datasetId, ref.sampleId, variantKey(ref.variant), expires]
  return createHmac('sha256', secret).update(text.join('\n')).digest('hex')
}

export function imagePath(ref: Omit<SourceRef, 'variant'>): string {
  const e = encodeURIComponent
  return `/v2/${e(ref.projectId)}/datasets/${e(ref.datasetId)}/data-annotations/samples/${e(ref.sampleId)}/image`
}

// Expiry is rounded up to a 5-minute step, so a sample's URL stays the same for 5 minutes and
// a page listed again reuses its signatures instead of making 100 new HMACs (~0.35 ms).
const EXPIRY_STEP_SECONDS = 300
const CACHE_LIMIT = 50_000

/** Signs `source` URLs, remembering recent ones. */
export class SourceSigner {
  private readonly cache = new Map<string, string>()

  constructor(private readonly secret: string) {}

  sign(base: string, ref: SourceRef, nowMs: number): string {
    const step = Math.floor(nowMs / 1000 / EXPIRY_STEP_SECONDS) + 1
    const expires = step * EXPIRY_STEP_SECONDS + SOURCE_TTL_SECONDS - EXPIRY_STEP_SECONDS
    const key = `${base}|${ref.projectId}|${ref.datasetId}|${ref.sampleId}|${variantKey(ref.variant)}|${expires}`
    let url = this.cache.get(key)
    if (url === undefined) {
      // The process value holds only [a-z0-9/,_], all fine in a query as is (as OBS shows it).
      const process = ref.variant ? `x-image-process=${processParameter(ref.variant)}&` : ''
      url = `${base}${imagePath(ref)}?${process}expires=${expires}&signature=${mac(this.secret, ref, expires)}`
      this.cache.set(key, url)
      // Oldest first out; entries of past expiry steps age out this way.
      if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value ?? '')
    }
    return url
  }
}

export type SourceCheck = 'ok' | 'expired' | 'bad-signature'

export function checkSource(
  secret: string,
  ref: SourceRef,
  expires: number,
  signature: string,
  nowMs: number
): SourceCheck {
  const expected = Buffer.from(mac(secret, ref, expires), 'hex')
  const given = Buffer.from(signature, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature'
  // Checked after the signature, so an altered `expires` reads as tampering, not as expiry.
  return Math.floor(nowMs / 1000) > expires ? 'expired' : 'ok'
}
