import { describe, expect, it } from 'vitest'
import { endpointsFor, joinUrl } from './endpoints'

const aksk = { kind: 'aksk' as const, ak: 'AK' }

describe('endpoints', () => {
  it('builds region endpoints, .cn for ap-southeast-1 only', () => {
    const north = endpointsFor({ kind: 'region', region: 'cn-north-4' }, aksk)
    expect(north.modelarts.origin).toBe('https://modelarts.cn-north-4.myhuaweicloud.com')
    expect(north.iam.origin).toBe('https://iam.cn-north-4.myhuaweicloud.com')
    const hk = endpointsFor({ kind: 'region', region: 'ap-southeast-1' }, aksk)
    expect(hk.modelarts.origin).toBe('https://modelarts.ap-southeast-1.myhuaweicloud.cn')
    expect(hk.iam.origin).toBe('https://iam.ap-southeast-1.myhuaweicloud.cn')
    const sg = endpointsFor({ kind: 'region', region: 'ap-southeast-3' }, aksk)
    expect(sg.modelarts.origin).toBe('https://modelarts.ap-southeast-3.myhuaweicloud.com')
  })

  it('keeps a custom endpoint, its port and path prefix; IAM defaults to it', () => {
    const own = endpointsFor({ kind: 'endpoint', url: 'http://127.0.0.1:8123/' }, aksk)
    expect(joinUrl(own.modelarts, '/v2/p/datasets').toString()).toBe(
      'http://127.0.0.1:8123/v2/p/datasets'
    )
    const prefixed = endpointsFor(
      { kind: 'endpoint', url: 'https://ai.example.org/modelarts/?x=1#y' },
      { kind: 'password', user: 'u', domain: 'd', iamUrl: 'https://iam.example.org' }
    )
    expect(joinUrl(prefixed.modelarts, '/v2/p/datasets').toString()).toBe(
      'https://ai.example.org/modelarts/v2/p/datasets'
    )
    expect(prefixed.iam.origin).toBe('https://iam.example.org')
    const sameHost = endpointsFor(
      { kind: 'endpoint', url: 'https://ai.example.org' },
      { kind: 'password', user: 'u', domain: 'd' }
    )
    expect(sameHost.iam.origin).toBe('https://ai.example.org')
  })

  it('refuses credentials embedded in the URL', () => {
    expect(() => endpointsFor({ kind: 'endpoint', url: 'https://a:b@example.org' }, aksk)).toThrow(
      /credentials/
    )
  })

  it('sends every region to the development override, when one is given', () => {
    const local = new URL('http://127.0.0.1:8090')
    const region = { kind: 'region' as const, region: 'cn-north-4' }
    expect(endpointsFor(region, { kind: 'aksk', ak: 'a' }, local)).toEqual({
      modelarts: new URL('http://127.0.0.1:8090'),
      iam: new URL('http://127.0.0.1:8090')
    })
    // A custom endpoint is what it says, override or not.
    const custom = { kind: 'endpoint' as const, url: 'https://ma.example' }
    expect(endpointsFor(custom, { kind: 'aksk', ak: 'a' }, local).modelarts.host).toBe('ma.example')
  })
})
