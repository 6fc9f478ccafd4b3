import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../testing/clock'
import type { UpdateState } from '../../shared/updates'
import type { SyncActivity, UpdaterAdapter, UpdaterEvent } from './adapter'
import { CHECK_EVERY_MS, FIRST_CHECK_MS, UpdateController } from './controller'
import { createUpdateController } from './create'
import { hasReleaseFeed } from './feed'

/** electron-updater's part, played by hand: counts checks and installs, reports what it is told. */
class FakeUpdater implements UpdaterAdapter {
  checks = 0
  installs = 0
  /** What the next check finds: a version (downloaded at once), nothing, or a failure. */
  next: { version: string } | 'nothing' | Error = 'nothing'
  private listener: ((event: UpdaterEvent) => void) | null = null

  async check(): Promise<void> {
    this.checks++
    const next = this.next
    if (next instanceof Error) throw next
    if (next === 'nothing') return this.report({ kind: 'not-available' })
    this.report({ kind: 'available', version: next.version })
    this.report({ kind: 'progress', percent: 50 })
    this.report({ kind: 'downloaded', version: next.version })
  }
  quitAndInstall(): void {
    this.installs++
  }
  subscribe(listener: (event: UpdaterEvent) => void): () => void {
    this.listener = listener
    return () => (this.listener = null)
  }
  report(event: UpdaterEvent): void {
    this.listener?.(event)
  }
}

function setup(options: { feed?: boolean } = {}) {
  const clock = new ManualClock(0)
  const updater = new FakeUpdater()
  const activity: SyncActivity = { reported: true, pendingDeletions: 0, syncing: false }
  const states: UpdateState[] = []
  let made = 0
  const controller = createUpdateController({
    feed: options.feed ?? true,
    adapter: () => {
      made++
      return updater
    },
    activity: () => activity,
    emit: (state) => states.push(state),
    clock
  })
  return { clock, updater, activity, states, controller, made: () => made }
}

/** Enabled, a check made, and version 0.2.0 downloaded and waiting for the user. */
async function downloaded(world: ReturnType<typeof setup>): Promise<void> {
  world.updater.next = { version: '0.2.0' }
  world.controller.setEnabled(true)
  await world.clock.advance(FIRST_CHECK_MS)
  expect(world.controller.state()).toEqual({ phase: 'ready', version: '0.2.0', declined: false })
}

describe('UpdateController', () => {
  it('without a feed, never makes an updater nor checks, whatever the setting', async () => {
    const world = setup({ feed: false })
    expect(world.controller.setEnabled(true)).toEqual({ phase: 'unavailable' })
    await world.clock.advance(10 * CHECK_EVERY_MS)
    await world.controller.checkNow()
    expect(world.made()).toBe(0)
    expect(world.updater.checks).toBe(0)
    expect(world.controller.state()).toEqual({ phase: 'unavailable' })
  })

  it('with the setting off (or not yet reported), never checks', async () => {
    const world = setup()
    expect(world.controller.state()).toEqual({ phase: 'off' })
    await world.clock.advance(10 * CHECK_EVERY_MS)
    world.controller.setEnabled(false)
    await world.clock.advance(10 * CHECK_EVERY_MS)
    await world.controller.checkNow()
    expect(world.updater.checks).toBe(0)
  })

  it('with the setting on, checks a minute later and then every few hours; off stops it', async () => {
    const world = setup()
    world.controller.setEnabled(true)
    await world.clock.advance(FIRST_CHECK_MS - 1)
    expect(world.updater.checks).toBe(0)
    await world.clock.advance(1)
    expect(world.updater.checks).toBe(1)
    expect(world.controller.state()).toEqual({ phase: 'idle', checkedAt: FIRST_CHECK_MS })
    await world.clock.advance(CHECK_EVERY_MS)
    expect(world.updater.checks).toBe(2)
    world.controller.setEnabled(false)
    await world.clock.advance(10 * CHECK_EVERY_MS)
    expect(world.updater.checks).toBe(2)
    expect(world.controller.state()).toEqual({ phase: 'off' })
  })

  it('a download is offered, never installed by itself', async () => {
    const world = setup()
    await downloaded(world)
    expect(world.states.map((s) => s.phase)).toEqual([
      'idle',
      'checking',
      'downloading',
      'downloading',
      'ready'
    ])
    await world.clock.advance(10 * CHECK_EVERY_MS)
    expect(world.updater.installs).toBe(0)
    // No more checks while a release waits for the user.
    expect(world.updater.checks).toBe(1)
  })

  it('the user says install with the outbox idle: installs at once', async () => {
    const world = setup()
    await downloaded(world)
    expect(world.controller.respond(true)).toEqual({ phase: 'installing', version: '0.2.0' })
    expect(world.updater.installs).toBe(1)
  })

  it('the user declines: not installed, now or when the sync goes idle; can still say yes later', async () => {
    const world = setup()
    await downloaded(world)
    expect(world.controller.respond(false)).toEqual({
      phase: 'ready',
      version: '0.2.0',
      declined: true
    })
    world.activity.pendingDeletions = 3
    world.controller.activityChanged()
    world.activity.pendingDeletions = 0
    world.controller.activityChanged()
    await world.clock.advance(10 * CHECK_EVERY_MS)
    expect(world.updater.installs).toBe(0)
    world.controller.respond(true)
    expect(world.updater.installs).toBe(1)
  })

  it('deletions pending or a sync running: the install waits until the outbox is idle', async () => {
    const world = setup()
    await downloaded(world)
    world.activity.pendingDeletions = 14
    expect(world.controller.respond(true)).toEqual({
      phase: 'waiting',
      version: '0.2.0',
      pendingDeletions: 14,
      syncing: false
    })
    // Sending: nothing pending to queue any more, but the sync still runs.
    world.activity.pendingDeletions = 0
    world.activity.syncing = true
    world.controller.activityChanged()
    expect(world.controller.state()).toMatchObject({ phase: 'waiting', syncing: true })
    expect(world.updater.installs).toBe(0)
    world.activity.syncing = false
    world.controller.activityChanged()
    expect(world.controller.state()).toEqual({ phase: 'installing', version: '0.2.0' })
    expect(world.updater.installs).toBe(1)
    world.controller.activityChanged()
    expect(world.updater.installs).toBe(1)
  })

  it('an install that waits can be put off: nothing installs when the sync ends', async () => {
    const world = setup()
    await downloaded(world)
    world.activity.pendingDeletions = 5
    world.controller.respond(true)
    expect(world.controller.respond(false)).toEqual({
      phase: 'ready',
      version: '0.2.0',
      declined: true
    })
    world.activity.pendingDeletions = 0
    world.controller.activityChanged()
    expect(world.updater.installs).toBe(0)
  })

  it('an outbox never reported counts as busy', async () => {
    const world = setup()
    world.activity.reported = false
    await downloaded(world)
    expect(world.controller.respond(true)).toMatchObject({ phase: 'waiting' })
    expect(world.updater.installs).toBe(0)
    world.activity.reported = true
    world.controller.activityChanged()
    expect(world.updater.installs).toBe(1)
  })

  it('turned off while an install waits for the sync: it never happens', async () => {
    const world = setup()
    await downloaded(world)
    world.activity.syncing = true
    world.controller.respond(true)
    world.controller.setEnabled(false)
    world.activity.syncing = false
    world.controller.activityChanged()
    expect(world.updater.installs).toBe(0)
    expect(world.controller.state()).toEqual({ phase: 'off' })
  })

  it('a failed check says why, and the next one tries again', async () => {
    const world = setup()
    world.updater.next = new Error('net::ERR_INTERNET_DISCONNECTED')
    world.controller.setEnabled(true)
    await world.clock.advance(FIRST_CHECK_MS)
    expect(world.controller.state()).toEqual({
      phase: 'error',
      message: 'net::ERR_INTERNET_DISCONNECTED'
    })
    world.updater.next = 'nothing'
    await world.clock.advance(CHECK_EVERY_MS)
    expect(world.updater.checks).toBe(2)
    expect(world.controller.state()).toMatchObject({ phase: 'idle' })
  })

  it('an answer with nothing downloaded does nothing', () => {
    const world = setup()
    world.controller.setEnabled(true)
    expect(world.controller.respond(true)).toEqual({ phase: 'idle', checkedAt: null })
    expect(world.updater.installs).toBe(0)
  })

  it('a bare controller without an adapter is unavailable', () => {
    const controller = new UpdateController({
      adapter: null,
      activity: () => ({ reported: true, pendingDeletions: 0, syncing: false }),
      emit: () => {}
    })
    expect(controller.setEnabled(true)).toEqual({ phase: 'unavailable' })
  })
})

describe('hasReleaseFeed', () => {
  const withFeed = (file: string) => file.endsWith('app-update.yml')
  it('is true only for a packaged build with app-update.yml beside app.asar', () => {
    expect(
      hasReleaseFeed({ isPackaged: true, resourcesPath: '/opt/T/resources', exists: withFeed })
    ).toBe(true)
    expect(hasReleaseFeed({ isPackaged: false, resourcesPath: '/src', exists: withFeed })).toBe(
      false
    )
    expect(
      hasReleaseFeed({ isPackaged: true, resourcesPath: '/opt/T/resources', exists: () => false })
    ).toBe(false)
  })
})
