import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rawCall, startWorld, type World } from '../../testing/service-world'

// Requests the HTTP parser or the router refuses before any route runs still answer in the
// API's error format ({error_code, error_msg}, a 4xx, X-Request-Id), never a 500, another
// format or a silently closed socket.
let world: World

beforeAll(async () => {
  world = await startWorld({ demoSize: 3 })
})
afterAll(async () => {
  await world?.close()
})

const ApiErrorShape = {
  error_code: expect.stringMatching(/^ModelArts\.\d{4}$/),
  error_msg: expect.any(String)
}

/** Bytes written to a fresh connection as they are; the whole answer, read to the close. */
function sendBytes(text: string): Promise<{ head: string; body: unknown }> {
  const url = new URL(world.service.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.write(text))
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()))
    socket.on('error', reject)
    socket.on('close', () => {
      const [head = '', body = ''] = answer.split('\r\n\r\n')
      try {
        resolve({ head, body: JSON.parse(body) })
      } catch {
        reject(new Error(`not a JSON answer: ${JSON.stringify(answer)}`))
      }
    })
  })
}

describe('answers in the API error format', () => {
  it('431 for headers too large, with a request id', async () => {
    const answer = await rawCall(world.service.url, {
      target: world.v2('/datasets'),
      headers: { 'X-Auth-Token': await world.token(), 'X-Padding': 'a'.repeat(20_000) }
    })
    expect(answer.status).toBe(431)
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/)
    expect(answer.json).toEqual({
      error_code: 'ModelArts.0104',
      error_msg: expect.stringMatching(/request headers are larger than 16 KiB/)
    })
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
  })

  it('400 for a request the HTTP parser cannot read', async () => {
    const answer = await sendBytes(
      'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n'
    )
    expect(answer.head).toMatch(/^HTTP\/1\.1 400 /)
    expect(answer.head).toMatch(/\r\nX-Request-Id: [0-9a-f]{32}\r\n/i)
    expect(answer.body).toEqual(ApiErrorShape)
  })

  it.each([
    ['a v2 path', () => world.v2('/datasets/%E0%A4%A/data-annotations/labels'), false],
    ['the project segment', () => '/v2/%E0%A4%A/datasets', false],
    ['a v1 path', () => `/v1/${world.demo.projectId}/data-annotations/%E0%A4%A/images`, true],
    ['a lone %', () => world.v2('/datasets/%'), false]
  ])('400 for a bad percent-escape in %s', async (_name, target, legacy) => {
    const answer = await rawCall(world.service.url, {
      target: target(),
      headers: { 'X-Auth-Token': await world.token() }
    })
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual(legacy ? { is_success: false, ...ApiErrorShape } : ApiErrorShape)
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
  })

  it('the service still answers afterwards', async () => {
    expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)
  })
})
