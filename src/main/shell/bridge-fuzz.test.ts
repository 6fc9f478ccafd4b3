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

/** Writes `chunks` on a raw connection, then waits (at most `ms`) for the server to answer or close. */
function raw(chunks: (Buffer | string)[], ms = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    let answer = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(answer)
    }
    const timer = setTimeout(done, ms)
    socket.on('data', (data) => (answer += data.toString('latin1')))
    socket.on('error', done) // the server may reset a connection it refuses
    socket.on('close', done)
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk)
    })
  })
}

const handshake = (target: string, extra = '') =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\n` +
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  `Sec-WebSocket-Version: 13\r\n${extra}\r\n`

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

describe('the bridge under hostile input', () => {
  it('a handshake whose target does not parse is refused, and the shell goes on', async () => {
    const answer = await raw([handshake('http://[')])
    expect(answer).toMatch(/^HTTP\/1\.1 400/)
    expect(await pingByPost()).toMatchObject({ ok: true, value: { nonce: 'after' } })
  })

  it('survives hundreds of malformed requests, upgrades and frames, and still answers', async () => {
    const rnd = random(20261205)
    const targets = [
      'http://[',
      '/%',
      '/%E0%A4%A',
      '//',
      '/bridge/ws?token=%ZZ',
      '*',
      'x'.repeat(9000),
      '/bridge/invoke/%E0%A4%A'
    ]
    const requests: (Buffer | string)[][] = []
    for (let i = 0; i < 120; i++) requests.push([rnd.bytes(1 + rnd.int(600))])
    for (let i = 0; i < 60; i++) {
      const method = rnd.pick(['GET', 'POST', 'PUT', 'BREW', 'G\u0000T', ''])
      const target = rnd.pick(targets)
      requests.push([
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Tagdeck-Token: ${TOKEN}\r\n` +
          `Origin: http://127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${rnd.int(40)}\r\n\r\n${rnd.bytes(rnd.int(40)).toString('latin1')}`
      ])
    }
    requests.push([
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`
    ])
    requests.push([
      'POST /bridge/invoke/app.ping HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n'
    ])
    for (const target of targets) requests.push([handshake(target)])
    for (let i = 0; i < 30; i++)
      requests.push([handshake(`/bridge/ws?token=${TOKEN}`), rnd.bytes(rnd.int(300))])
    const badFrames = [
      frame(0x3, Buffer.from('reserved opcode')),
      frame(0x1, Buffer.from([0xc3, 0x28, 0xff])), // text that is not UTF-8
      frame(0x1, Buffer.from('{"id":1,"channel":"app.ping"}'), { mask: false }),
      frame(0x2, Buffer.from('{"id":1,"channel":"app.ping","input":{"nonce":"b"}}')),
      frame(0x1, Buffer.from('x'), { length: 2 ** 40 }),
      frame(0x1, Buffer.alloc(2 * 1024 * 1024, 0x20)), // over the payload limit
      frame(0x9, Buffer.alloc(200)), // a control frame over 125 bytes
      frame(0x8, Buffer.from([0x03, 0xe7])), // close with a reserved code
      frame(0x1, Buffer.from('{"id":'), { fin: false }),
      frame(0x1, Buffer.from('[1,2,3]')),
      frame(0x1, Buffer.from('{"id":1e400,"channel":{}}'))
    ]
    for (const bad of badFrames) requests.push([handshake(`/bridge/ws?token=${TOKEN}`), bad])

    await inBatches(requests, 16, (chunks) => raw(chunks))
    expect(requests.length).toBeGreaterThan(200)
    expect(logged.length).toBeGreaterThan(50)
    expect(await pingByPost()).toMatchObject({ ok: true, value: { nonce: 'after' } })
    expect(await pingBySocket()).toMatchObject({
      id: 1,
      result: { ok: true, value: { nonce: 'ws' } }
    })
  }, 30_000)
})
