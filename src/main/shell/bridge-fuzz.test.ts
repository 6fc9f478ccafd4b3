import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createMainCore, type MainCore } from '../core'
import { startBridge, type RunningBridge } from './bridge-server'

// Random and malformed requests, upgrades and WebSocket frames over loopback, a few hundred of
// them, bounded in time: the bridge answers or closes each one, logs it, and keeps serving.
const TOKEN = 'fuzz-token-0123456789abcdef'
let dir: string
let core: MainCore
let bridge: RunningBridge
let port: number
const logged: string[] = []

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
  return {
    int: (n: number) => Math.floor(next() * n),
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]
  }
}

interface RawAnswer {
  /** What the server wrote, as latin1. */
  text: string
  /** Whether the server ended or reset the connection (rather than our waiting running out). */
  closed: boolean
}

/** Writes `chunks` on a raw connection, then waits (at most `ms`) for the server to close it. */
function raw(chunks: (Buffer | string)[], ms = 300): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    const done = (closed: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ text, closed })
    }
    const timer = setTimeout(() => done(false), ms)
    socket.on('data', (data) => (text += data.toString('latin1')))
    socket.on('error', () => done(true)) // the server may reset a connection it refuses
    socket.on('close', () => done(true))
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
    })
  })
}

/** A WebSocket handshake as the page sends it, with the token (also as a header, which the
 * bridge has always taken: so the frames that follow reach an open socket on any version). */
const handshake = (target: string) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  `Sec-WebSocket-Version: 13\r\nX-Tagdeck-Token: ${TOKEN}\r\n\r\n`
const OPENED = /^HTTP\/1\.1 101 /

/** A client frame: masked unless told otherwise, with an optional lying length. */
function frame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; mask?: boolean; length?: number } = {}
) {
  const { fin = true, mask = true } = options
  const length = options.length ?? payload.length
  const head: number[] = [(fin ? 0x80 : 0) | opcode]
  const m = mask ? 0x80 : 0
  if (length < 126) head.push(m | length)
  else if (length < 65536) head.push(m | 126, length >> 8, length & 255)
  else {
    head.push(m | 127)
    const big = Buffer.alloc(8)
    big.writeBigUInt64BE(BigInt(length))
    head.push(...big)
  }
  const key = Buffer.from([1, 2, 3, 4])
  const body = mask ? Buffer.from(payload.map((b, i) => b ^ key[i % 4])) : payload
  return Buffer.concat([Buffer.from(head), mask ? key : Buffer.alloc(0), body])
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run))
}

async function pingByPost(): Promise<unknown> {
  const response = await fetch(`${bridge.origin}/bridge/invoke/app.ping`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Tagdeck-Token': TOKEN,
      Origin: bridge.origin
    },
    body: JSON.stringify({ input: { nonce: 'after' } })
  })
  return response.json()
}

function pingBySocket(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${bridge.origin.replace('http:', 'ws:')}/bridge/ws?token=${TOKEN}`, {
      origin: bridge.origin
    })
    ws.once('open', () =>
      ws.send(JSON.stringify({ id: 1, channel: 'app.ping', input: { nonce: 'ws' } }))
    )
    ws.once('message', (data) => {
      ws.close()
      resolve(JSON.parse(data.toString()))
    })
    ws.once('error', reject)
  })
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-fuzz-'))
  const renderer = path.join(dir, 'renderer')
  await mkdir(renderer, { recursive: true })
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Tagdeck</title>')
  core = await createMainCore({
    version: '0.0.0-fuzz',
    shell: 'browser',
    userDataDir: path.join(dir, 'user'),
    demoFile: null,
    trustedOrigin: (origin) => origin === bridge?.origin
  })
  bridge = await startBridge({
    core,
    rendererDir: renderer,
    token: TOKEN,
    log: (message) => logged.push(message)
  })
  port = Number(new URL(bridge.origin).port)
})

afterAll(async () => {
  await bridge?.close()
  await core?.close()
  await rm(dir, { recursive: true, force: true })
})

/** Frames an authorised page could send that are not calls, or not valid WebSocket at all. */
const BAD_FRAMES: Record<string, Buffer> = {
  'a reserved opcode': frame(0x3, Buffer.from('reserved opcode')),
  'text that is not UTF-8': frame(0x1, Buffer.from([0xc3, 0x28, 0xff])),
  'an unmasked client frame': frame(0x1, Buffer.from('{"id":1,"channel":"app.ping"}'), {
    mask: false
  }),
  'a length of 2^40 bytes': frame(0x1, Buffer.from('x'), { length: 2 ** 40 }),
  'a payload over the limit': frame(0x1, Buffer.alloc(2 * 1024 * 1024, 0x20)),
  'a control frame over 125 bytes': frame(0x9, Buffer.alloc(200)),
  'a close with a reserved code': frame(0x8, Buffer.from([0x03, 0xe7])),
  'a fragmented control frame': frame(0x9, Buffer.from('ping'), { fin: false }),
  'a continuation with nothing to continue': frame(0x0, Buffer.from('{}'))
}

describe('the bridge under hostile input', () => {
  it('a handshake whose target does not parse is refused, and the shell goes on', async () => {
    const answer = await raw([handshake('http://[')])
    expect(answer.text).toMatch(/^HTTP\/1\.1 400/)
    expect(answer.closed).toBe(true)
    expect(logged.join('\n')).toContain('WebSocket handshake refused (400')
    expect(await pingByPost()).toMatchObject({ ok: true, value: { nonce: 'after' } })
  })

  it('a bad frame from an authorised page closes that one socket, is logged, and the shell goes on', async () => {
    for (const [what, bad] of Object.entries(BAD_FRAMES)) {
      logged.length = 0
      const answer = await raw([handshake(`/bridge/ws?token=${TOKEN}`), bad], 2000)
      expect(answer.text, what).toMatch(OPENED)
      expect(answer.closed, `${what}: the socket stays open`).toBe(true)
      expect(logged.join('\n'), what).toContain('WebSocket closed after an error')
    }
    expect(await pingBySocket()).toMatchObject({ id: 1, result: { ok: true } })
  })

  it('answers frames that are not calls by name, on a socket that stays open', async () => {
    const notCalls = [
      frame(0x2, Buffer.from('{"id":1,"channel":"app.ping","input":{"nonce":"b"}}')), // binary
      frame(0x1, Buffer.from('[1,2,3]')),
      frame(0x1, Buffer.from('{"id":1e400,"channel":{}}')),
      frame(0x1, Buffer.from('{"id":'))
    ]
    const answer = await raw([handshake(`/bridge/ws?token=${TOKEN}`), ...notCalls], 500)
    expect(answer.closed).toBe(false)
    expect(answer.text.match(/A call is \{\\"id\\"/g)).toHaveLength(notCalls.length)
  })

  it('survives hundreds of malformed requests, upgrades and frames, and still answers', async () => {
    const started = performance.now()
    const rnd = random(20261205)
    const targets = [
      'http://[',
      '/%',
      '/%E0%A4%A',
      '//',
      '/bridge/ws?token=%ZZ',
      '*',
      'x'.repeat(9000),
      '/bridge/invoke/%E0%A4%A',
      '/img/%E0%A4%A?token=' + TOKEN,
      '/bridge/events?token=' + TOKEN + '&token=x'
    ]
    const requests: (Buffer | string)[][] = []
    // Random bytes, random methods and targets with random bodies, some with the token.
    for (let i = 0; i < 120; i++) requests.push([rnd.bytes(1 + rnd.int(600))])
    for (let i = 0; i < 80; i++) {
      const method = rnd.pick(['GET', 'POST', 'PUT', 'HEAD', 'BREW', 'G\u0000T', ''])
      const target = rnd.pick(targets)
      requests.push([
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Tagdeck-Token: ${TOKEN}\r\n` +
          `Origin: http://127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${rnd.int(40)}\r\n\r\n${rnd.bytes(rnd.int(40)).toString('latin1')}`
      ])
    }
    // An oversized head, a broken chunked body, a head cut in the middle.
    requests.push([
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`
    ])
    requests.push([
      'POST /bridge/invoke/app.ping HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n'
    ])
    requests.push([`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Half`])
    // Upgrades to every target, then open sockets fed random bytes and every bad frame.
    for (const target of targets) requests.push([handshake(target)])
    for (let i = 0; i < 40; i++)
      requests.push([handshake(`/bridge/ws?token=${TOKEN}`), rnd.bytes(rnd.int(300))])
    for (const bad of Object.values(BAD_FRAMES))
      requests.push([handshake(`/bridge/ws?token=${TOKEN}`), bad])
    // Valid frames cut short, then the connection dropped mid-frame.
    for (let i = 0; i < 20; i++) {
      const whole = frame(0x1, Buffer.from('{"id":1,"channel":"app.ping","input":{}}'))
      requests.push([
        handshake(`/bridge/ws?token=${TOKEN}`),
        whole.subarray(0, rnd.int(whole.length))
      ])
    }

    await inBatches(requests, 16, (chunks) => raw(chunks))
    expect(requests.length).toBeGreaterThan(250)
    expect(logged.length).toBeGreaterThan(50)
    expect(await pingByPost()).toMatchObject({ ok: true, value: { nonce: 'after' } })
    expect(await pingBySocket()).toMatchObject({
      id: 1,
      result: { ok: true, value: { nonce: 'ws' } }
    })
    expect(performance.now() - started).toBeLessThan(15_000)
  }, 30_000)
})
