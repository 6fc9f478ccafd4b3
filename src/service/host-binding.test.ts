import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signHeaders } from './signer'
import { ErrorBody, rawCall, startWorld, type World } from '../../testing/service-world'

// A signature binds a request to the host it was signed for: one signed for another server
// (captured there, replayed here) is refused, while every name this service answers to works.

/** Signs a ListDatasets request for `signedFor` and sends it, Host and all, to `world`. */
async function replay(world: World, signedFor: string) {
  const url = new URL(world.v2('/datasets'), signedFor)
  const headers = signHeaders({
    method: 'GET',
    url,
    headers: { 'Content-Type': 'application/json' },
    body: '',
    ak: world.demo.ak,
    sk: world.demo.sk,
    date: Date.now()
  })
  return rawCall(world.service.url, { target: url.pathname, headers })
}

function expectHostRefused(answer: Awaited<ReturnType<typeof replay>>, signedHost: string) {
  expect(answer.status).toBe(401)
  const body = ErrorBody.parse(answer.json)
  expect(body.error_code).toBe('APIG.0301')
  expect(body.error_msg).toContain(`signed for host ${signedHost}`)
  expect(body.error_msg).toMatch(/not a host this service answers to/)
}

describe('bound to 127.0.0.1', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld({ demoSize: 3 })
  })
  afterAll(async () => {
    await world?.close()
  })

  it('refuses a request signed for another server and replayed here', async () => {
    expectHostRefused(await replay(world, 'http://evil:9999'), 'evil:9999')
  })

  it('refuses our own address on another port, and another loopback address', async () => {
    const other = world.service.port === 1 ? 2 : world.service.port - 1
    expectHostRefused(await replay(world, `http://127.0.0.1:${other}`), `127.0.0.1:${other}`)
    const port = world.service.port
    expectHostRefused(await replay(world, `http://127.0.0.9:${port}`), `127.0.0.9:${port}`)
  })

  it('accepts the address it listens on, and localhost', async () => {
    const port = world.service.port
    for (const base of [`http://127.0.0.1:${port}`, `http://localhost:${port}`])
      expect([base, (await replay(world, base)).status]).toEqual([base, 200])
  })

  it('does not bind tokens to a host (a token is not a signature of one request)', async () => {
    const answer = await rawCall(world.service.url, {
      target: world.v2('/datasets'),
      headers: { Host: 'evil:9999', 'X-Auth-Token': await world.token() }
    })
    expect(answer.status).toBe(200)
  })
})

describe('with --public-url', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld({ demoSize: 3, publicUrl: 'https://tagdeck.example.org/' })
  })
  afterAll(async () => {
    await world?.close()
  })

  it('accepts the public host (default port or spelled out) and the listening address', async () => {
    expect((await replay(world, 'https://tagdeck.example.org')).status).toBe(200)
    expect((await replay(world, 'http://tagdeck.example.org:443')).status).toBe(200)
    expect((await replay(world, world.service.url)).status).toBe(200)
  })

  it('refuses another host, and the public name on another port', async () => {
    expectHostRefused(await replay(world, 'http://evil:9999'), 'evil:9999')
    expectHostRefused(
      await replay(world, 'https://tagdeck.example.org:8443'),
      'tagdeck.example.org:8443'
    )
  })
})

describe('bound to every address (0.0.0.0)', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld({ demoSize: 3, host: '0.0.0.0' })
  })
  afterAll(async () => {
    await world?.close()
  })

  it("accepts the machine's own names and addresses on our port", async () => {
    const port = world.service.port
    for (const host of ['127.0.0.1', 'localhost', hostname(), `${hostname()}.local`])
      expect([host, (await replay(world, `http://${host}:${port}`)).status]).toEqual([host, 200])
  })

  it('refuses a foreign name even on our port (a listener elsewhere on the same port)', async () => {
    const port = world.service.port
    expectHostRefused(await replay(world, `http://evil:${port}`), `evil:${port}`)
    expectHostRefused(await replay(world, `http://192.0.2.1:${port}`), `192.0.2.1:${port}`)
  })
})
