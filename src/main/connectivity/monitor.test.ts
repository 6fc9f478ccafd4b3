import { describe, expect, it } from 'vitest'
import type { Connectivity } from '../../shared/domain'
import { ManualClock } from '../../../testing/clock'
import { ConnectivityMonitor } from './monitor'

function setup(options: { osOnline?: () => boolean } = {}) {
  const clock = new ManualClock()
  const events: Connectivity[] = []
  const monitor = new ConnectivityMonitor({
    emit: (e) => events.push(e),
    clock,
    random: () => 1,
    minProbeMs: 1000,
    maxProbeMs: 8000,
    heartbeatMs: 60_000,
    ...options
  })
  let up = false
  let probes = 0
  const probe = async () => {
    probes++
    if (!up) throw new Error('ECONNREFUSED')
  }
  return {
    clock,
    events,
    monitor,
    probe,
    setUp: (value: boolean) => void (up = value),
    probes: () => probes
  }
}

describe('ConnectivityMonitor', () => {
  it('starts unknown, probes at once, and backs off exponentially while offline', async () => {
    const t = setup()
    t.monitor.track('c1', t.probe)
    expect(t.monitor.get('c1')?.state).toBe('unknown')
    await t.clock.advance(0)
    expect(t.events).toEqual([
      { connectionId: 'c1', state: 'offline', since: 1_000_000, lastError: 'ECONNREFUSED' }
    ])
    const gaps: (number | null)[] = []
    for (let i = 0; i < 6; i++) {
      gaps.push(t.clock.nextIn())
      await t.clock.advance(t.clock.nextIn() ?? 0)
    }
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
    expect(t.probes()).toBe(7)
    expect(t.events).toHaveLength(1) // still offline: no repeated events
  })

  it('goes online when a probe succeeds, then only heartbeats', async () => {
    const t = setup()
    t.monitor.track('c1', t.probe)
    await t.clock.advance(0)
    t.setUp(true)
    await t.clock.advance(1000)
    expect(t.events.map((e) => e.state)).toEqual(['offline', 'online'])
    expect(t.events[1]?.since).toBe(1_001_000)
    expect(t.clock.nextIn()).toBe(60_000)
  })

  it('puts the heartbeat off while requests succeed, without a timer per request', async () => {
    const t = setup()
    t.setUp(true)
    t.monitor.track('c1', t.probe)
    await t.clock.advance(0)
    expect(t.probes()).toBe(1)
    let timers = 0
    const setTimer = t.clock.setTimeout.bind(t.clock)
    t.clock.setTimeout = (fn, ms) => (timers++, setTimer(fn, ms))
    await t.clock.advance(30_000)
    for (let i = 0; i < 1000; i++) t.monitor.report('c1', true)
    expect(timers).toBe(0)
    // Heard from 30 s in: no probe at 60 s, the next one 60 s after that answer.
    await t.clock.advance(30_000)
    expect(t.probes()).toBe(1)
    expect(t.clock.nextIn()).toBe(30_000)
    await t.clock.advance(30_000)
    expect(t.probes()).toBe(2)
    expect(t.clock.nextIn()).toBe(60_000)
  })

  it('follows request outcomes, and repeated failures do not postpone the probe', async () => {
    const t = setup()
    t.setUp(true)
    t.monitor.track('c1', t.probe)
    await t.clock.advance(0)
    expect(t.monitor.get('c1')?.state).toBe('online')
    t.setUp(false)
    t.monitor.report('c1', false, 'fetch failed')
    expect(t.monitor.isOffline('c1')).toBe(true)
    expect(t.clock.nextIn()).toBe(1000)
    await t.clock.advance(500)
    t.monitor.report('c1', false, 'fetch failed again')
    expect(t.clock.nextIn()).toBe(500)
    t.monitor.report('c1', true)
    expect(t.events.map((e) => e.state)).toEqual(['online', 'offline', 'online'])
    expect(t.monitor.get('c1')?.lastError).toBeNull()
  })

  it('trusts the OS when it says there is no network', async () => {
    let online = false
    const t = setup({ osOnline: () => online })
    t.setUp(true)
    t.monitor.track('c1', t.probe)
    await t.clock.advance(0)
    expect(t.monitor.get('c1')).toMatchObject({ state: 'offline', lastError: /offline/ })
    expect(t.probes()).toBe(0)
    online = true
    t.monitor.recheck()
    await t.clock.advance(0)
    expect(t.monitor.get('c1')?.state).toBe('online')
  })

  it('forgets untracked connections, including a probe already in flight', async () => {
    const t = setup()
    let release: () => void = () => {}
    t.monitor.track('c1', () => new Promise<void>((resolve) => (release = resolve)))
    await t.clock.advance(0)
    t.monitor.untrack('c1')
    release()
    await t.clock.advance(0)
    expect(t.monitor.all()).toEqual([])
    expect(t.events).toEqual([])
    expect(t.clock.nextIn()).toBeNull()
  })
})
