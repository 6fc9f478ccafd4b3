import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { test, expect } from './fixtures'

// What only real Electron has: the sandboxed preload on app://, and safeStorage. The review
// flows themselves run here too, from their own specs (tagged @electron; see fixtures.ts).
test.use({ transport: 'electron' })

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

test(
  'opens the window sandboxed on app:// and app.ping round-trips',
  { tag: '@electron' },
  async ({ appPage: page }) => {
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
    // Run from source, there is no release feed: the updater never starts.
    expect(await page.evaluate(() => window.tagdeck?.['updates.state']())).toEqual({
      ok: true,
      value: { phase: 'unavailable' }
    })
  }
)

test(
  'a secret saved through safeStorage is nowhere in the profile folder in clear',
  { tag: '@electron' },
  async ({ app, appPage: page, service }) => {
    // The demo's secret, saved by main from demo.json when the user opens the demo...
    await page.getByRole('button', { name: 'Open the demo' }).click()
    await expect(page.getByRole('button', { name: /^Open / }).first()).toBeVisible()
    // ...and one typed by hand, through the preload and IPC as the connection form sends it.
    const secret = `sk-${randomBytes(12).toString('hex')}`
    const saved = await page.evaluate(
      ([secret, endpoint, projectId]) =>
        window.tagdeck!['connections.save']({
          name: 'Typed by hand',
          target: { kind: 'endpoint', url: endpoint },
          projectId,
          auth: { kind: 'aksk', ak: 'HANDTYPEDAK' },
          secret,
          // Where the OS has no keyring (Linux CI), the secret stays in memory for the session.
          allowSessionOnlySecret: true
        }),
      [secret, service.demo.endpoint, service.demo.projectId] as const
    )
    expect(saved).toMatchObject({ ok: true, value: { hasSecret: true } })
    const status = await page.evaluate(() => window.tagdeck!['secrets.status']())
    test.info().annotations.push({ type: 'safeStorage', description: JSON.stringify(status) })
    // Windows (DPAPI) and macOS (Keychain) always have OS encryption: there the secrets were
    // written, encrypted by safeStorage; Linux without a keyring kept them in memory instead.
    if (process.platform === 'win32' || process.platform === 'darwin')
      expect(status).toMatchObject({
        ok: true,
        value: { encryptionAvailable: true, osProtected: true }
      })
    // Everything main and Chromium wrote (connections, IndexedDB, logs, caches), once Electron
    // has quit and flushed it.
    await app.stop()
    const files = await filesUnder(app.userDataDir)
    expect(files.length).toBeGreaterThan(0)
    const needles = [secret, service.demo.sk].flatMap((s) => [
      Buffer.from(s, 'utf8'),
      Buffer.from(s, 'utf16le')
    ])
    for (const file of files) {
      const bytes = await readFile(file)
      for (const needle of needles)
        expect(
          bytes.includes(needle),
          `${path.relative(app.userDataDir, file)} holds a secret`
        ).toBe(false)
    }
  }
)
