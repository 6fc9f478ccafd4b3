import type { ChannelArgs, ChannelFn, ChannelFunctions, TagdeckApi } from '../../../shared/api'
import type { ChannelName, ChannelOutput } from '../../../shared/ipc'
import { TagdeckError } from '../../../shared/errors'
import { createBridgeClient } from './bridge-client'

/** The renderer's only way to main: the preload in Electron, the loopback bridge otherwise. */
export const platform: TagdeckApi = window.tagdeck ?? createBridgeClient()

/** Calls a channel and unwraps its envelope: resolves to the value or rejects with a TagdeckError. */
export async function call<C extends ChannelName>(
  channel: C,
  ...input: ChannelArgs<C>
): Promise<ChannelOutput<C>> {
  // read through the mapped type alone: indexed by C, it gives C's own function
  const functions: ChannelFunctions = platform
  const fn: ChannelFn<C> = functions[channel]
  const result = await fn(...input)
  if (!result.ok) throw new TagdeckError(result.error)
  return result.value
}
