import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { load } from 'js-yaml'

// The hosted CI cannot run here; its workflow files are at least kept to what they promise:
// the tests on three OSes with Electron required, installers only for version tags.
const ROOT = path.resolve(__dirname, '..')

interface Step {
  uses?: string
  run?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Job {
  'runs-on'?: string
  needs?: string | string[]
  if?: string
  uses?: string
  env?: Record<string, string>
  strategy?: { matrix: { os?: string[]; include?: { os: string; targets: string }[] } }
  steps?: Step[]
}
interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

function workflow(name: string): Workflow {
  return load(readFileSync(path.join(ROOT, '.github', 'workflows', name), 'utf8')) as Workflow
}

const allSteps = (w: Workflow) => Object.values(w.jobs).flatMap((job) => job.steps ?? [])

describe('.github/workflows', () => {
  const ci = workflow('ci.yml')
  const release = workflow('release.yml')

  it('runs npm test on Linux (under Xvfb), Windows and macOS on every push', () => {
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'workflow_call']))
    const test = ci.jobs['test']
    const oses = test.strategy?.matrix.os ?? []
    expect(oses.some((os) => os.startsWith('ubuntu'))).toBe(true)
    expect(oses.some((os) => os.startsWith('windows'))).toBe(true)
    expect(oses.some((os) => os.startsWith('macos'))).toBe(true)
    const runs = (test.steps ?? []).map((s) => s.run ?? '')
    expect(runs).toContain('npm ci --no-audit --no-fund')
    expect(runs).toContain('xvfb-run --auto-servernum npm test')
    expect(runs).toContain('npm test')
  })

  it('includes the Electron specs: a missing Electron binary fails the run instead of skipping', () => {
    expect(ci.jobs['test'].env?.['TAGDECK_REQUIRE_ELECTRON']).toBe('1')
    const pw = readFileSync(path.join(ROOT, 'playwright.config.ts'), 'utf8')
    expect(pw).toMatch(/testDir: 'e2e'/)
    const spec = readFileSync(path.join(ROOT, 'e2e', 'electron-binary.ts'), 'utf8')
    expect(spec).toContain("process.env['TAGDECK_REQUIRE_ELECTRON'] === '1'")
  })

  it('runs the electron Playwright project there: npm test runs every project, electron included', async () => {
    // By path, so that the Node typecheck does not pull the e2e project in.
    const config = (
      (await import(path.join(ROOT, 'playwright.config.ts'))) as {
        default: { projects?: { name?: string; grep?: unknown; use?: object }[] }
      }
    ).default
    const projects = config.projects ?? []
    expect(projects.map((p) => p.name)).toEqual(['browser', 'electron'])
    const electron = projects.find((p) => p.name === 'electron')
    expect(electron?.use).toMatchObject({ transport: 'electron' })
    expect(String(electron?.grep)).toBe(String(/@electron/))
    // The CI's `npm test` reaches `playwright test` with no project filter.
    const scripts = (
      JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>
      }
    ).scripts
    expect(scripts['test']).toContain('npm run test:e2e')
    expect(scripts['test:e2e']).toMatch(/playwright test$/)
    const runs = (ci.jobs['test'].steps ?? []).map((s) => s.run ?? '')
    expect(runs.filter((r) => /(^|\s)npm test$/.test(r))).toHaveLength(2)
  })

  it('tags the review flows for both transports: one set of specs, run in Electron too', () => {
    const tagged = (file: string) =>
      readFileSync(path.join(ROOT, 'e2e', file), 'utf8').match(/tag: '@electron'/g)?.length ?? 0
    // Filter and page, the viewer with boxes, delete one and a selection.
    expect(tagged('review.spec.ts')).toBeGreaterThanOrEqual(3)
    // Available offline, restarted offline, sync after reconnect; and 503s then recovery.
    expect(tagged('offline.spec.ts')).toBeGreaterThanOrEqual(2)
    // The preload on app://, and safeStorage leaving no secret on disk in clear.
    expect(tagged('electron.spec.ts')).toBe(2)
  })

  it('builds installers only for version tags, after the tests, into a draft release', () => {
    expect(release.on).toEqual({ push: { tags: ['v*.*.*'] } })
    expect(release.jobs['test'].uses).toBe('./.github/workflows/ci.yml')
    const installers = release.jobs['installers']
    expect(installers.needs).toBe('test')
    expect(installers.if).toContain('refs/tags/v')
    const targets = (installers.strategy?.matrix.include ?? []).map((m) => m.targets).join(' ')
    for (const t of ['AppImage', 'deb', 'nsis', 'dmg', '--arm64']) expect(targets).toContain(t)
    const publish = (installers.steps ?? []).find((s) => s.run?.includes('electron-builder'))
    expect(publish?.run).toContain('--publish always')
    expect(publish?.env?.['GH_TOKEN']).toBe('${{ secrets.GITHUB_TOKEN }}')
  })

  it('signs only with secrets that exist, and says so when they do not', () => {
    const signing = (release.jobs['installers'].steps ?? []).find((s) =>
      s.run?.includes('CSC_LINK')
    )
    expect(signing?.run).toContain('Signing skipped')
    expect(signing?.run).toContain('Notarization skipped')
    expect(signing?.run).toContain('CSC_IDENTITY_AUTO_DISCOVERY=false')
  })

  it('pins every action to a commit and caches npm and Electron', () => {
    for (const w of [ci, release]) {
      for (const step of allSteps(w).filter((s) => s.uses))
        expect(step.uses, step.uses).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/)
    }
    const setupNode = allSteps(ci).find((s) => s.uses?.startsWith('actions/setup-node'))
    expect(setupNode?.with?.['cache']).toBe('npm')
    const cache = allSteps(ci).find((s) => s.uses?.startsWith('actions/cache'))
    expect(String(cache?.with?.['path'])).toContain('electron')
  })
})
