import { describe, expect, it } from 'vitest'
import { isRetryable, networkError, parseServiceError } from './errors'

const headers = (h: Record<string, string> = {}) => new Headers(h)

describe('parseServiceError', () => {
  it('reads ModelArts bodies with error_msg or error_message', () => {
    const a = parseServiceError(
      400,
      headers({ 'X-Request-Id': 'r1' }),
      '{"error_code":"ModelArts.0104","error_msg":"bad limit"}'
    )
    expect(a.code).toBe('service')
    expect(a.service).toEqual({
      httpStatus: 400,
      errorCode: 'ModelArts.0104',
      errorMsg: 'bad limit',
      requestId: 'r1',
      retryable: false
    })
    const b = parseServiceError(
      400,
      headers(),
      '{"error_code":"ModelArts.4352","error_message":"no"}'
    )
    expect(b.code).toBe('not_found')
    expect(b.service?.errorMsg).toBe('no')
  })

  it("reads IAM's Keystone-style errors as the same refusal as the gateway's", () => {
    // As IAM answers a wrong password or a token it does not know (recorded shape).
    const keystone = parseServiceError(
      401,
      headers({ 'X-Request-Id': 'iam-1' }),
      '{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}'
    )
    const gateway = parseServiceError(
      401,
      headers(),
      '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information","request_id":"g"}'
    )
    expect(keystone.code).toBe('auth')
    expect(keystone.code).toBe(gateway.code)
    expect(keystone.message).toBe(
      'The service refused the credentials: The request you have made requires authentication. (IAM.401)'
    )
    expect(keystone.service).toMatchObject({ errorCode: 'IAM.401', requestId: 'iam-1' })
    const forbidden = parseServiceError(
      403,
      headers(),
      '{"error":{"code":403,"title":"Forbidden"}}'
    )
    expect(forbidden.code).toBe('auth')
    expect(forbidden.service?.errorMsg).toBe('Forbidden')
  })

  it('reads gateway bodies and their request_id', () => {
    const e = parseServiceError(
      401,
      headers(),
      '{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information","request_id":"g-7"}'
    )
    expect(e.code).toBe('auth')
    expect(e.service?.requestId).toBe('g-7')
    expect(e.message).toMatch(/refused the credentials.*APIG\.0301/)
  })

  it('copes with bodies that are not JSON', () => {
    const e = parseServiceError(503, headers(), '<html>Service Unavailable</html>')
    expect(e.service).toMatchObject({ httpStatus: 503, errorCode: 'HTTP.503', retryable: true })
    expect(isRetryable(e)).toBe(true)
    const empty = parseServiceError(429, headers(), '')
    expect(empty.service?.retryable).toBe(true)
  })

  it('marks 4xx other than 429 as not retryable and network errors as retryable', () => {
    expect(isRetryable(parseServiceError(404, headers(), '{}'))).toBe(false)
    expect(isRetryable(networkError(new TypeError('fetch failed'), 'x'))).toBe(true)
    expect(isRetryable(new Error('plain'))).toBe(false)
  })
})
