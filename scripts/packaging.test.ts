import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { load } from 'js-yaml'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { DebugLogger } from 'builder-util'
import type { Configuration } from 'app-builder-lib'

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
    expect(config.mac?.target).toBe('dmg')
  })

  it('rejects a broken config (the validator is real)', async () => {
    const broken = {
      ...config,
      nsis: { oneClick: 'sometimes' },
      notAnOption: true
    } as unknown as Configuration
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow()
  })
})
