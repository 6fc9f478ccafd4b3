import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TagdeckError } from '../../shared/errors'
import { HttpClient } from './http'
import { undiciFetch } from './undici-fetch'

// undiciFetch against a real HTTP server: what HttpClient reads from it must match fetch.
let server: http.Server
let base: URL
const seen: { method: string; url: string; body: string }[] = []

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body })
      const route = new URL(req.url ?? '/', 'http://x').pathname
      if (route === '/image') {
        res.writeHead(200, { 'Content-Type': 'image/jpeg', 'X-Request-Id': 'r1' })
        return res.end(Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]))
      }
      if (route === '/moved') return res.writeHead(302, { Location: '/image' }).end()
      if (route === '/see-other') return res.writeHead(303, { Location: '/echo' }).end()
      if (route === '/echo') return res.writeHead(200).end(`${req.method} ${body}`)
      if (route === '/loop') return res.writeHead(302, { Location: '/loop' }).end()
      if (route === '/huge') {
        res.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024) })
        return res.write(Buffer.alloc(1024))
      }
      if (route === '/slow') return setTimeout(() => res.end('late'), 2_000)
      res.writeHead(404, { 'Content-Type': 'application/json' })
      res.end('{"error_code":"ModelArts.4420","error_msg":"gone"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const init = (over: Partial<Parameters<typeof undiciFetch>[1]> = {}) => ({
  method: 'GET',
  headers: {},
  timeoutMs: 5_000,
  redirect: 'follow' as const,
  ...over
})
const bytes = async (answer: Awaited<ReturnType<typeof undiciFetch>>) =>
  Buffer.from(await answer.arrayBuffer())

describe('undiciFetch', () => {
  it('answers status, headers by any case, and the exact bytes', async () => {
    const answer = await undiciFetch(new URL('/image', base), init())
    expect(answer.status).toBe(200)
    expect(answer.headers.get('x-request-id')).toBe('r1')
    expect(answer.headers.get('Content-Type')).toBe('image/jpeg')
    expect(answer.headers.get('x-missing')).toBeNull()
    expect([...(await bytes(answer))]).toEqual([0xff, 0xd8, 0xff, 1, 2, 3])
  })

  it('follows redirects when asked, refuses them otherwise, and stops a loop', async () => {
    const followed = await undiciFetch(new URL('/moved', base), init())
    expect([...(await bytes(followed))].slice(0, 3)).toEqual([0xff, 0xd8, 0xff])
    await expect(undiciFetch(new URL('/moved', base), init({ redirect: 'error' }))).rejects.toThrow(
      TypeError
    )
    await expect(undiciFetch(new URL('/loop', base), init())).rejects.toMatchObject({
      cause: { message: 'too many redirects' }
    })
  })

  it('turns a POST answered 303 into a GET without the body', async () => {
    seen.length = 0
    const answer = await undiciFetch(
      new URL('/see-other', base),
      init({ method: 'POST', body: 'x=1' })
    )
    expect((await bytes(answer)).toString()).toBe('GET ')
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/see-other', 'x=1'],
      ['GET', '/echo', '']
    ])
  })

  it('rejects with the socket error as cause, or with the abort reason', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(undiciFetch(new URL(`http://127.0.0.1:${port}/`), init())).rejects.toMatchObject({
      name: 'TypeError',
      cause: { code: 'ECONNREFUSED' }
    })
  })

  it('stops at its deadline, or when the caller aborts, before or during the answer', async () => {
    await expect(
      undiciFetch(new URL('/slow', base), init({ timeoutMs: 50 }))
    ).rejects.toMatchObject({
      name: 'TimeoutError'
    })

    const caller = new AbortController()
    const asked = undiciFetch(new URL('/slow', base), init({ signal: caller.signal }))
    setTimeout(() => caller.abort(new Error('cancelled by the test')), 50)
    await expect(asked).rejects.toThrow('cancelled by the test')

    const already = AbortSignal.abort(new Error('too late'))
    await expect(undiciFetch(new URL('/image', base), init({ signal: already }))).rejects.toThrow(
      'too late'
    )

    // The headers came; the body never ends: the deadline still holds for it.
    const partial = await undiciFetch(new URL('/huge', base), init({ timeoutMs: 200 }))
    expect(partial.status).toBe(200)
    await expect(partial.arrayBuffer()).rejects.toMatchObject({ name: 'TimeoutError' })
  })

  it('serves HttpClient as fetch does: typed service errors, size limits', async () => {
    const client = new HttpClient({ fetch: undiciFetch })
    const get = (path: string, maxBytes?: number) =>
      client.send({
        peer: 'the image store',
        maxBytes,
        followRedirects: true,
        prepare: () => ({ method: 'GET', url: new URL(path, base), headers: {} })
      })
    expect((await get('/moved')).body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]))
    const missing = await get('/nothing').catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(TagdeckError)
    expect(missing).toMatchObject({ service: { errorCode: 'ModelArts.4420', httpStatus: 404 } })
    await expect(get('/huge', 1024 * 1024)).rejects.toThrow(/too large/)
  })
})
