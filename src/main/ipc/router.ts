import { z } from 'zod'
import { CHANNELS, type ChannelName } from '../../shared/channels'
import { contract, type ChannelInput, type ChannelOutput } from '../../shared/ipc'
import { TagdeckError, type IpcResult, type TagdeckErrorPayload } from '../../shared/errors'

/** Who made the call: the origin of the frame (Electron) or of the page (browser shell). */
export interface CallContext {
  origin: string
}

export type Handler<C extends ChannelName> = (
  input: ChannelInput<C>,
  ctx: CallContext
) => Promise<ChannelOutput<C>> | ChannelOutput<C>

const KNOWN = new Set<string>(CHANNELS)

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`)
}

/**
 * The one place IPC calls enter main, whatever the transport: checks the sender's origin,
 * parses the argument with the channel's schema, runs the handler, checks its result, and
 * turns every failure into a typed error envelope.
 */
export class IpcRouter {
  private readonly handlers = new Map<ChannelName, Handler<ChannelName>>()

  constructor(private readonly isTrustedOrigin: (origin: string) => boolean) {}

  addHandler<C extends ChannelName>(channel: C, handler: Handler<C>): void {
    if (this.handlers.has(channel)) throw new Error(`IPC handler for ${channel} added twice`)
    this.handlers.set(channel, handler as unknown as Handler<ChannelName>)
  }

  /** Channels without a handler: the host refuses to start with any (see assertComplete). */
  missing(): ChannelName[] {
    return CHANNELS.filter((c) => !this.handlers.has(c))
  }

  async dispatch(
    channel: string,
    rawInput: unknown,
    ctx: CallContext
  ): Promise<IpcResult<unknown>> {
    const fail = (error: TagdeckErrorPayload): IpcResult<unknown> => ({ ok: false, error })
    if (!KNOWN.has(channel))
      return fail({
        code: 'unknown_channel',
        message: `Unknown channel "${String(channel).slice(0, 64)}"`
      })
    const name = channel as ChannelName
    if (!this.isTrustedOrigin(ctx.origin)) {
      return fail({
        code: 'forbidden_sender',
        message: `Calls from ${ctx.origin || 'an unknown origin'} are not allowed`
      })
    }
    const handler = this.handlers.get(name)
    if (!handler) return fail({ code: 'internal', message: `No handler for ${name}` })

    const parsed = contract[name].input.safeParse(rawInput)
    if (!parsed.success) {
      return fail({
        code: 'invalid_input',
        message: `Invalid input for ${name}`,
        issues: describeIssues(parsed.error)
      })
    }
    try {
      const value = await handler(parsed.data as ChannelInput<ChannelName>, ctx)
      const checked = contract[name].output.safeParse(value)
      if (!checked.success) {
        return fail({
          code: 'internal',
          message: `Main produced an invalid result for ${name}`,
          issues: describeIssues(checked.error)
        })
      }
      return { ok: true, value: checked.data }
    } catch (error) {
      if (error instanceof TagdeckError) return fail(error.toPayload())
      return fail({
        code: 'internal',
        message: error instanceof Error ? error.message : String(error)
      })
    }
  }
}
