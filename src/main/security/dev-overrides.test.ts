import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { launchOverrides } from './dev-overrides'

const env = {
  TAGDECK_USER_DATA: '/tmp/tagdeck-e2e-profile',
  TAGDECK_DEMO: '/tmp/service/demo.json',
  ELECTRON_RENDERER_URL: 'http://localhost:5173',
  TAGDECK_REGION_ENDPOINT: 'http://127.0.0.1:8090'
}

describe('launchOverrides', () => {
  it('honours the overrides in development', () => {
    expect(launchOverrides(env, false)).toEqual({
      userDataDir: path.resolve('/tmp/tagdeck-e2e-profile'),
      demoFile: path.resolve('/tmp/service/demo.json'),
      rendererUrl: 'http://localhost:5173',
      regionEndpoint: new URL('http://127.0.0.1:8090'),
      ignored: []
    })
  })

  it('ignores every override in a packaged build, and names what it ignored', () => {
    expect(launchOverrides(env, true)).toEqual({
      userDataDir: null,
      demoFile: null,
      rendererUrl: null,
      regionEndpoint: null,
      ignored: [
        'TAGDECK_USER_DATA',
        'TAGDECK_DEMO',
        'ELECTRON_RENDERER_URL',
        'TAGDECK_REGION_ENDPOINT'
      ]
    })
  })

  it('uses the default profile when nothing is set', () => {
    expect(launchOverrides({}, false)).toEqual({
      userDataDir: null,
      demoFile: null,
      rendererUrl: null,
      regionEndpoint: null,
      ignored: []
    })
    expect(launchOverrides({}, true).ignored).toEqual([])
  })

  it('treats an empty variable as unset and makes a relative folder absolute', () => {
    const result = launchOverrides({ TAGDECK_USER_DATA: '', TAGDECK_DEMO: 'demo.json' }, false)
    expect(result.userDataDir).toBeNull()
    expect(result.demoFile).toBe(path.resolve('demo.json'))
  })

  it('takes only an http(s) URL as the region endpoint', () => {
    expect(
      launchOverrides({ TAGDECK_REGION_ENDPOINT: 'file:///etc' }, false).regionEndpoint
    ).toBeNull()
    expect(
      launchOverrides({ TAGDECK_REGION_ENDPOINT: 'not a url' }, false).regionEndpoint
    ).toBeNull()
  })
})
