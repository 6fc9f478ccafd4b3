import { describe, expect, it } from 'vitest'
import {
  checkSource,
  imagePath,
  SOURCE_TTL_SECONDS,
  SourceSigner,
  type Variant
} from './image-urls'

// `source` URLs: the shape api.md and the image route expect, a signature the route accepts, and
// the same URL for a sample within a 5-minute step.
const SECRET = 'b'.repeat(64)
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5)
const THUMB: Variant = { width: null, height: 200 }
const project = '2a40ee85ed58784eac4f11c9ac7aa62b'
const dataset = 'kcKcGLqSi3AMBavZHHPg'

function url(
  signer: SourceSigner,
  base: string,
  sampleId: string,
  variant: Variant | null,
  now = NOW
) {
  const json = signer.page(base, project, dataset, variant, now).json(sampleId)
  return JSON.parse(json) as string
}

function verify(source: string, sampleId: string, variant: Variant | null, now = NOW) {
  const parsed = new URL(source)
  const expires = Number(parsed.searchParams.get('expires'))
  const signature = parsed.searchParams.get('signature') ?? ''
  const ref = { projectId: project, datasetId: dataset, sampleId, variant }
  return checkSource(SECRET, ref, expires, signature, now)
}

describe('SourceSigner', () => {
  it('writes the image URL with the variant, an expiry about an hour on and a valid signature', () => {
    const signer = new SourceSigner(SECRET)
    const sample = '0123456789abcdef0123456789abcdef'
    const thumb = url(signer, 'http://127.0.0.1:8090', sample, THUMB)
    const ref = { projectId: project, datasetId: dataset, sampleId: sample }
    const expires = Number(new URL(thumb).searchParams.get('expires'))
    expect(thumb).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:8090${imagePath(ref)}\\?x-image-process=image/resize,m_lfit,h_200&expires=\\d+&signature=[0-9a-f]{64}$`
      )
    )
    expect(expires % 300).toBe(0)
    expect(expires - NOW / 1000).toBeGreaterThan(SOURCE_TTL_SECONDS - 300)
    expect(expires - NOW / 1000).toBeLessThanOrEqual(SOURCE_TTL_SECONDS)
    expect(verify(thumb, sample, THUMB)).toBe('ok')
    expect(verify(thumb, sample, null)).toBe('bad-signature')

    const original = url(signer, 'http://127.0.0.1:8090', sample, null)
    expect(new URL(original).searchParams.has('x-image-process')).toBe(false)
    expect(verify(original, sample, null)).toBe('ok')
  })

  it('gives the same URL within a 5-minute step and a new one after it', () => {
    const signer = new SourceSigner(SECRET)
    const stepStart = Math.floor(NOW / 300_000) * 300_000
    const a = url(signer, 'http://h', 'a', THUMB, stepStart)
    expect(url(signer, 'http://h', 'a', THUMB, stepStart + 299_999)).toBe(a)
    const later = url(signer, 'http://h', 'a', THUMB, stepStart + 300_000)
    expect(later).not.toBe(a)
    expect(verify(later, 'a', THUMB, stepStart + 300_000)).toBe('ok')
    // A fresh signer (a restart) signs the same URL: nothing depends on the cache.
    expect(url(new SourceSigner(SECRET), 'http://h', 'a', THUMB, stepStart)).toBe(a)
  })

  it('follows the base it is given, escaping it for JSON, and encodes odd ids', () => {
    const signer = new SourceSigner(SECRET)
    const base = 'https://tagdeck.example.org/a"b\\c'
    const json = signer.page(base, project, dataset, null, NOW).json('x y')
    const source = JSON.parse(json) as string
    expect(source.startsWith(`${base}/v2/${project}/datasets/${dataset}/`)).toBe(true)
    expect(source).toContain('/samples/x%20y/image?expires=')
    const signature = new URL(source.replace(base, 'http://h')).searchParams.get('signature') ?? ''
    const expires = Number(/expires=(\d+)/.exec(source)?.[1])
    const ref = { projectId: project, datasetId: dataset, sampleId: 'x y', variant: null }
    expect(checkSource(SECRET, ref, expires, signature, NOW)).toBe('ok')
  })

  it('stays right once it has forgotten signatures (its memory is bounded)', () => {
    const signer = new SourceSigner(SECRET)
    const first = url(signer, 'http://h', 'first', null)
    const page = signer.page('http://h', project, dataset, null, NOW)
    for (let i = 0; i < 50_100; i++) page.json(`s${i}`)
    expect(url(signer, 'http://h', 'first', null)).toBe(first)
    expect(verify(url(signer, 'http://h', 's50099', null), 's50099', null)).toBe('ok')
  })
})
