import { describe, expect, it } from 'vitest'
import { secretStaysWith, type SecretScope } from './secret-scope'

const PROJECT = '0123456789abcdef0123456789abcdef'
const endpoint = (url: string): SecretScope => ({
  target: { kind: 'endpoint', url },
  projectId: PROJECT,
  auth: { kind: 'aksk', ak: 'AK1' }
})
const iam = (iamUrl?: string): SecretScope => ({
  target: { kind: 'region', region: 'cn-north-4' },
  projectId: PROJECT,
  auth: { kind: 'password', user: 'u', domain: 'd', ...(iamUrl ? { iamUrl } : {}) }
})

describe('secretStaysWith', () => {
  it('keeps the secret for the same identity at the same place', () => {
    expect(secretStaysWith(endpoint('http://a.lan:8090'), endpoint('http://a.lan:8090/'))).toBe(
      true
    )
    expect(secretStaysWith(endpoint('https://a.lan'), endpoint('https://A.lan:443'))).toBe(true)
    expect(secretStaysWith(iam('https://iam.x'), iam('https://iam.x/'))).toBe(true)
  })

  it('needs the secret again for a new host, port, scheme, path, region, project or IAM URL', () => {
    const saved = endpoint('http://a.lan:8090')
    for (const url of [
      'http://evil.lan:8090',
      'http://a.lan:9999',
      'https://a.lan:8090',
      'http://a.lan:8090/other',
      'http://a.lan.evil.com:8090'
    ])
      expect(secretStaysWith(saved, endpoint(url)), url).toBe(false)
    expect(secretStaysWith(saved, { ...saved, projectId: 'f'.repeat(32) })).toBe(false)
    expect(
      secretStaysWith(saved, { ...saved, target: { kind: 'region', region: 'cn-north-4' } })
    ).toBe(false)
    expect(
      secretStaysWith(iam(), { ...iam(), target: { kind: 'region', region: 'cn-east-3' } })
    ).toBe(false)
    expect(secretStaysWith(iam(), iam('http://listener.evil'))).toBe(false)
    expect(secretStaysWith(iam('https://iam.x'), iam('https://iam.y'))).toBe(false)
    expect(secretStaysWith(iam('https://iam.x'), iam())).toBe(false)
  })

  it('needs it again for another identity', () => {
    const saved = endpoint('http://a.lan:8090')
    expect(secretStaysWith(saved, { ...saved, auth: { kind: 'aksk', ak: 'AK2' } })).toBe(false)
    expect(
      secretStaysWith(iam(), { ...iam(), auth: { kind: 'password', user: 'v', domain: 'd' } })
    ).toBe(false)
  })
})
