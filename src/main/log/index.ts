import { consoleLogger, type Logger } from './logger'

export type { Logger, LogLevel } from './logger'

let current: Logger = consoleLogger()
let generation = 0

/**
 * Main's log, for any module to import: `log.child('api').warn('...', error)`. Until the host
 * (src/main/index.ts, the browser shell's cli) installs the file logger with `useLogger`, and
 * in unit tests, it prints warnings and errors on stderr.
 */
function scoped(scope: string | null): Logger {
  let cached: { generation: number; logger: Logger } | null = null
  const target = (): Logger => {
    if (scope === null) return current
    if (cached?.generation !== generation) cached = { generation, logger: current.child(scope) }
    return cached.logger
  }
  return {
    debug: (message, detail) => target().debug(message, detail),
    info: (message, detail) => target().info(message, detail),
    warn: (message, detail) => target().warn(message, detail),
    error: (message, detail) => target().error(message, detail),
    child: (name) => scoped(scope ? `${scope}/${name}` : name)
  }
}

export const log: Logger = scoped(null)

/** Sends main's log to `logger` from now on; returns a function that puts the previous one back. */
export function useLogger(logger: Logger): () => void {
  const previous = current
  current = logger
  generation++
  return () => {
    current = previous
    generation++
  }
}
