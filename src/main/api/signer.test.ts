import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner'
import { canonicalQuery, canonicalRequest, sdkDate, signRequest } from './signer'

const AK = 'QTWAOYTTINDUT2QVKYUC'
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc'

function signatureOf(authorization: string): string {
  return /Signature=([0-9a-f]{64})$/.exec(authorization)?.[1] ?? ''
}

describe('signer: the published test vector (api.md)', () => {
  const url = new URL(
    'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0'
  )
  const date = new Date(Date.UTC(2019, 10, 15, 3, 36, 55))

  it('formats X-Sdk-Date', () => {
    expect(sdkDate(date)).toBe('20191115T033655Z')
  })

  it('hashes the canonical request to the published value', () => {
    const { canonicalRequest: request, signedHeaders } = canonicalRequest(
      'GET',
      url,
      {
        'Content-Type': 'application/json',
        Host: 'service.region.example.com',
        'X-Sdk-Date': '20191115T033655Z'
      },
      ''
    )
    expect(signedHeaders).toBe('content-type;host;x-sdk-date')
    expect(createHash('sha256').update(request).digest('hex')).toBe(
      'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a'
    )
  })

  it('produces the published signature and Authorization header', () => {
    const headers = signRequest({
      method: 'GET',
      url,
      headers: { 'Content-Type': 'application/json' },
      body: '',
      ak: AK,
      sk: SK,
      date
    })
    expect(headers['Authorization']).toBe(
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, ` +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe'
    )
    expect(headers['Host']).toBe('service.region.example.com')
    expect(headers['X-Sdk-Date']).toBe('20191115T033655Z')
  })

  it('a different secret, body or query gives a different signature', () => {
    const base = { method: 'GET', url, headers: {}, body: '', ak: AK, sk: SK, date }
    const reference = signatureOf(signRequest(base)['Authorization'] ?? '')
    const changed = [
      { ...base, sk: `${SK}x` },
      { ...base, body: '{}' },
      { ...base, url: new URL(`${url.toString()}&x=1`) },
      { ...base, method: 'POST' }
    ]
    for (const input of changed)
      expect(signatureOf(signRequest(input)['Authorization'] ?? '')).not.toBe(reference)
  })
})

describe('signer: agrees with the vendor SDK signer', () => {
  // Query values and path segments with characters that encoders disagree on. The vendor signer
  // takes raw path text and re-encodes what Node's url.parse already escaped (a space becomes
  // %2520 there), so paths here avoid spaces and quotes; query values may hold anything.
  const cases: { path: string; query: Record<string, string>; method: string; body?: object }[] = [
    { path: '/v2/p/datasets', query: { offset: '0', limit: '10' }, method: 'GET' },
    {
      path: '/v2/p/datasets/d1/data-annotations/samples',
      query: {
        label_name: 'a b+c&d=e/f,g;h',
        process_parameter: 'image/resize,m_lfit,h_200',
        sample_state: '__NONE__'
      },
      method: 'GET'
    },
    {
      path: '/v2/p/datasets/d1/data-annotations/samples',
      query: { label_name: "中文 標籤~*'!()", order: 'asc', empty: '' },
      method: 'GET'
    },
    {
      path: '/v2/p/datasets/d:1@x+y/(odd)!*/é/中',
      query: { q: '%41 already encoded?', 'we ird': 'v$' },
      method: 'GET'
    },
    {
      path: '/v2/p/datasets/d1/data-annotations/samples/delete',
      query: {},
      method: 'POST',
      body: { samples: ['a', 'b'], delete_source: false }
    }
  ]

  const date = new Date(Date.UTC(2024, 0, 31, 23, 59, 58))

  for (const [index, c] of cases.entries()) {
    it(`case ${index + 1}: ${c.method} ${c.path}`, () => {
      const host = 'modelarts.cn-north-4.myhuaweicloud.com'
      const body = c.body ? JSON.stringify(c.body) : ''
      const url = new URL(`https://${host}`)
      url.pathname = c.path
      url.search = canonicalQuery(new URLSearchParams(c.query))

      const ours = signRequest({
        method: c.method,
        url,
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'p' },
        body,
        ak: AK,
        sk: SK,
        date
      })
      const vendor = AKSKSigner.sign(
        {
          method: c.method,
          endpoint: `https://${host}${c.path}`,
          queryParams: c.query,
          headers: {
            'Content-Type': 'application/json',
            'X-Project-Id': 'p',
            'X-Sdk-Date': sdkDate(date)
          },
          data: c.body
        },
        { getAk: () => AK, getSk: () => SK } as Parameters<typeof AKSKSigner.sign>[1]
      ) as Record<string, string>
      expect(signatureOf(ours['Authorization'] ?? '')).toMatch(/^[0-9a-f]{64}$/)
      expect(ours['Authorization']).toBe(vendor['Authorization'])
    })
  }
})
