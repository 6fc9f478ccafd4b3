import { parentPort } from 'node:worker_threads'
import { signatureOf } from '../../shared/thumb-signature'
import { jpegCellMeans } from './jpeg-cells'
import type { SignatureReply, SignatureRequest } from './signature-thread'

/** The signature thread (`signature-thread.ts`): reads thumbnails' DC coefficients. */

const port = parentPort
if (!port) throw new Error('signature-worker.ts runs as a worker thread')

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
