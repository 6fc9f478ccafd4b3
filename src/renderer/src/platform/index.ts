import type { TagdeckApi } from '../../../shared/api'
import type { ChannelInput, ChannelName, ChannelOutput } from '../../../shared/ipc'
import { TagdeckError } from '../../../shared/errors'
import { createBridgeClient } from './bridge-client'

/** The renderer's only way to main: the preload in Electron, the loopback bridge otherwise. */
export const platform: TagdeckApi = window.tagdeck ?? createBridgeClient()

/** Calls a channel and unwraps its envelope: resolves to the value or rejects with a TagdeckError. */
export async function call<C extends ChannelName>(
  channel: C,
  ...input: ChannelInput<C> extends undefined ? [] : [ChannelInput<C>]
): Promise<ChannelOutput<C>> {
  const fn = platform[channel] as (
    input?: unknown
  ) => Promise<
    | { ok: true; value: ChannelOutput<C> }
    | { ok: false; error: ConstructorParameters<typeof TagdeckError>[0] }
  >
  const result = await fn(input[0])
  if (!result.ok) throw new TagdeckError(result.error)
  return result.value
}
