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
