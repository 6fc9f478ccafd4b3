import { describe, expect, it } from 'vitest'
import { REDACTED, redactText, redactValue } from './redact'

describe('redaction', () => {
  const cases: [string, string][] = [
    [
      'GET http://127.0.0.1:8090/v2/p/samples/s/image?expires=1796481600&signature=abc123def',
      `GET http://127.0.0.1:8090/v2/p/samples/s/image?expires=${REDACTED}&signature=${REDACTED}`
    ],
    ['/v2/p/image?expires=1796481600&sig=zz', `/v2/p/image?expires=${REDACTED}&sig=${REDACTED}`],
    [
      'SDK-HMAC-SHA256 Access=HPUAK7G2M4X9Q1W8E5R3, SignedHeaders=host, Signature=4a5b6c',
      `SDK-HMAC-SHA256 Access=${REDACTED}, SignedHeaders=host, Signature=${REDACTED}`
    ],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x.y', `Authorization: ${REDACTED} ${REDACTED}`],
    ['{"name":"demo","password":"p@ss word"}', `{"name":"demo","password":${REDACTED}}`],
    ['sk=Zq8sK2vP9mW4 and ak: HPUAK7G2', `sk=${REDACTED} and ak: ${REDACTED}`],
    ['X-Auth-Token: MIIEhwYJKoZI', `X-Auth-Token: ${REDACTED}`],
    [`token ${'MII' + 'A'.repeat(60)} expired`, `token ${REDACTED} expired`],
    // Ordinary words stay.
    ['the token expired; ask again?', 'the token expired; ask again?'],
    ['Service unreachable, 14 deletions queued', 'Service unreachable, 14 deletions queued']
  ]
  it.each(cases)('%s', (input, expected) => expect(redactText(input)).toBe(expected))

  it('blanks secrets it is told of, wherever they appear', () => {
    expect(redactText('wrong: hunter22 for demo', ['hunter22'])).toBe(`wrong: ${REDACTED} for demo`)
    // Too short to blank without eating words: the pattern rules are the guard there.
    expect(redactText('a b', ['a'])).toBe('a b')
  })

  it('copies values: secret fields blanked, errors as objects, cycles and depth bounded', () => {
    const error = Object.assign(new Error('failed at /x?signature=abc'), {
      code: 'E1',
      headers: { 'X-Subject-Token': 't0k3n', Host: 'h' }
    })
    const cycle: Record<string, unknown> = { sk: 'secret-key', nested: { password: 'p' } }
    cycle.self = cycle
    expect(redactValue({ error, cycle })).toMatchObject({
      error: {
        type: 'Error',
        message: `failed at /x?signature=${REDACTED}`,
        code: 'E1',
        headers: { 'X-Subject-Token': REDACTED, Host: 'h' }
      },
      cycle: { sk: REDACTED, nested: { password: REDACTED }, self: '[circular]' }
    })
  })
})
