import { groupSignatures, type FindingsRequest, type FindingsResponse } from './findings'
import { checkAll } from './problems'

/**
 * The findings worker: the problem finder's checks and the near-duplicate grouping of a job held
 * whole, off the UI thread (`findings.ts` asks; one request at a time, in the order sent). Its
 * answers' arrays are handed back, not copied.
 */

interface WorkerScope {
  onmessage: ((event: MessageEvent<FindingsRequest>) => void) | null
  postMessage(message: FindingsResponse, transfer: Transferable[]): void
}
const scope = self as unknown as WorkerScope

function answer(request: FindingsRequest): [FindingsResponse, Transferable[]] {
  if (request.kind === 'problems') {
    const flags = checkAll(request.input, request.settings)
    return [
      { id: request.id, kind: 'problems', flags },
      [flags.sample.buffer, flags.box.buffer, flags.rare.buffer]
    ]
  }
  const groups = groupSignatures(request.signatures, request.keys)
  return [{ id: request.id, kind: 'groups', groups }, [groups.members.buffer, groups.starts.buffer]]
}

scope.onmessage = (event) => {
  const { id } = event.data
  try {
    scope.postMessage(...answer(event.data))
  } catch (error) {
    // The page rejects the request with this (and logs it there).
    scope.postMessage(
      { id, kind: 'error', message: error instanceof Error ? error.message : String(error) },
      []
    )
  }
}
