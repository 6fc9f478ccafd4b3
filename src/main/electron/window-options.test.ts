import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { mainWindowOptions } from './window-options'

describe('mainWindowOptions', () => {
  const settings = { preloadPath: 'out/preload/index.cjs' }

  it('turns DevTools off in a packaged build', () => {
    expect(mainWindowOptions({ ...settings, isPackaged: true }).webPreferences?.devTools).toBe(
      false
    )
  })

  it('keeps DevTools in development', () => {
    expect(mainWindowOptions({ ...settings, isPackaged: false }).webPreferences?.devTools).toBe(
      true
    )
  })

  it.each([true, false])('sandboxes and isolates the page (packaged: %s)', (isPackaged) => {
    const prefs = mainWindowOptions({ ...settings, isPackaged }).webPreferences
    expect(prefs).toMatchObject({
      preload: path.resolve(settings.preloadPath),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false
    })
    expect(prefs?.webviewTag).not.toBe(true)
  })
})
