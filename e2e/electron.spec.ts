import { _electron as electron, test, expect } from '@playwright/test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { electronBinary } from './electron-binary'

const binary = electronBinary()

test.describe('real Electron', () => {
  test.skip('missing' in binary, 'missing' in binary ? `Skipped: ${binary.missing}` : '')

  test('opens the window sandboxed on app:// and app.ping round-trips', async () => {
    if (!('path' in binary)) return
    const userData = await mkdtemp(path.join(tmpdir(), 'tagdeck-electron-'))
    const app = await electron.launch({
      executablePath: binary.path,
      args: [path.resolve(__dirname, '..'), '--no-sandbox'],
      env: { ...process.env, TAGDECK_USER_DATA: userData }
    })
    try {
      const page = await app.firstWindow()
      await expect(page).toHaveURL(/^app:\/\/tagdeck\//)
      await page.getByRole('button', { name: /^(About|关于)$/ }).click()
      await expect(page.getByTestId('main-status')).toContainText(/ping \d+ ms/)
      const exposed = await page.evaluate(() => ({
        hasBridge: typeof window.tagdeck?.['app.ping'] === 'function',
        hasRequire: typeof (window as unknown as { require?: unknown }).require !== 'undefined',
        hasProcess: typeof (window as unknown as { process?: unknown }).process !== 'undefined'
      }))
      expect(exposed).toEqual({ hasBridge: true, hasRequire: false, hasProcess: false })
      const csp = await page.evaluate(async () =>
        (await fetch(location.href)).headers.get('content-security-policy')
      )
      expect(csp).toContain("script-src 'self'")
    } finally {
      await app.close()
      await rm(userData, { recursive: true, force: true })
    }
  })
})
