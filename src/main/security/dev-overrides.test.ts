import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { launchOverrides } from './dev-overrides'

const env = {
  TAGDECK_USER_DATA: '/tmp/tagdeck-e2e-profile',
  TAGDECK_DEMO: '/tmp/service/demo.json',
  ELECTRON_RENDERER_URL: 'http://localhost:5173'
}

describe('launchOverrides', () => {
  it('honours the overrides in development', () => {
    expect(launchOverrides(env, false)).toEqual({
      userDataDir: path.resolve('/tmp/tagdeck-e2e-profile'),
      demoFile: path.resolve('/tmp/service/demo.json'),
      rendererUrl: 'http://localhost:5173',
      ignored: []
    })
  })

  it('ignores every override in a packaged build, and names what it ignored', () => {
    expect(launchOverrides(env, true)).toEqual({
      userDataDir: null,
      demoFile: null,
      rendererUrl: null,
      ignored: ['TAGDECK_USER_DATA', 'TAGDECK_DEMO', 'ELECTRON_RENDERER_URL']
    })
  })

  it('uses the default profile when nothing is set', () => {
    expect(launchOverrides({}, false)).toEqual({
      userDataDir: null,
      demoFile: null,
      rendererUrl: null,
      ignored: []
    })
    expect(launchOverrides({}, true).ignored).toEqual([])
  })

  it('treats an empty variable as unset and makes a relative folder absolute', () => {
    const result = launchOverrides({ TAGDECK_USER_DATA: '', TAGDECK_DEMO: 'demo.json' }, false)
    expect(result.userDataDir).toBeNull()
    expect(result.demoFile).toBe(path.resolve('demo.json'))
  })
})
