import { describe, expect, it } from 'vitest'
import { IpcRouter } from '../ipc/router'
import { EventHub } from '../ipc/events'
import type { UpdaterAdapter, UpdaterEvent } from '../updater/adapter'
import { createUpdateController } from '../updater/create'
import { addUpdateHandlers } from './updates'

const origin = { origin: 'app://tagdeck' }

function world(feed: boolean) {
  let listener: ((event: UpdaterEvent) => void) | null = null
  const installs: string[] = []
  const adapter: UpdaterAdapter = {
    check: async () => listener?.({ kind: 'downloaded', version: '9.9.9' }),
    quitAndInstall: () => installs.push('install'),
    subscribe: (l) => {
      listener = l
      return () => (listener = null)
    }
  }
  const events = new EventHub()
  const seen: unknown[] = []
  events.subscribe((name, payload) => seen.push([name, payload]))
  const activity = { reported: true, pendingDeletions: 2, syncing: false }
  const updates = createUpdateController({
    feed,
    adapter: () => adapter,
    activity: () => activity,
    emit: (state) => events.emit('updates.state', state)
  })
  const router = new IpcRouter((o) => o === origin.origin)
  addUpdateHandlers(router, updates)
  return { router, updates, installs, seen, activity }
}

describe('update handlers', () => {
  it('answer unavailable, whatever is asked, in a build without a feed', async () => {
    const { router, installs } = world(false)
    expect(await router.dispatch('updates.configure', { enabled: true }, origin)).toEqual({
      ok: true,
      value: { phase: 'unavailable' }
    })
    expect(await router.dispatch('updates.respond', { install: true }, origin)).toEqual({
      ok: true,
      value: { phase: 'unavailable' }
    })
    expect(installs).toEqual([])
  })

  it('validate their input and push every state as an event', async () => {
    const { router, updates, seen, installs, activity } = world(true)
    expect(await router.dispatch('updates.configure', { enabled: 'yes' }, origin)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' }
    })
    await router.dispatch('updates.configure', { enabled: true }, origin)
    await updates.checkNow()
    expect(await router.dispatch('updates.state', undefined, origin)).toEqual({
      ok: true,
      value: { phase: 'ready', version: '9.9.9', declined: false }
    })
    expect(await router.dispatch('updates.respond', { install: true }, origin)).toEqual({
      ok: true,
      value: { phase: 'waiting', version: '9.9.9', pendingDeletions: 2, syncing: false }
    })
    activity.pendingDeletions = 0
    updates.activityChanged()
    expect(installs).toEqual(['install'])
    expect(seen.at(-1)).toEqual(['updates.state', { phase: 'installing', version: '9.9.9' }])
  })
})
