import path from 'node:path'
import { useLogger } from './index'
import { createFileLogger, type FileLogger } from './logger'
import { knownSecrets } from './secrets'

/** The log folder of a host whose data lives in `userDataDir`. */
export function logsDirOf(userDataDir: string): string {
  return path.join(userDataDir, 'logs')
}

/**
 * What a host (Electron's main, the browser shell's cli) does first: opens `<userData>/logs/main.N.log`,
 * makes it main's log, and records what would otherwise end the process without a trace.
 * `rejections`: log unhandled rejections too (Electron, which only warns about them; plain
 * Node turns them into the uncaught exceptions recorded here anyway).
 */
export async function startMainLog(options: {
  userDataDir: string
  name: string
  rejections: boolean
}): Promise<FileLogger> {
  const logger = await createFileLogger({
    dir: logsDirOf(options.userDataDir),
    name: options.name,
    level: process.env['TAGDECK_LOG_LEVEL'] === 'debug' ? 'debug' : 'info',
    echo: true,
    secrets: knownSecrets
  })
  useLogger(logger)
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    logger.error(`the process is ending: ${origin}`, error)
    logger.flushSync()
  })
  if (options.rejections)
    process.on('unhandledRejection', (reason) => logger.error('an unhandled rejection', reason))
  return logger
}
