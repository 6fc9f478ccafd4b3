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
})
