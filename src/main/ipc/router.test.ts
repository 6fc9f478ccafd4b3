import { describe, expect, it } from 'vitest'
import { IpcRouter } from './router'
import { TagdeckError } from '../../shared/errors'

const trusted = (origin: string) => origin === 'app://tagdeck'

function router() {
  const r = new IpcRouter(trusted)
  r.addHandler('app.ping', ({ nonce }) => ({ nonce, receivedAt: 1 }))
  r.addHandler('app.version', () => ({
    version: '1.0.0',
    shell: 'browser' as const,
    platform: 'linux'
  }))
  r.addHandler('jobs.list', () => {
    throw new TagdeckError({ code: 'network', message: 'Service unreachable' })
  })
  r.addHandler('jobs.get', () => {
    throw new Error('boom')
  })
  // Returns something the contract forbids: main's own bug must not reach the renderer as data.
  r.addHandler(
    'images.cacheInfo',
    () => ({ bytes: 'lots' }) as unknown as { bytes: number; entries: number; capBytes: number }
  )
  return r
}

describe('IpcRouter', () => {
  it('runs a handler with parsed input', async () => {
    expect(
      await router().dispatch('app.ping', { nonce: 'n1' }, { origin: 'app://tagdeck' })
    ).toEqual({
      ok: true,
      value: { nonce: 'n1', receivedAt: 1 }
    })
  })

  it('refuses calls from an untrusted origin before parsing', async () => {
    const result = await router().dispatch(
      'app.ping',
      { nonce: 'n1' },
      { origin: 'https://evil.example' }
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } })
  })

  it.each([[{ nonce: 42 }], [{}], [null], ['n1'], [{ nonce: 'x'.repeat(65) }], [{ nonce: '' }]])(
    'answers a bad payload %j with invalid_input and the issues',
    async (input) => {
      const result = await router().dispatch('app.ping', input, { origin: 'app://tagdeck' })
      expect(result.ok).toBe(false)
      if (!result.ok) {
        expect(result.error.code).toBe('invalid_input')
        expect(result.error.issues?.length).toBeGreaterThan(0)
      }
    }
  )

  it('refuses input on a channel that takes none', async () => {
    const result = await router().dispatch(
      'app.version',
      { sneaky: true },
      { origin: 'app://tagdeck' }
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('answers an unknown channel', async () => {
    const result = await router().dispatch('fs.readFile', '/etc/passwd', {
      origin: 'app://tagdeck'
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
  })

  it('passes typed errors through and wraps unexpected ones', async () => {
    const r = router()
    expect(
      await r.dispatch('jobs.list', { connectionId: 'c1' }, { origin: 'app://tagdeck' })
    ).toEqual({
      ok: false,
      error: { code: 'network', message: 'Service unreachable' }
    })
    expect(
      await r.dispatch('jobs.get', { connectionId: 'c1', jobId: 'j1' }, { origin: 'app://tagdeck' })
    ).toMatchObject({
      ok: false,
      error: { code: 'internal', message: 'boom' }
    })
  })

  it('checks what a handler returns', async () => {
    const result = await router().dispatch('images.cacheInfo', undefined, {
      origin: 'app://tagdeck'
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } })
  })

  it('refuses a second handler for the same channel', () => {
    const r = router()
    expect(() => r.addHandler('app.ping', ({ nonce }) => ({ nonce, receivedAt: 2 }))).toThrow(
      /twice/
    )
  })
})
