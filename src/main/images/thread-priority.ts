import { readFileSync, readlinkSync } from 'node:fs'
import { constants, setPriority } from 'node:os'

/** What lowering a thread's priority did: its nice value, or why it was left alone. */
export type ThreadPriority = { nice: number } | { unchanged: string }

/**
 * Gives the calling thread the lowest scheduling priority (nice 19), so it runs only on CPU
 * nothing else wants. Linux alone sets one thread's priority (`setpriority` with a thread id);
 * elsewhere that call would lower the whole process, the download and the UI with it, so the
 * thread is left at normal priority there and says why.
 */
export function lowerThisThread(): ThreadPriority {
  if (process.platform !== 'linux')
    return { unchanged: `only Linux lowers one thread's priority (this is ${process.platform})` }
  try {
    const tid = threadId()
    setPriority(tid, constants.priority.PRIORITY_LOW)
    return { nice: niceOf('/proc/thread-self/stat') }
  } catch (error) {
    return { unchanged: error instanceof Error ? error.message : String(error) }
  }
}

/** The calling thread's id as the kernel knows it (`/proc/thread-self` is `<pid>/task/<tid>`). */
function threadId(): number {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
  if (!Number.isInteger(tid) || tid <= 0) throw new Error('/proc/thread-self named no thread')
  return tid
}

/** The nice value in a `/proc/.../stat` file (its 19th field). */
export function niceOf(statFile: string): number {
  const stat = readFileSync(statFile, 'utf8')
  // Fields after the command name (which may hold spaces and parentheses).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[16])
}
