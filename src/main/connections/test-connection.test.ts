import { describe, expect, it } from 'vitest'
import type { ProfileCore } from './client'
import { testConnection } from './test-connection'

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0)
const profile: ProfileCore = {
  target: { kind: 'endpoint', url: 'http://svc.test:8080' },
  projectId: 'a'.repeat(32),
  auth: { kind: 'aksk', ak: 'AK' }
}

function answering(status: number, body: unknown, serverTime = NOW) {
  const seen: string[] = []
  const fetchFn = (async (input: string | URL | Request) => {
    seen.push(String(input))
    return new Response(JSON.stringify(body), {
      status,
      headers: { Date: new Date(serverTime).toUTCString(), 'X-Request-Id': 'r' }
    })
  }) as typeof fetch
  return { deps: { fetch: fetchFn, now: () => NOW, sleep: async () => {} }, seen }
}

describe('testConnection', () => {
  it('reports a working connection with its dataset count and no skew', async () => {
    const { deps, seen } = answering(200, { total_number: 2, datasets: [] })
    const verdict = await testConnection(profile, 'SK', deps)
    expect(verdict).toEqual({
      reachable: true,
      authOk: true,
      projectOk: true,
      clockSkewMs: 0,
      datasets: 2,
      message: 'Connected: 2 datasets in the project.'
    })
    expect(seen[0]).toBe(
      `http://svc.test:8080/v2/${'a'.repeat(32)}/datasets?dataset_version=all&limit=1&offset=0&with_labels=true&workspace_id=0`
    )
  })

  it('blames the clock when signatures are refused and the clocks disagree', async () => {
    const { deps } = answering(
      401,
      { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information' },
      NOW - 20 * 60_000
    )
    const verdict = await testConnection(profile, 'SK', deps)
    expect(verdict).toMatchObject({ reachable: true, authOk: false, projectOk: null })
    expect(verdict.clockSkewMs).toBe(20 * 60_000)
    expect(verdict.message).toMatch(/AK\/SK was refused.*APIG\.0301.*20 minutes ahead of/)
  })

  it('tells a wrong project from wrong credentials', async () => {
    const { deps } = answering(403, { error_code: 'ModelArts.0210', error_msg: 'project mismatch' })
    expect(await testConnection(profile, 'SK', deps)).toMatchObject({
      reachable: true,
      authOk: true,
      projectOk: false
    })
  })

  it('reports an unreachable service, and with no secret only whether it answers', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
      })
    }) as typeof fetch
    const verdict = await testConnection(profile, 'SK', { fetch: refused, sleep: async () => {} })
    expect(verdict).toMatchObject({ reachable: false, authOk: null, clockSkewMs: null })
    expect(verdict.message).toMatch(/ECONNREFUSED/)
    const { deps, seen } = answering(404, {})
    expect(await testConnection(profile, null, deps)).toMatchObject({
      reachable: true,
      authOk: null,
      message: /Enter the secret/
    })
    expect(seen).toEqual(['http://svc.test:8080/health'])
    const offline = await testConnection(profile, null, { fetch: refused })
    expect(offline.reachable).toBe(false)
  })
})
