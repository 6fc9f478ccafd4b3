import { describe, expect, it } from 'vitest'
import { TagdeckError } from '../../shared/errors'
import { describeError } from './errors'

describe('describeError', () => {
  it('keeps the service’s own words for service errors', () => {
    const service = {
      httpStatus: 400,
      errorCode: 'ModelArts.4352',
      errorMsg: 'Dataset not found',
      requestId: 'r-1',
      retryable: false
    }
    const d = describeError(new TagdeckError({ code: 'service', message: 'wrapped', service }))
    expect(d).toEqual({ code: 'service', service, detail: null })
  })

  it('keeps our message for errors the service did not send', () => {
    expect(describeError(new TagdeckError({ code: 'network', message: 'ECONNREFUSED' }))).toEqual({
      code: 'network',
      service: null,
      detail: 'ECONNREFUSED'
    })
    expect(describeError({ code: 'offline', message: 'not cached' }).code).toBe('offline')
  })

  it('treats anything else as internal', () => {
    expect(describeError(new Error('boom'))).toEqual({
      code: 'internal',
      service: null,
      detail: 'boom'
    })
    expect(describeError({ code: 'weird', message: 'x' }).code).toBe('internal')
    expect(describeError('plain').detail).toBe('plain')
  })
})
