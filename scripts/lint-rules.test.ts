import path from 'node:path'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The import boundaries are architecture (architecture.md), so they are tested like code.
const ROOT = path.resolve(__dirname, '..')
const eslint = new ESLint({ cwd: ROOT })

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) })
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => m.message)
}

describe('import boundaries', () => {
  it('keeps ipcMain in the main IPC helper only', async () => {
    const code = "import { ipcMain } from 'electron'\nipcMain.handle('x', () => 1)\n"
    expect(await restricted('src/main/electron/ipc.ts', code)).toEqual([])
    expect(await restricted('src/main/handlers/app.ts', code)).toHaveLength(1)
    expect(await restricted('src/main/electron/window.ts', code)).toHaveLength(1)
  })

  it('keeps ipcRenderer in the preload only', async () => {
    const code = "import { ipcRenderer } from 'electron'\nvoid ipcRenderer\n"
    expect(await restricted('src/preload/index.ts', code)).toEqual([])
    expect(await restricted('src/preload/other.ts', code)).toHaveLength(1)
    expect(await restricted('src/renderer/src/App.tsx', code)).not.toEqual([])
  })

  it('keeps the renderer away from main and the service', async () => {
    expect(
      await restricted(
        'src/renderer/src/x.ts',
        "import { startService } from '../../service/server'\nvoid startService\n"
      )
    ).toHaveLength(1)
    expect(
      await restricted(
        'src/renderer/src/x.ts',
        "import { createMainCore } from '../../main/core'\nvoid createMainCore\n"
      )
    ).toHaveLength(1)
    expect(
      await restricted('src/renderer/src/x.ts', "import { call } from './platform'\nvoid call\n")
    ).toEqual([])
  })

  it('lets the rest of the renderer into the offline layer by its door only', async () => {
    const door = "import { getOffline } from '../offline'\nvoid getOffline\n"
    const room = "import { getDb } from '../offline/store/db'\nvoid getDb\n"
    expect(await restricted('src/renderer/src/data/x.ts', door)).toEqual([])
    expect(await restricted('src/renderer/src/data/x.ts', room)).toHaveLength(1)
    // Inside, the rooms import each other freely.
    expect(
      await restricted(
        'src/renderer/src/offline/reads/x.ts',
        "import { getDb } from '../store/db'\nvoid getDb\n"
      )
    ).toEqual([])
  })
})

describe('failures leave a trace', () => {
  const dropped = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) })
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').length
  }

  it('refuses a dropped rejection or live-query error in the offline layer unless a comment says why', async () => {
    const file = 'src/renderer/src/offline/reads/x.ts'
    expect(
      await dropped(file, 'export const f = (p: Promise<void>) => p.catch(() => undefined)\n')
    ).toBe(1)
    expect(await dropped(file, 'export const o = { error: () => undefined }\n')).toBe(1)
    expect(
      await dropped(
        file,
        'export const f = (p: Promise<void>) => p.catch((e: unknown) => console.warn(e))\n'
      )
    ).toBe(0)
    expect(
      await dropped(
        file,
        'export const f = (p: Promise<void>) =>\n  // eslint-disable-next-line no-restricted-syntax -- awaited later\n  p.catch(() => undefined)\n'
      )
    ).toBe(0)
  })

  it('refuses dropped failures everywhere in src: main, the service, the preload, the renderer', async () => {
    const cases: [string, number][] = [
      ['export const f = (p: Promise<void>) => p.catch(() => {})\n', 1],
      ['export const f = (p: Promise<void>) => p.then(() => 1, () => undefined)\n', 1],
      ['export const f = (p: Promise<string>) => p.catch(() => null)\n', 1],
      [
        "export const f = (s: import('node:stream').Readable) => s.on('error', () => undefined)\n",
        1
      ],
      [
        'export function f(s: string) {\n  try {\n    return JSON.parse(s)\n  } catch {\n    return null\n  }\n}\n',
        1
      ],
      // A catch that throws hands the failure on.
      [
        "export function f(s: string) {\n  try {\n    return JSON.parse(s)\n  } catch {\n    throw new Error('not JSON')\n  }\n}\n",
        0
      ],
      // A catch that uses its error (to log it) is fine.
      [
        'export function f(s: string) {\n  try {\n    return JSON.parse(s)\n  } catch (error) {\n    console.warn(error)\n    return null\n  }\n}\n',
        0
      ],
      // A justified exception.
      [
        'export function f(s: string) {\n  try {\n    return JSON.parse(s)\n    // eslint-disable-next-line no-restricted-syntax -- null is the answer\n  } catch {\n    return null\n  }\n}\n',
        0
      ]
    ]
    for (const file of [
      'src/main/api/x.ts',
      'src/main/shell/x.ts',
      'src/service/x.ts',
      'src/preload/x.ts',
      'src/shared/x.ts',
      'src/renderer/src/viewer/x.ts'
    ])
      for (const [code, count] of cases)
        expect([file, code, await dropped(file, code)]).toEqual([file, code, count])
    // Tests may drop what they like.
    expect(await dropped('src/main/api/x.test.ts', cases[0]?.[0] ?? '')).toBe(0)
  })

  it('keeps CSS classes out of the end-to-end tests', async () => {
    const spec = 'e2e/x.spec.ts'
    expect(
      await dropped(
        spec,
        "export const f = (p: import('@playwright/test').Page) => p.locator('.topbar')\n"
      )
    ).toBe(1)
    expect(
      await dropped(
        spec,
        "export const f = (p: import('@playwright/test').Page) => p.getByRole('banner')\n"
      )
    ).toBe(0)
  })
})
