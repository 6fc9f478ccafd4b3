import { execFileSync } from 'node:child_process'
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import path from 'node:path'
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
 * The thread's niceness on Linux where idle priority cannot be had (below); 10 rather than 19,
 * so that on a busy machine it still gets about a tenth of a contended core (19: about 1.5%).
 */
const THREAD_NICE = 10

/**
 * On Linux the thread runs at idle priority (`SCHED_IDLE`): no chunk of a download waits for it
 * (`signature-ledger.ts`), so it takes only the CPU nothing else wants, and any other thread
 * that wakes takes its core at once. At nice 10 a waking download thread could wait out the
 * thread's time slice, and the download was slower for it. Node has no call for a thread's
 * scheduling policy, so util-linux's `chrt` sets it, on this thread's id alone. Where that fails
 * (no `chrt`), the thread runs at nice 10, which on Linux also lowers this thread alone;
 * elsewhere either would lower the whole process, so the thread keeps main's priority there.
 * Main never waits on the thread alone: a download's last signatures, and a backlog the thread
 * has no CPU for, are read on main too (`signature-thread.ts`). Answers why the priority is not
 * idle, for main to log (undefined: it is, or this is not Linux).
 */
function lowerPriority(): string | undefined {
  if (process.platform !== 'linux') return undefined
  let idle: unknown
  try {
    // "<pid>/task/<tid>": this thread's id.
    const tid = path.basename(readlinkSync('/proc/thread-self'))
    execFileSync('chrt', ['--idle', '--pid', '0', tid], { stdio: 'ignore', timeout: 5_000 })
    return undefined
  } catch (error) {
    idle = error
  }
  const why = `idle priority could not be set (${String(idle)})`
  try {
    setPriority(THREAD_NICE)
    return `the signature thread runs at nice ${THREAD_NICE}: ${why}`
  } catch (error) {
    return `the signature thread runs at normal priority: ${why}, nor nice ${THREAD_NICE} (${String(error)})`
  }
}

/** Why the thread's priority is not idle, said with its first answer (and logged). */
let notice = lowerPriority()

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
