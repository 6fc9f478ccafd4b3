import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionProfile } from '../../shared/domain'
import { createMainCore, type MainCore } from '../core'
import { startServiceWorld, type ServiceWorld } from '../../../testing/local-service'

// A saved secret goes only where it was entered: an edit that points a saved profile somewhere
// else (a listener here) sends it nowhere, whichever channel is asked.
const ORIGIN = 'app://tagdeck'
let world: ServiceWorld
let userData: string
let core: MainCore
let listener: Server
let listenerUrl: string
const heard: {
  method?: string
  url?: string
  headers: IncomingMessage['headers']
  body: string
}[] = []

async function call(channel: string, input?: unknown) {
  return core.router.dispatch(channel, input, { origin: ORIGIN })
}

async function saved(input: unknown): Promise<ConnectionProfile> {
  const result = await call('connections.save', input)
  if (!result.ok) throw new Error(JSON.stringify(result.error))
  return result.value as ConnectionProfile
}

/** Everything the listener heard, as one string: no secret may be in it. */
const transcript = () => JSON.stringify(heard)

beforeAll(async () => {
  world = await startServiceWorld({ demoSize: 10 })
  userData = await mkdtemp(path.join(tmpdir(), 'tagdeck-binding-'))
  core = await createMainCore({
    version: '0.0.0-test',
    shell: 'browser',
    userDataDir: userData,
    trustedOrigin: (origin) => origin === ORIGIN,
    demoFile: null,
    net: { sleep: async () => {} }
  })
  listener = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      heard.push({ method: req.method, url: req.url, headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"datasets":[],"total_number":0}')
    })
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
})
afterAll(async () => {
  await core?.close()
  await new Promise((resolve) => listener?.close(resolve))
  await world?.dispose()
  if (userData) await rm(userData, { recursive: true, force: true })
})

describe('a saved secret is bound to where it was entered', () => {
  it('an IAM password never reaches a new endpoint or IAM URL, by test or by save', async () => {
    const { password } = world.service.demo
    const profile = await saved({ ...world.passwordProfile, secret: password })
    const { id: _id, hasSecret: _h, secretKeeping: _k, ...form } = profile
    heard.length = 0
    const moved = [
      { ...form, id: profile.id, target: { kind: 'endpoint', url: listenerUrl } },
      {
        ...form,
        id: profile.id,
        auth: { ...world.passwordProfile.auth, iamUrl: `${listenerUrl}/v3` }
      }
    ]
    for (const edit of moved) {
      await call('connections.test', edit)
      const save = await call('connections.save', edit)
      expect(save.ok).toBe(false)
      if (!save.ok) expect(save.error.message).toMatch(/enter .* again/i)
    }
    expect(transcript()).not.toContain(password)
    expect(heard.filter((h) => h.headers['x-auth-token'] || h.headers.authorization)).toEqual([])

    // Nothing was lost: the saved profile still signs in where it was entered.
    const verdict = await call('connections.test', { id: profile.id })
    expect(verdict).toMatchObject({ ok: true, value: { authOk: true } })
  })

  it('no request signed with a saved SK reaches a new endpoint', async () => {
    const profile = await saved({ ...world.akskProfile, secret: world.service.demo.sk })
    const { id: _id, hasSecret: _h, secretKeeping: _k, ...form } = profile
    heard.length = 0
    const edit = { ...form, id: profile.id, target: { kind: 'endpoint', url: listenerUrl } }
    await call('connections.test', edit)
    const save = await call('connections.save', edit)
    expect(save.ok).toBe(false)
    expect(heard.filter((h) => h.headers.authorization)).toEqual([])
    expect(transcript()).not.toContain(world.service.demo.sk)
    expect((await call('connections.list')).ok).toBe(true)

    // The same place with the secret typed again is a normal edit.
    const retyped = await saved({ ...edit, secret: world.service.demo.sk })
    expect(retyped).toMatchObject({ hasSecret: true, target: { url: listenerUrl } })
  })
})
