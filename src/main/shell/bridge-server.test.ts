import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startBrowserShell, type RunningShell } from './browser-shell'

// The bridge against a real built-looking renderer folder and the real core.
let dir: string
let shell: RunningShell
const TOKEN = 'test-token-0123456789abcdef'

interface Reply {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** Raw HTTP so that we control Host, Origin and Cookie exactly (fetch would not let us). */
function request(
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: string
): Promise<Reply> {
  const { port } = new URL(shell.origin)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: pathname,
        headers: { Host: `127.0.0.1:${port}`, ...headers }
      },
      (res) => {
        let data = ''
        res.on('data', (chunk: Buffer) => (data += chunk.toString()))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data })
        )
      }
    )
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

const ping = (headers: Record<string, string>) =>
  request(
    'POST',
    '/bridge/invoke/app.ping',
    { 'Content-Type': 'application/json', ...headers },
    JSON.stringify({ input: { nonce: 'abc' } })
  )

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-bridge-'))
  const renderer = path.join(dir, 'renderer')
  await mkdir(path.join(renderer, 'assets'), { recursive: true })
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Tagdeck</title>')
  await writeFile(path.join(renderer, 'assets', 'app.js'), 'console.log(1)')
  await writeFile(path.join(dir, 'secret.txt'), 'do not serve')
  shell = await startBrowserShell({
    userDataDir: path.join(dir, 'user'),
    rendererDir: renderer,
    version: '9.9.9',
    token: TOKEN
  })
})

afterAll(async () => {
  await shell.close()
  await rm(dir, { recursive: true, force: true })
})

describe('browser shell bridge', () => {
  it('prints the token only in a fragment, serves the app without it, and never sets a cookie', async () => {
    expect(shell.url).toBe(`${shell.origin}/#token=${TOKEN}`)
    for (const target of ['/', `/?token=${TOKEN}`, '/assets/app.js']) {
      const reply = await request('GET', target)
      expect(reply.status, target).toBe(200)
      expect(reply.headers['set-cookie'], target).toBeUndefined()
    }
    const page = await request('GET', '/')
    expect(page.body).toContain('<title>Tagdeck</title>')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
  })

  it('a cookie carrying the token is not a token: calls, events and images need the header or query', async () => {
    expect((await ping({ Cookie: `tagdeck_token=${TOKEN}`, Origin: shell.origin })).status).toBe(
      403
    )
    expect(
      (await request('GET', '/bridge/events', { Cookie: `tagdeck_token=${TOKEN}` })).status
    ).toBe(403)
    expect((await request('GET', '/img/c/j/s/thumb')).status).toBe(403)
    expect((await request('GET', `/img/c/j/s/thumb?token=${TOKEN}`)).status).not.toBe(403)
  })

  it('answers a call with the right token and origin', async () => {
    const reply = await ping({ 'X-Tagdeck-Token': TOKEN, Origin: shell.origin })
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({ ok: true, value: { nonce: 'abc' } })
  })

  it('refuses a call without the token', async () => {
    const reply = await ping({ Origin: shell.origin })
    expect(reply.status).toBe(403)
  })

  it('refuses a call with a wrong token, by header or query', async () => {
    expect(
      (
        await request(
          'POST',
          `/bridge/invoke/app.ping?token=${TOKEN.slice(0, -1)}x`,
          { 'Content-Type': 'application/json', Origin: shell.origin },
          '{"input":{"nonce":"abc"}}'
        )
      ).status
    ).toBe(403)
    expect(
      (await ping({ 'X-Tagdeck-Token': TOKEN.slice(0, -1) + 'x', Origin: shell.origin })).status
    ).toBe(403)
  })

  it('refuses a call from another origin even with the token', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      'http://localhost:1',
      shell.origin.replace('127.0.0.1', 'localhost')
    ]) {
      const reply = await ping({ 'X-Tagdeck-Token': TOKEN, Origin: origin })
      expect(reply.status, origin).toBe(403)
    }
    expect((await ping({ 'X-Tagdeck-Token': TOKEN })).status).toBe(403) // no Origin at all
  })

  it('refuses a request naming another host (DNS rebinding)', async () => {
    const reply = await ping({
      'X-Tagdeck-Token': TOKEN,
      Origin: shell.origin,
      Host: 'evil.example'
    })
    expect(reply.status).toBe(421)
  })

  it('refuses cross-site subresource requests', async () => {
    const reply = await request('GET', '/assets/app.js', {
      'X-Tagdeck-Token': TOKEN,
      'Sec-Fetch-Site': 'cross-site'
    })
    expect(reply.status).toBe(403)
  })

  it('does not serve files outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const reply = await request('GET', p, { 'X-Tagdeck-Token': TOKEN })
      expect(reply.status, p).toBe(404)
      expect(reply.body).not.toContain('do not serve')
    }
  })

  it('answers bad bodies with clear statuses', async () => {
    const headers = {
      'X-Tagdeck-Token': TOKEN,
      Origin: shell.origin,
      'Content-Type': 'application/json'
    }
    expect((await request('POST', '/bridge/invoke/app.ping', headers, '{not json')).status).toBe(
      400
    )
    expect(
      (
        await request(
          'POST',
          '/bridge/invoke/app.ping',
          { ...headers, 'Content-Type': 'text/plain' },
          '{}'
        )
      ).status
    ).toBe(415)
    const big = await request(
      'POST',
      '/bridge/invoke/app.ping',
      headers,
      JSON.stringify({ input: 'x'.repeat(2 * 1024 * 1024) })
    ).catch(() => ({ status: 413 }))
    expect(big.status).toBe(413)
    const unknown = await request('POST', '/bridge/invoke/fs.read', headers, '{}')
    expect(JSON.parse(unknown.body)).toMatchObject({
      ok: false,
      error: { code: 'unknown_channel' }
    })
  })

  it('streams events to a subscriber over SSE', async () => {
    const { port } = new URL(shell.origin)
    const received = new Promise<string>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port,
          path: '/bridge/events',
          headers: { Host: `127.0.0.1:${port}`, 'X-Tagdeck-Token': TOKEN }
        },
        (res) => {
          let data = ''
          res.on('data', (chunk: Buffer) => {
            data += chunk.toString()
            if (data.includes('event: hello')) {
              shell.core.events.emit('connectivity', {
                connectionId: 'c1',
                state: 'offline',
                since: 5,
                lastError: null
              })
            }
            if (data.includes('event: connectivity')) {
              req.destroy()
              resolve(data)
            }
          })
        }
      )
      req.on('error', reject)
    })
    expect(await received).toContain('"state":"offline"')
  })

  describe('calls over the WebSocket', () => {
    const socketUrl = (token: string | null) =>
      `${shell.origin.replace('http:', 'ws:')}/bridge/ws${token === null ? '' : `?token=${token}`}`

    /** Opens the socket as a page would (the token as a query parameter); the refusal, or it. */
    function connect(
      token: string | null,
      headers: Record<string, string> = {},
      origin = shell.origin
    ) {
      return new Promise<WebSocket | number>((resolve, reject) => {
        const ws = new WebSocket(socketUrl(token), { headers, origin })
        ws.once('open', () => resolve(ws))
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.once('error', reject)
      })
    }

    function exchange(ws: WebSocket, frames: string[]): Promise<unknown[]> {
      return new Promise((resolve) => {
        const answers: unknown[] = []
        ws.on('message', (data) => {
          answers.push(JSON.parse(data.toString()))
          if (answers.length === frames.length) resolve(answers)
        })
        for (const frame of frames) ws.send(frame)
      })
    }

    it('answers each call by its id, with the same results as IPC', async () => {
      const ws = await connect(TOKEN)
      if (typeof ws === 'number') throw new Error(`refused with ${ws}`)
      try {
        const answers = await exchange(ws, [
          JSON.stringify({ id: 7, channel: 'app.ping', input: { nonce: 'abc' } }),
          JSON.stringify({ id: 8, channel: 'app.ping', input: { nonce: 42 } }),
          JSON.stringify({ id: 9, channel: 'fs.read', input: {} }),
          '{not json',
          JSON.stringify({ id: 'x', channel: 'app.ping' })
        ])
        const byId = new Map(answers.map((a) => [(a as { id: unknown }).id, a]))
        expect(byId.get(7)).toMatchObject({ result: { ok: true, value: { nonce: 'abc' } } })
        expect(byId.get(8)).toMatchObject({
          result: { ok: false, error: { code: 'invalid_input' } }
        })
        expect(byId.get(9)).toMatchObject({
          result: { ok: false, error: { code: 'unknown_channel' } }
        })
        const unreadable = answers.filter((a) => (a as { id: unknown }).id === null)
        expect(unreadable).toHaveLength(2)
        expect(unreadable[0]).toMatchObject({
          result: {
            ok: false,
            error: { code: 'invalid_input', message: expect.stringMatching(/"channel"/) }
          }
        })
      } finally {
        ws.close()
      }
    })

    it('refuses a handshake without the token, from another origin or for another host', async () => {
      expect(await connect(null)).toBe(403)
      expect(await connect('wrong')).toBe(403)
      expect(await connect(null, { Cookie: `tagdeck_token=${TOKEN}` })).toBe(403)
      expect(await connect(TOKEN, {}, 'http://evil.example')).toBe(403)
      expect(await connect(TOKEN, { Host: 'evil.example' })).toBe(421)
    })
  })
})
