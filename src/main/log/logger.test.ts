import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileLogger } from './logger'
import { log, useLogger } from './index'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-log-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function logFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.log')).sort()
}

async function allText(): Promise<string> {
  const files = await logFiles()
  return (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('')
}

describe('the file logger', () => {
  it('writes JSON lines with level, time, scope and the error, at or above its level', async () => {
    const logger = await createFileLogger({ dir, name: 'main', level: 'info' })
    logger.debug('not written')
    logger.info('started', { version: '1.2.3' })
    logger.child('images').error('the index was not written', new Error('ENOSPC: no space'))
    await logger.close()
    const lines = (await allText())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({ level: 30, msg: 'started', detail: { version: '1.2.3' } })
    expect(lines[1]).toMatchObject({
      level: 50,
      scope: 'images',
      msg: 'the index was not written',
      detail: { type: 'Error', message: 'ENOSPC: no space' }
    })
    expect(String(lines[1]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(String((lines[1]?.detail as { stack: string }).stack)).toContain('logger.test.ts')
  })

  it('rotates past its size and keeps a few files, across restarts', async () => {
    const maxBytes = 4 * 1024
    const keep = 3
    const line = 'x'.repeat(200)
    for (let run = 0; run < 2; run++) {
      const logger = await createFileLogger({ dir, name: 'main', maxBytes, keep })
      for (let i = 0; i < 200; i++) {
        logger.warn(`run ${run} line ${i} ${line}`)
        // Lines logged in one burst reach the file as one write: let some go on their own.
        if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2))
      }
      await logger.flush()
      await logger.close()
    }
    // pino-roll removes old files just after it rolls: give that a moment to settle.
    await expect
      .poll(async () => (await logFiles()).length, { timeout: 5_000 })
      .toBeLessThanOrEqual(keep)
    const files = await logFiles()
    expect(files.length).toBeGreaterThanOrEqual(2)
    for (const file of files) {
      expect(file).toMatch(/^main\.\d+\.log$/)
      // A file rolls once a write takes it past the cap; what is logged while it rolls still
      // lands in it, so under load a file goes some KiB over: the cap bounds it all the same.
      expect((await stat(path.join(dir, file))).size).toBeLessThan(maxBytes + 64 * 1024)
    }
    const text = await allText()
    expect(text).toContain('run 1 line 199')
    expect(text).not.toContain('run 0 line 0 ')
  })

  it('never writes a credential, whatever the error carries', async () => {
    const sk = 'Zq8sK2vP9mW4xT7bN1cR5yL3hJ6dF0gA'
    const password = 'correct horse battery staple'
    const token = 'MIIEhwYJKoZIhvcNAQcCoIIEeDCCBHQCAQExDTALBglghkgBZQMEAgEwggLoBgkqhkiG9w0BBwGg'
    const ak = 'HPUAK7G2M4X9Q1W8E5R3'
    const signedUrl =
      'http://127.0.0.1:8090/v2/p1/datasets/d1/samples/s1/image?expires=1765000000&signature=8f1c2e9a7b6d5c4e3f2a1b0c9d8e7f6a'
    const error = Object.assign(
      new Error(`sign-in failed for {"user":"demo","password":"${password}"} at ${signedUrl}`),
      {
        status: 401,
        request: {
          url: signedUrl,
          headers: {
            Authorization: `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=host;x-sdk-date, Signature=4a5b6c7d8e9f`,
            'X-Auth-Token': token,
            'X-Subject-Token': token
          },
          body: JSON.stringify({ auth: { identity: { password: { user: { password } } } } })
        },
        profile: { ak, sk, secret: sk }
      }
    )
    error.cause = new Error(`upstream said: token=${token}; sk: ${sk}`)
    const logger = await createFileLogger({ dir, name: 'main', secrets: () => [password] })
    logger.error(`request to ${signedUrl} failed with Bearer ${token}`, error)
    logger.child('renderer').warn(`the form was sent with password=${password}`)
    logger.pino.info({ req: { method: 'GET', url: signedUrl, headers: {} } }, 'request')
    await logger.close()

    const text = await allText()
    for (const secret of [
      sk,
      password,
      token,
      ak,
      '8f1c2e9a7b6d5c4e3f2a1b0c9d8e7f6a',
      '4a5b6c7d8e9f'
    ])
      expect(text).not.toContain(secret)
    // What helps a reader stays: the message, the path, the status, the stack, the cause.
    expect(text).toContain('sign-in failed')
    expect(text).toContain('/v2/p1/datasets/d1/samples/s1/image?expires=[redacted]')
    expect(text).toContain('"status":401')
    expect(text).toContain('upstream said')
    expect(text).toContain('logger.test.ts')
  })
})

describe("main's log", () => {
  it('goes to the logger the host installs, scopes included, and back', async () => {
    const logger = await createFileLogger({ dir, name: 'main' })
    const images = log.child('images')
    const restore = useLogger(logger)
    images.warn('prefetch stopped')
    restore()
    await logger.close()
    expect(JSON.parse((await allText()).trim())).toMatchObject({
      scope: 'images',
      msg: 'prefetch stopped'
    })
  })
})
