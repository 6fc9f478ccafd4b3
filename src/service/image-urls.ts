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

const encode = encodeURIComponent

function samplesPath(projectId: string, datasetId: string): string {
  return `/v2/${encode(projectId)}/datasets/${encode(datasetId)}/data-annotations/samples`
}

export function imagePath(ref: Omit<SourceRef, 'variant'>): string {
  return `${samplesPath(ref.projectId, ref.datasetId)}/${encode(ref.sampleId)}/image`
}

// Expiry is rounded up to a 5-minute step, so a sample's URL stays the same for 5 minutes and
// a page listed again reuses its signatures instead of making 100 new HMACs (~0.2 ms).
const EXPIRY_STEP_SECONDS = 300
const CACHE_LIMIT = 50_000

/** The `source` URLs of one answer: one dataset, one variant, one base, one moment. */
export interface PageSources {
  /** The sample's image URL, written as a JSON string (quotes included). */
  json(sampleId: string): string
}

/** Signatures of one (project, dataset, variant, expiry); the URL's base is not signed. */
interface Signatures {
  expires: number
  bySample: Map<string, string>
}

// Ids are [A-Za-z0-9_-], which encodeURIComponent leaves as they are.
const PLAIN_ID = /^[A-Za-z0-9_-]*$/

/** Signs `source` URLs, remembering recent signatures. */
export class SourceSigner {
  private readonly groups = new Map<string, Signatures>()
  private size = 0

  constructor(private readonly secret: string) {}

  /**
   * Everything a page's URLs share is worked out once here (prefix, query, expiry, the cached
   * signatures); per sample there is one lookup and one string.
   */
  page(
    base: string,
    projectId: string,
    datasetId: string,
    variant: Variant | null,
    nowMs: number
  ): PageSources {
    const step = Math.floor(nowMs / 1000 / EXPIRY_STEP_SECONDS) + 1
    const expires = step * EXPIRY_STEP_SECONDS + SOURCE_TTL_SECONDS - EXPIRY_STEP_SECONDS
    const signatures = this.signatures(projectId, datasetId, variant, expires)
    const prefix = `${base}${samplesPath(projectId, datasetId)}/`
    // JSON escaping is per character, so the escaped prefix is the start of the escaped URL;
    // the rest (an encoded id, digits, hex) never needs escaping.
    const open = JSON.stringify(prefix).slice(0, -1)
    // The process value holds only [a-z0-9/,_], all fine in a query as is (as OBS shows it).
    const process = variant ? `x-image-process=${processParameter(variant)}&` : ''
    const query = `/image?${process}expires=${expires}&signature=`
    return {
      json: (sampleId) => {
        let signature = signatures.bySample.get(sampleId)
        if (signature === undefined) {
          const ref = { projectId, datasetId, sampleId, variant }
          signature = mac(this.secret, ref, expires)
          signatures.bySample.set(sampleId, signature)
          if (++this.size > CACHE_LIMIT) this.evictOne()
        }
        const id = PLAIN_ID.test(sampleId) ? sampleId : encode(sampleId)
        return `${open}${id}${query}${signature}"`
      }
    }
  }

  private signatures(
    projectId: string,
    datasetId: string,
    variant: Variant | null,
    expires: number
  ): Signatures {
    const key = `${projectId}\n${datasetId}\n${variantKey(variant)}\n${expires}`
    let group = this.groups.get(key)
    if (!group) {
      // Signatures of past expiry steps are never asked for again.
      for (const [old, other] of this.groups)
        if (other.expires < expires || other.bySample.size === 0) {
          this.groups.delete(old)
          this.size -= other.bySample.size
        }
      group = { expires, bySample: new Map() }
      this.groups.set(key, group)
    }
    return group
  }

  /**
   * Oldest first out: the oldest group's oldest signature. Groups are only dropped when a new one
   * is made, so a page never holds a group that is no longer counted.
   */
  private evictOne(): void {
    for (const group of this.groups.values()) {
      const first = group.bySample.keys().next()
      if (first.done) continue
      group.bySample.delete(first.value)
      this.size--
      return
    }
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
