import { parentPort } from 'node:worker_threads'
import { SIGNATURE_LENGTH, signatureOf } from '../../shared/thumb-signature'
import { jpegCellMeans } from './jpeg-cells'
import { ReadKind, type SignatureReply, type SignatureRequest } from './signature-messages'

/**
 * The signature thread (`signature-thread.ts`): reads a batch of thumbnails' DC coefficients
 * and answers their signatures as one array, moved (not copied) back to main.
 */

const port = parentPort
if (!port) throw new Error('signature-worker.ts runs as a worker thread')

port.on('message', ({ ids, ends, bytes }: SignatureRequest) => {
  const kinds = new Uint8Array(ids.length)
  const values = new Float32Array(ids.length * SIGNATURE_LENGTH)
  const failures: Record<number, string> = {}
  ids.forEach((id, i) => {
    const image = bytes.subarray(i === 0 ? 0 : (ends[i - 1] as number), ends[i])
    try {
      const cells = jpegCellMeans(image)
      const signature = cells ? signatureOf(cells) : null
      if (signature) values.set(signature, i * SIGNATURE_LENGTH)
      kinds[i] = !cells ? ReadKind.Unread : signature ? ReadKind.Signed : ReadKind.Flat
    } catch (error) {
      kinds[i] = ReadKind.Failed
      failures[id] = error instanceof Error ? error.message : String(error)
    }
  })
  const reply: SignatureReply = { ids, kinds, values, failures }
  port.postMessage(reply, [kinds.buffer, values.buffer])
})
