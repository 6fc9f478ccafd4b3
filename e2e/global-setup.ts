import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { electronBinary } from './electron-binary'

/** Where the run's services keep the demo images they draw, for each other (`renderCache`). */
export const RENDER_CACHE_ENV = 'TAGDECK_E2E_RENDER_CACHE'

// Said once per run, where everyone sees it: why the Electron project will skip. Every test's
// service draws the same demo images (the demo is seeded): one folder for the run keeps what
// one drew for the others (workers get it through the environment), removed at the end.
export default function globalSetup(): () => void {
  const binary = electronBinary()
  if ('missing' in binary)
    console.log(
      `\n[e2e] the electron project (e2e/electron.spec.ts and the specs tagged @electron) will skip: ${binary.missing}\n`
    )
  const cache = mkdtempSync(path.join(tmpdir(), 'tagdeck-e2e-renders-'))
  process.env[RENDER_CACHE_ENV] = cache
  return () => rmSync(cache, { recursive: true, force: true })
}
