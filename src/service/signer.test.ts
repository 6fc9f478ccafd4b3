import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner'
import { describe, expect, it } from 'vitest'
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  canonicalUriVariants,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  sha256Hex,
  signHeaders,
  signature,
  stringToSign
} from './signer'

const AK = 'QTWAOYTTINDUT2QVKYUC'
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc'

describe('the published test vector (api.md)', () => {
  const headers = {
    'Content-Type': 'application/json',
    Host: 'service.region.example.com',
    'X-Sdk-Date': '20191115T033655Z'
  }
  const canonical = canonicalRequest({
    method: 'GET',
    uri: canonicalUri('/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs'),
    query: canonicalQuery('limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'),
    headers,
    body: ''
  })

  it('hashes the canonical request to the published value', () => {
    expect(canonical.split('\n').slice(0, 3)).toEqual([
      'GET',
      '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
      'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'
    ])
    expect(sha256Hex(canonical)).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a'
    )
  })

  it('signs to the published signature', () => {
    const toSign = stringToSign('20191115T033655Z', canonical)
    expect(toSign).toBe(
      'SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a'
    )
    expect(signature(SK, toSign)).toBe(
      '7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe'
    )
  })

  it('the client-side helper produces the same Authorization header', () => {
    const signed = signHeaders({
      method: 'GET',
      url: new URL(
        'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'
      ),
      headers: { 'Content-Type': 'application/json' },
      body: '',
      ak: AK,
      sk: SK,
      date: Date.UTC(2019, 10, 15, 3, 36, 55)
    })
    expect(signed.Authorization).toBe(
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe`
    )
  })
})

describe('canonical pieces', () => {
  it('encodes path segments per RFC 3986 after decoding them once', () => {
    expect(canonicalUri('/v2/p/datasets/a%20b/x')).toBe('/v2/p/datasets/a%20b/x/')
    expect(canonicalUri("/v2/é/(x)!*'")).toBe('/v2/%C3%A9/%28x%29%21%2A%27/')
    expect(canonicalUri('/')).toBe('/')
  })

  it("also offers the vendor SDK's encode-without-decoding form when it differs", () => {
    expect(canonicalUriVariants('/v2/p/x')).toEqual(['/v2/p/x/'])
    expect(canonicalUriVariants('/v2/a%2Fb')).toEqual(['/v2/a%2Fb/', '/v2/a%252Fb/'])
  })

  it('sorts the query by name then value and encodes both', () => {
    expect(canonicalQuery('b=2&a=z&a=y&c=%E4%B8%AD+x&d')).toBe('a=y&a=z&b=2&c=%E4%B8%AD%20x&d=')
    expect(canonicalQuery('')).toBe('')
  })

  it('parses the Authorization header and refuses other shapes', () => {
    expect(
      parseAuthorization(
        `SDK-HMAC-SHA256 Access=AK1, SignedHeaders=Host;x-sdk-date, Signature=${'a'.repeat(64)}`
      )
    ).toEqual({ ak: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: 'a'.repeat(64) })
    expect(parseAuthorization('Bearer x')).toBeNull()
    expect(
      parseAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host, Signature=xyz')
    ).toBeNull()
  })

  it('reads X-Sdk-Date strictly', () => {
    expect(parseSdkDate('20191115T033655Z')).toBe(Date.UTC(2019, 10, 15, 3, 36, 55))
    expect(formatSdkDate(Date.UTC(2019, 10, 15, 3, 36, 55))).toBe('20191115T033655Z')
    for (const bad of [
      '20191315T033655Z',
      '20191115T253655Z',
      '2019-11-15T03:36:55Z',
      '20191115T033655'
    ])
      expect(parseSdkDate(bad)).toBeNull()
  })
})

describe('agrees with the vendor Node signer', () => {
  const cases: { method: string; path: string; query: Record<string, string>; body?: object }[] = [
    { method: 'GET', path: '/v2/p/datasets', query: { offset: '0', limit: '10' } },
    {
      method: 'GET',
      path: '/v2/p/datasets/d/data-annotations/samples',
      query: { label_name: '花 a+b', process_parameter: 'image/resize,m_lfit,h_200' }
    },
    {
      method: 'POST',
      path: '/v2/p/datasets/d/data-annotations/samples/delete',
      query: {},
      body: { samples: ['a'] }
    }
  ]
  for (const c of cases)
    it(`${c.method} ${c.path}`, () => {
      const date = '20240131T235958Z'
      const host = 'modelarts.example.com'
      const vendor = AKSKSigner.sign(
        {
          method: c.method,
          endpoint: `https://${host}${c.path}`,
          queryParams: c.query,
          headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': date },
          data: c.body
        },
        { getAk: () => AK, getSk: () => SK } as Parameters<typeof AKSKSigner.sign>[1]
      ) as Record<string, string>
      const canonical = canonicalRequest({
        method: c.method,
        uri: canonicalUri(c.path),
        query: canonicalQuery(new URLSearchParams(c.query).toString()),
        headers: { 'Content-Type': 'application/json', 'X-Sdk-Date': date, host },
        body: c.body ? JSON.stringify(c.body) : ''
      })
      expect(vendor.Authorization).toContain(
        `Signature=${signature(SK, stringToSign(date, canonical))}`
      )
    })
})
