import { describe, expect, it } from 'vitest'
import { EMPTY_FORM, formFrom, projectLookup, secretRequired, toInput } from './connectionFields'

const PROJECT = '0123456789abcdef0123456789abcdef'

describe('connection form', () => {
  it('turns a cloud AK/SK form into an input', () => {
    const result = toInput(
      {
        ...EMPTY_FORM,
        name: ' Team ',
        region: 'cn-east-3',
        projectId: PROJECT.toUpperCase(),
        ak: 'AK1',
        secret: 'SK1'
      },
      { secretRequired: true }
    )
    expect(result).toEqual({
      input: {
        name: 'Team',
        target: { kind: 'region', region: 'cn-east-3' },
        projectId: PROJECT,
        auth: { kind: 'aksk', ak: 'AK1' },
        secret: 'SK1'
      }
    })
  })

  it('turns a custom-endpoint IAM form into an input', () => {
    const result = toInput(
      {
        ...EMPTY_FORM,
        name: 'Lab',
        targetKind: 'endpoint',
        url: 'http://10.0.0.5:8080',
        projectId: PROJECT,
        authKind: 'password',
        user: 'ann',
        domain: 'lab',
        secret: 'pw',
        sessionOnly: true
      },
      { secretRequired: true }
    )
    expect(result).toEqual({
      input: {
        name: 'Lab',
        target: { kind: 'endpoint', url: 'http://10.0.0.5:8080' },
        projectId: PROJECT,
        auth: { kind: 'password', user: 'ann', domain: 'lab' },
        secret: 'pw',
        allowSessionOnlySecret: true
      }
    })
  })

  it('says what is missing or malformed', () => {
    const result = toInput(
      { ...EMPTY_FORM, targetKind: 'endpoint', url: 'ftp://x', projectId: 'abc' },
      { secretRequired: true }
    )
    expect(result).toEqual({
      problems: {
        name: 'required',
        url: 'url',
        projectId: 'projectId',
        ak: 'required',
        secret: 'required'
      }
    })
  })

  it('keeps the saved secret when editing with an empty one', () => {
    const form = formFrom({
      id: 'c1',
      name: 'Demo',
      target: { kind: 'endpoint', url: 'http://127.0.0.1:9' },
      projectId: PROJECT,
      auth: { kind: 'aksk', ak: 'AK' }
    })
    const result = toInput(form, { secretRequired: false })
    expect('input' in result && result.input).toMatchObject({
      id: 'c1',
      auth: { kind: 'aksk', ak: 'AK' }
    })
    expect('input' in result && 'secret' in result.input).toBe(false)
  })

  it('asks for the secret again once an edit points elsewhere or signs in as someone else', () => {
    const saved = formFrom({
      id: 'p1',
      name: 'LAN',
      target: { kind: 'endpoint', url: 'http://box.lan:8090' },
      projectId: PROJECT,
      auth: { kind: 'password', user: 'u', domain: 'd' }
    })
    expect(secretRequired(null, saved)).toBe(true)
    expect(secretRequired(saved, saved)).toBe(false)
    expect(secretRequired(saved, { ...saved, name: 'Renamed' })).toBe(false)
    expect(secretRequired(saved, { ...saved, url: 'http://box.lan:8090/' })).toBe(false)
    for (const edit of [
      { url: 'http://listener.example:8090' },
      { url: 'http://box.lan:9999' },
      { iamUrl: 'http://listener.example' },
      { projectId: 'f'.repeat(32) },
      { user: 'someone-else' },
      { targetKind: 'region' as const }
    ])
      expect(secretRequired(saved, { ...saved, ...edit }), JSON.stringify(edit)).toBe(true)
  })

  it('looks the project up only with a sign-in and a secret it may use', () => {
    const form = { ...EMPTY_FORM, region: 'cn-east-3', ak: 'AK1' }
    expect(projectLookup(form, true)).toBeNull() // no secret typed
    expect(projectLookup({ ...form, secret: 'SK1' }, true)).toEqual({
      target: { kind: 'region', region: 'cn-east-3' },
      auth: { kind: 'aksk', ak: 'AK1' },
      secret: 'SK1'
    })
    // An edit still pointing where its secret was entered sends the profile's id instead.
    expect(projectLookup({ ...form, id: 'p1' }, false)).toMatchObject({ id: 'p1' })
    expect(projectLookup({ ...form, id: 'p1' }, true)).toBeNull()
    expect(projectLookup({ ...form, ak: ' ', secret: 'x' }, true)).toBeNull()
    expect(
      projectLookup({ ...form, targetKind: 'endpoint', url: 'not a url', secret: 'x' }, true)
    ).toBeNull()
  })
})
