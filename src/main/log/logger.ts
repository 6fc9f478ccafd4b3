import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import pino from 'pino'
import buildRoll from 'pino-roll'
import { redactText, redactValue } from '../../shared/redact'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** How every part of Tagdeck leaves a trace: a message, and what went wrong if anything. */
export interface Logger {
  debug(message: string, detail?: unknown): void
  info(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  error(message: string, detail?: unknown): void
  /** The same log, each line tagged with where it comes from (`shell`, `renderer`, ...). */
  child(scope: string): Logger
}

export interface FileLoggerOptions {
  /** The folder of the log files (created): `<userData>/logs`, `<service data>/logs`. */
  dir: string
  /** File name stem: `main` writes main.1.log, main.2.log, ... */
  name: string
  /** Lines below it are not written. Default info. */
  level?: LogLevel
  /** A file is closed and a new one started past this size. Default 5 MiB. */
  maxBytes?: number
  /** Files kept, the one being written included. Default 5. */
  keep?: number
  /** Also print warnings and errors on stderr, as a short line (a terminal, the e2e's output). */
  echo?: boolean
  /** Also write every line at or above this level to stderr as JSON (the service's --log). */
  stderr?: LogLevel
  /** Secrets this process knows (saved SKs, passwords): blanked wherever they appear. */
  secrets?: () => Iterable<string>
}

export interface FileLogger extends Logger {
  readonly dir: string
  /** The pino instance (for a framework that takes one, as Fastify does); redacts too. */
  readonly pino: pino.Logger
  /** Resolves once everything logged so far is on disk. */
  flush(): Promise<void>
  /** Writes what is buffered before the process exits on a fatal error. */
  flushSync(): void
  close(): Promise<void>
}

/** What a request log line says of a request (Fastify's own choice): no headers, no body. */
interface RequestLike {
  id?: unknown
  method?: string
  url?: string
  headers?: Record<string, unknown>
  socket?: { remoteAddress?: string; remotePort?: number }
}
function requestSummary(req: RequestLike) {
  return {
    id: req.id,
    method: req.method,
    url: req.url,
    host: req.headers?.['host'],
    remoteAddress: req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort
  }
}

const rank = (level: LogLevel): number => pino.levels.values[level] ?? 30

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024
export const DEFAULT_KEEP = 5

function wrap(
  base: pino.Logger,
  echo: ((level: LogLevel, line: string) => void) | null,
  scope: string | null
): Logger {
  const write = (level: LogLevel) => (message: string, detail?: unknown) => {
    if (detail === undefined) base[level](message)
    else base[level]({ detail }, message)
    if (echo && (level === 'warn' || level === 'error')) echo(level, message)
  }
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (name) => wrap(base.child({ scope: name }), echo, scope ? `${scope}/${name}` : name)
  }
}

/**
 * The log of one process (main and the browser shell, or the service): JSON lines in a
 * size-capped set of rotating files (pino + pino-roll, in-process: no worker thread), every
 * message and detail redacted (src/shared/redact.ts) before it is written.
 */
export async function createFileLogger(options: FileLoggerOptions): Promise<FileLogger> {
  await mkdir(options.dir, { recursive: true, mode: 0o700 })
  const keep = Math.max(2, options.keep ?? DEFAULT_KEEP)
  const secrets = options.secrets ?? (() => [])
  const stream = await buildRoll({
    file: path.join(options.dir, options.name),
    extension: '.log',
    size: `${options.maxBytes ?? DEFAULT_MAX_BYTES}b`,
    // count: files kept besides the one being written; others' too (earlier runs).
    limit: { count: keep - 1, removeOtherLogFiles: true },
    mkdir: true,
    // Logs say what was done where: their owner's only, like the rest of the data folder.
    mode: 0o600
  })
  const level = options.level ?? 'info'
  const destination = options.stderr
    ? pino.multistream([
        { level, stream },
        { level: options.stderr, stream: process.stderr }
      ])
    : stream
  const base = pino(
    {
      level: options.stderr && rank(options.stderr) < rank(level) ? options.stderr : level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        // req, res and err have serializers (below), which redact what they keep.
        log: ({ req, res, err, ...rest }) => ({
          ...(redactValue(rest, secrets()) as Record<string, unknown>),
          ...(req === undefined ? {} : { req }),
          ...(res === undefined ? {} : { res }),
          ...(err === undefined ? {} : { err })
        })
      },
      serializers: {
        // Fastify's request and error serializers: a URL carries signatures in its query.
        req: (req: RequestLike) => redactValue(requestSummary(req), secrets()),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (err: unknown) => redactValue(err, secrets())
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((arg) =>
            typeof arg === 'string' ? redactText(arg, secrets()) : arg
          ) as Parameters<typeof method>
          method.apply(this, redacted)
        }
      }
    },
    destination
  )
  const echo = options.echo
    ? (level: LogLevel, line: string) =>
        process.stderr.write(`${options.name} ${level}: ${redactText(line, secrets())}\n`)
    : null
  let closed = false
  return {
    ...wrap(base, echo, null),
    dir: options.dir,
    pino: base,
    flush: () =>
      new Promise<void>((resolve, reject) => {
        if (closed) return resolve()
        stream.flush((error?: Error | null) => (error ? reject(error) : resolve()))
      }),
    flushSync: () => {
      if (!closed) stream.flushSync()
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve()
        closed = true
        stream.once('close', () => resolve())
        stream.end()
      })
  }
}

/** Where nothing is set up yet (unit tests, a module used alone): warnings and errors on stderr. */
export function consoleLogger(scope = 'tagdeck'): Logger {
  const write = (level: LogLevel) => (message: string, detail?: unknown) => {
    if (level !== 'warn' && level !== 'error') return
    const text = `${scope}: ${redactText(message)}`
    if (detail === undefined) console[level](text)
    else console[level](text, redactValue(detail))
  }
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (name) => consoleLogger(`${scope}/${name}`)
  }
}
