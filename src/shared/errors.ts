import { z } from 'zod'

/** Every failure that crosses a process boundary has one of these codes. */
export const ErrorCode = z.enum([
  'invalid_input', // the caller sent something the contract does not allow
  'forbidden_sender', // the IPC call came from a frame we do not trust
  'unknown_channel',
  'not_found', // a connection, job or sample that does not exist
  'auth', // the service refused our credentials (401/403)
  'service', // the service answered with an error
  'network', // the service could not be reached
  'offline', // asked for something that is not cached while offline
  'secret_storage', // the OS cannot encrypt secrets and the user has not chosen
  'internal'
])
export type ErrorCode = z.infer<typeof ErrorCode>

/** What the service said, when the failure came from the service. */
export const ServiceErrorInfo = z.object({
  httpStatus: z.number().int(),
  errorCode: z.string(),
  errorMsg: z.string(),
  requestId: z.string().nullable(),
  retryable: z.boolean()
})
export type ServiceErrorInfo = z.infer<typeof ServiceErrorInfo>

export const TagdeckErrorPayload = z.object({
  code: ErrorCode,
  message: z.string(),
  service: ServiceErrorInfo.optional(),
  issues: z.array(z.string()).optional()
})
export type TagdeckErrorPayload = z.infer<typeof TagdeckErrorPayload>

/** Thrown in main and in the renderer; crosses IPC as its payload. */
export class TagdeckError extends Error {
  readonly code: ErrorCode
  readonly service?: ServiceErrorInfo
  readonly issues?: string[]

  constructor(payload: TagdeckErrorPayload) {
    super(payload.message)
    this.name = 'TagdeckError'
    this.code = payload.code
    this.service = payload.service
    this.issues = payload.issues
  }

  toPayload(): TagdeckErrorPayload {
    return { code: this.code, message: this.message, service: this.service, issues: this.issues }
  }
}

/** The envelope every IPC call resolves to: handlers never throw across the boundary. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: TagdeckErrorPayload }
