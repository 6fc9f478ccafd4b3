import { parentPort } from 'node:worker_threads'
import { signatureOf } from '../../shared/thumb-signature'
import { jpegCellMeans } from './jpeg-cells'
import { lowerThisThread } from './thread-priority'
import type { SignatureReply, SignatureRequest } from './signature-thread'

/**
 * The signature thread (`signature-thread.ts`): reads thumbnails' DC coefficients at the lowest
 * priority the system gives a thread, so it takes only CPU the download leaves idle.
 */

const port = parentPort
if (!port) throw new Error('signature-worker.ts runs as a worker thread')
const priority = lowerThisThread()
port.postMessage({ kind: 'ready', priority } satisfies SignatureReply)

port.on('message', (request: SignatureRequest) => {
  let reply: SignatureReply
  try {
    const cells = jpegCellMeans(request.bytes)
    reply = cells
      ? { kind: 'signed', id: request.id, signature: signatureOf(cells) }
      : { kind: 'unread', id: request.id }
  } catch (error) {
    reply = {
      kind: 'failed',
      id: request.id,
      message: error instanceof Error ? error.message : String(error)
    }
  }
  port.postMessage(reply)
})
