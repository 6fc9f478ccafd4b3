import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatSdkDate, signHeaders } from './signer'
import {
  ErrorBody,
  issueToken,
  KeystoneError,
  startWorld,
  type World
} from '../../testing/service-world'

// AK/SK signatures (checked against the vendor's own Node signer) and IAM tokens (api.md).
let world: World
let dataset: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 20 })
  dataset = world.demo.datasets[0]?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

type VendorCredential = Parameters<typeof AKSKSigner.sign>[1]

/** Signs with `AKSKSigner.sign` and sends exactly what it signed. */
async function vendorSigned(
  method: string,
  path: string,
  options: {
    query?: Record<string, string>
    data?: object
    sk?: string
    ak?: string
    date?: number
    sendBody?: string
  } = {}
) {
  const endpoint = new URL(path, world.service.url)
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (options.date !== undefined) headers['X-Sdk-Date'] = formatSdkDate(options.date)
  const credential = {
    getAk: () => options.ak ?? world.demo.ak,
    getSk: () => options.sk ?? world.demo.sk
  } as VendorCredential
  const signed = AKSKSigner.sign(
    {
      method,
      endpoint: endpoint.toString(),
      queryParams: options.query ?? {},
      headers,
      data: options.data
    },
    credential
  ) as Record<string, string>
  const url = new URL(endpoint)
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v)
  const { host: _host, ...send } = signed
  const body = options.sendBody ?? (options.data ? JSON.stringify(options.data) : undefined)
  const response = await fetch(url, { method, headers: send, body })
  return {
    status: response.status,
    json: (await response.json()) as unknown,
    headers: response.headers
  }
}

const samples = () => world.v2(`/datasets/${dataset}/data-annotations/samples`)

describe('AK/SK (SDK-HMAC-SHA256)', () => {
  it('accepts requests signed by the vendor SDK signer: GET with a query, POST with a body', async () => {
    const listed = await vendorSigned('GET', samples(), {
      query: { limit: '3', label_name: '花', process_parameter: 'image/resize,m_lfit,h_200' }
    })
    expect(listed.status).toBe(200)
    expect(listed.json).toMatchObject({ samples: expect.any(Array) })
    const deleted = await vendorSigned('POST', `${samples()}/delete`, {
      data: { samples: ['ghost'] }
    })
    expect(deleted.status).toBe(200)
    expect(deleted.json).toMatchObject({
      success: false,
      results: [{ error_code: 'ModelArts.4420' }]
    })
  })

  const refusals: [string, Parameters<typeof vendorSigned>[2] & { post?: boolean }][] = [
    ['a wrong secret key', { sk: 'x'.repeat(40) }],
    ['an unknown access key', { ak: 'NOSUCHACCESSKEY00000' }],
    ['a date 16 minutes behind', { date: Date.now() - 16 * 60_000 }],
    ['a date 16 minutes ahead', { date: Date.now() + 16 * 60_000 }],
    [
      'a body changed after signing',
      { post: true, sendBody: JSON.stringify({ samples: ['other'] }) }
    ]
  ]
  it.each(refusals)('refuses %s with 401 APIG.0301', async (_name, options) => {
    const answer = options.post
      ? await vendorSigned('POST', `${samples()}/delete`, {
          data: { samples: ['ghost'] },
          ...options
        })
      : await vendorSigned('GET', samples(), options)
    expect(answer.status).toBe(401)
    expect(ErrorBody.parse(answer.json).error_code).toBe('APIG.0301')
    expect(answer.json).toMatchObject({ request_id: answer.headers.get('x-request-id') })
  })

  it('still accepts a date 14 minutes off', async () => {
    expect((await vendorSigned('GET', samples(), { date: Date.now() - 14 * 60_000 })).status).toBe(
      200
    )
  })

  it('refuses a changed query and a missing signature', async () => {
    const signedFor = new URL(`${samples()}?limit=2`, world.service.url)
    const { Host: _host, ...headers } = signHeaders({
      method: 'GET',
      url: signedFor,
      headers: { 'Content-Type': 'application/json' },
      body: '',
      ak: world.demo.ak,
      sk: world.demo.sk,
      date: Date.now()
    })
    expect((await fetch(signedFor, { headers })).status).toBe(200)
    const changed = await fetch(new URL(`${samples()}?limit=3`, world.service.url), { headers })
    expect(changed.status).toBe(401)
    const none = await world.call('GET', samples(), { auth: 'none' })
    expect([none.status, ErrorBody.parse(none.json).error_code]).toEqual([401, 'APIG.0301'])
  })

  it('refuses another project with 403 ModelArts.0210 (path or X-Project-Id)', async () => {
    const other = await world.call('GET', '/v2/0123456789abcdef0123456789abcdef/datasets', {
      auth: 'aksk'
    })
    expect([other.status, ErrorBody.parse(other.json).error_code]).toEqual([403, 'ModelArts.0210'])
    const header = await world.call('GET', world.v2('/datasets'), {
      auth: 'aksk',
      headers: { 'X-Project-Id': '0123456789abcdef0123456789abcdef' }
    })
    expect(header.status).toBe(403)
  })
})

describe('IAM tokens', () => {
  it('issues a 24 h token in X-Subject-Token, accepted as X-Auth-Token', async () => {
    const response = await issueToken(world.service.url, world.demo)
    expect(response.status).toBe(201)
    const token = response.headers.get('x-subject-token') ?? ''
    expect(token.length).toBeGreaterThan(40)
    const body = (await response.json()) as { token: { expires_at: string; issued_at: string } }
    const lifetime = Date.parse(body.token.expires_at) - Date.parse(body.token.issued_at)
    expect(lifetime).toBe(24 * 3600_000)
    const answer = await world.call('GET', world.v2('/datasets'), {
      auth: 'none',
      headers: { 'X-Auth-Token': token }
    })
    expect(answer.status).toBe(200)
  })

  it('refuses a wrong password (401) and a project that is not the user’s (403)', async () => {
    const wrong = await issueToken(world.service.url, { ...world.demo, password: 'nope' })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('x-subject-token')).toBeNull()
    const other = await issueToken(world.service.url, {
      ...world.demo,
      projectId: '0123456789abcdef0123456789abcdef'
    })
    // IAM answers Keystone-style, as the cloud's IAM does.
    expect([other.status, KeystoneError.parse(await other.json()).error]).toEqual([
      403,
      {
        code: 403,
        title: 'Forbidden',
        message: expect.stringMatching(/has no access to project/) as unknown as string
      }
    ])
    expect(KeystoneError.parse(await wrong.json()).error).toMatchObject({
      code: 401,
      title: 'Unauthorized'
    })
  })

  it('refuses a token it never issued with 401 ModelArts.0203', async () => {
    const answer = await world.call('GET', world.v2('/datasets'), {
      auth: 'none',
      headers: { 'X-Auth-Token': 'forged' }
    })
    expect([answer.status, ErrorBody.parse(answer.json).error_code]).toEqual([
      401,
      'ModelArts.0203'
    ])
  })

  it('refuses a token after 24 h with 401 ModelArts.0202', async () => {
    const token =
      (await issueToken(world.service.url, world.demo)).headers.get('x-subject-token') ?? ''
    const use = () =>
      world.call('GET', world.v2('/datasets'), { auth: 'none', headers: { 'X-Auth-Token': token } })
    world.clock.offsetMs = 24 * 3600_000 - 60_000
    expect((await use()).status).toBe(200)
    world.clock.offsetMs = 24 * 3600_000 + 1000
    try {
      const late = await use()
      expect([late.status, ErrorBody.parse(late.json).error_code]).toEqual([401, 'ModelArts.0202'])
    } finally {
      world.clock.offsetMs = 0
    }
  })

  it('expires every issued token through the test hook, and new ones work', async () => {
    const token = await world.token()
    const hook = await fetch(new URL('/__test__/faults', world.service.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ expireTokens: true })
    })
    expect(hook.status).toBe(200)
    const expired = await world.call('GET', world.v2('/datasets'), {
      auth: 'none',
      headers: { 'X-Auth-Token': token }
    })
    expect(ErrorBody.parse(expired.json).error_code).toBe('ModelArts.0202')
    const fresh =
      (await issueToken(world.service.url, world.demo)).headers.get('x-subject-token') ?? ''
    const answer = await world.call('GET', world.v2('/datasets'), {
      auth: 'none',
      headers: { 'X-Auth-Token': fresh }
    })
    expect(answer.status).toBe(200)
  })
})
