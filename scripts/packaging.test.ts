import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { load } from 'js-yaml'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import { PlatformPackager, type AfterPackContext, type Configuration } from 'app-builder-lib'
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses'

// Packaging cannot run here (it downloads Electron), so at least keep its config valid
// against electron-builder's own schema, with the targets the README promises.
const ROOT = path.resolve(__dirname, '..')

describe('electron-builder.yml', () => {
  const config = load(
    readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')
  ) as Configuration

  it('passes electron-builder validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('targets AppImage + deb, nsis and dmg with the Tagdeck identity', () => {
    expect(config.appId).toBe('com.tagdeck.app')
    expect(config.productName).toBe('Tagdeck')
    expect(config.linux?.target).toEqual(['AppImage', 'deb'])
    expect(config.win?.target).toBe('nsis')
    // dmg to install; zip for electron-updater, which installs macOS updates from it.
    expect(config.mac?.target).toEqual(['dmg', 'zip'])
  })

  it('publishes to a draft GitHub release: the feed electron-updater checks', () => {
    expect(config.publish).toEqual({ provider: 'github', releaseType: 'draft' })
  })

  it('rejects a publish provider electron-builder does not know (the schema covers publish)', async () => {
    const wrong = { ...config, publish: { provider: 'gitlab-ish' } } as unknown as Configuration
    await expect(validateConfiguration(wrong, new DebugLogger(false))).rejects.toThrow()
  })

  it('rejects a broken config (the validator is real)', async () => {
    const broken = {
      ...config,
      nsis: { oneClick: 'sometimes' },
      notAnOption: true
    } as unknown as Configuration
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow()
  })

  it('rejects a fuse electron-builder does not know (the fuse keys are real)', async () => {
    const misspelt = {
      ...config,
      electronFuses: { ...config.electronFuses, runAsNodes: false }
    } as unknown as Configuration
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow()
  })

  it('sets the hardening fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true
    })
    // onlyLoadAppFromAsar with no asar would leave the app nothing to load.
    expect(config.asar).toBe(true)
    // The integrity fuse checks app.asar against a hash electron-builder records at build time.
    expect(config.disableAsarIntegrity).not.toBe(true)
  })
})

// The fuse wire as Electron ships it: a sentinel, the wire version, its length, one byte per fuse.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const ENABLED = '1'.charCodeAt(0)
const DISABLED = '0'.charCodeAt(0)
const ELECTRON_DEFAULTS = '10110001' // run-as-node, cookies, NODE_OPTIONS, inspect, ... file://

describe('the fuses electron-builder flips with this config', () => {
  it('turns run-as-node, NODE_OPTIONS and --inspect off, asar integrity and asar-only on', async () => {
    const config = load(
      readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')
    ) as Configuration
    const appOutDir = await mkdtemp(path.join(tmpdir(), 'tagdeck-fuses-'))
    try {
      // Packaging downloads Electron, which this machine cannot: a stand-in binary carries
      // Electron's real fuse wire between random bytes, and electron-builder's own fuse step
      // (the one it runs right before signing) flips it.
      const head = randomBytes(4096)
      const tail = randomBytes(4096)
      const wire = Buffer.from([1, ELECTRON_DEFAULTS.length, ...Buffer.from(ELECTRON_DEFAULTS)])
      const binary = path.join(appOutDir, 'Tagdeck.exe')
      await writeFile(binary, Buffer.concat([head, Buffer.from(SENTINEL), wire, tail]))

      const packager = Object.create(PlatformPackager.prototype) as PlatformPackager<never>
      Object.assign(packager, { info: { config }, appInfo: { productFilename: 'Tagdeck' } })
      const context = { appOutDir, electronPlatformName: 'win32' } as AfterPackContext
      const flip = (
        packager as unknown as { doAddElectronFuses(c: AfterPackContext): Promise<void> }
      ).doAddElectronFuses
      await flip.call(packager, context)

      const fuses = await getCurrentFuseWire(binary)
      expect(fuses[FuseV1Options.RunAsNode]).toBe(DISABLED)
      expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(DISABLED)
      expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(DISABLED)
      expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ENABLED)
      expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ENABLED)
      expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(ENABLED)
      // Fuses we leave alone keep Electron's defaults; nothing else in the binary moves.
      expect(fuses[FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBe(DISABLED)
      expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(ENABLED)
      const after = await readFile(binary)
      expect(after.subarray(0, head.length).equals(head)).toBe(true)
      expect(after.subarray(after.length - tail.length).equals(tail)).toBe(true)
    } finally {
      await rm(appOutDir, { recursive: true, force: true })
    }
  })
})
