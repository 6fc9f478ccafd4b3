import { setPriority } from 'node:os'
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

/**
 * The thread's niceness on Linux, where it lowers this thread alone (elsewhere the call would
 * lower the whole process, so the thread keeps main's priority there). No chunk of a download
 * waits for the thread (`signature-ledger.ts`), so it may take mostly the CPU the download leaves
 * idle; 10 rather than 19, so that on a busy machine it still gets about a tenth of a contended
 * core (19: about 1.5%), and the download's wait for its last signatures stays short.
 */
const THREAD_NICE = 10

/** Why the thread's priority could not be lowered, said with its first answer (and logged). */
let notice: string | undefined
if (process.platform === 'linux') {
  try {
    setPriority(THREAD_NICE)
  } catch (error) {
    notice = `the signature thread runs at normal priority: ${String(error)}`
  }
}

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
  const reply: SignatureReply = { ids, kinds, values, failures, ...(notice ? { notice } : {}) }
  notice = undefined
  port.postMessage(reply, [kinds.buffer, values.buffer])
})
