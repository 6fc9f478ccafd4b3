import { afterEach, describe, expect, it } from 'vitest'
import { AkSkAuth } from '../api/auth'
import { listProjects } from '../api/iam-projects'
import { startRecordedService, type RecordedService } from '../../../testing/recorded-service'
import { httpClient } from './client'
import { findProjects } from './find-projects'

// IAM's KeystoneListProjects in its documented shape, asked the way the vendor SDK core asks.
const REGION_PROJECT = '06a5a29d6a00f2fd2f5bc0140a2e3c42'
let iam: RecordedService | null = null

afterEach(async () => {
  await iam?.close()
  iam = null
})

const projects = {
  links: { self: 'https://iam.example/v3/projects' },
  projects: [
    {
      id: REGION_PROJECT,
      name: 'cn-north-4',
      domain_id: 'd1',
      enabled: true,
      is_domain: false,
      parent_id: 'd1'
    },
    { id: 'not-a-region-project', name: 'MOS', enabled: true }
  ]
}

describe('finding the project id', () => {
  it('AK/SK: a signed GET /v3/projects?name=<region>, region projects only', async () => {
    iam = await startRecordedService((asked) =>
      asked.path === '/v3/projects' ? { body: projects } : undefined
    )
    const http = httpClient({ sleep: async () => {} })
    const region = await listProjects(
      new URL(iam.url),
      new AkSkAuth('AK1', 'SK1'),
      http,
      'cn-north-4'
    )
    expect(region).toEqual([{ id: REGION_PROJECT, name: 'cn-north-4' }])
    const [asked] = iam.asked
    expect(asked.method).toBe('GET')
    expect(asked.query.get('name')).toBe('cn-north-4')
    expect(String(asked.headers.authorization)).toMatch(
      /^SDK-HMAC-SHA256 Access=AK1, SignedHeaders=/
    )

    // A custom endpoint has no region name: every project is offered.
    await findProjects(
      { target: { kind: 'endpoint', url: iam.url }, auth: { kind: 'aksk', ak: 'AK1' } },
      'SK1',
      { sleep: async () => {} }
    )
    expect(iam.asked[1].query.has('name')).toBe(false)
  })

  it('IAM user: a token scoped to the domain, then the same list', async () => {
    iam = await startRecordedService((asked) => {
      if (asked.path === '/v3/auth/tokens')
        return {
          status: 201,
          body: { token: { expires_at: '2099-01-01T00:00:00Z' } },
          headers: { 'X-Subject-Token': 'domain-token' }
        }
      if (asked.path === '/v3/projects' && asked.headers['x-auth-token'] === 'domain-token')
        return { body: projects }
      return undefined
    })
    const found = await findProjects(
      {
        target: { kind: 'endpoint', url: 'http://modelarts.example' },
        auth: { kind: 'password', user: 'alice', domain: 'team', iamUrl: iam.url }
      },
      'secret-pw',
      { sleep: async () => {} }
    )
    expect(found).toEqual([{ id: REGION_PROJECT, name: 'cn-north-4' }])
    const body = JSON.parse(iam.asked[0].body) as { auth: { scope: unknown } }
    expect(body.auth.scope).toEqual({ domain: { name: 'team' } })
  })

  it("IAM's refusal reads as the credentials refused", async () => {
    iam = await startRecordedService(() => ({
      status: 401,
      body: {
        error: {
          code: 401,
          message: 'The request you have made requires authentication.',
          title: 'Unauthorized'
        }
      }
    }))
    await expect(
      findProjects(
        { target: { kind: 'endpoint', url: iam.url }, auth: { kind: 'aksk', ak: 'AK1' } },
        'SK1',
        { sleep: async () => {} }
      )
    ).rejects.toMatchObject({
      code: 'auth',
      message: expect.stringMatching(/refused the credentials/)
    })
  })
})
