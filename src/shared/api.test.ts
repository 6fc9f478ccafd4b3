import { describe, expect, it } from 'vitest'
import { channelFunctions, type Invoke } from './api'
import { CHANNELS } from './channels'

// A transport that records what it was asked to send and answers the channel's name back.
function recording() {
  const sent: { channel: string; args: unknown[] }[] = []
  const invoke: Invoke = async (channel, ...args) => {
    sent.push({ channel, args })
    return { ok: false, error: { code: 'internal', message: channel } }
  }
  return { sent, functions: channelFunctions(invoke) }
}

describe('channelFunctions', () => {
  it('has one function per channel, and each sends its own channel', async () => {
    const { sent, functions } = recording()
    expect(Object.keys(functions).sort()).toEqual([...CHANNELS].sort())
    // called untyped on purpose: one probe through every function, whatever its input type
    for (const channel of CHANNELS)
      await Reflect.apply(functions[channel], undefined, [{ probe: channel }])
    expect(sent.map((s) => s.channel)).toEqual([...CHANNELS])
    expect(sent.map((s) => s.args)).toEqual(CHANNELS.map((channel) => [{ probe: channel }]))
  })

  it('passes no argument for a channel without input', async () => {
    const { sent, functions } = recording()
    await functions['app.version']()
    await functions['jobs.get']({ connectionId: 'c', jobId: 'j' })
    expect(sent).toEqual([
      { channel: 'app.version', args: [] },
      { channel: 'jobs.get', args: [{ connectionId: 'c', jobId: 'j' }] }
    ])
  })

  it("types each function from its channel's schemas", async () => {
    const { functions } = recording()
    // These lines are the test: tsc (npm run typecheck) fails if any stops being an error.
    // @ts-expect-error jobs.get needs its input
    await functions['jobs.get']()
    // @ts-expect-error app.version takes no input
    await functions['app.version']({ nonce: 'x' })
    // @ts-expect-error the input must match the channel's schema
    await functions['app.ping']({ nonce: 1 })
    const answer = await functions['app.ping']({ nonce: 'x' })
    if (answer.ok) {
      const nonce: string = answer.value.nonce
      // @ts-expect-error the value is the channel's output, which has no `version`
      const version: string = answer.value.version
      expect([nonce, version]).toBeDefined()
    }
  })
})
