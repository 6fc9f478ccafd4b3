import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The Electron binary if it is installed, or why not. npm's install step cannot always download
 * it (see README); specs that need it skip with this reason instead of failing, except where
 * `TAGDECK_REQUIRE_ELECTRON=1` (the hosted CI, which can download it) makes a missing binary an
 * error.
 */
export function electronBinary(): { path: string } | { missing: string } {
  const found = findElectron()
  if ('missing' in found && process.env['TAGDECK_REQUIRE_ELECTRON'] === '1')
    throw new Error(`TAGDECK_REQUIRE_ELECTRON=1, but ${found.missing}`)
  return found
}

function findElectron(): { path: string } | { missing: string } {
  const dir = path.resolve(__dirname, '..', 'node_modules', 'electron')
  const pathFile = path.join(dir, 'path.txt')
  if (!existsSync(pathFile)) {
    return {
      missing:
        'Electron binary is not installed (node_modules/electron/path.txt is absent: its download failed or was skipped); run `node node_modules/electron/install.js` where the network allows'
    }
  }
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary)
    ? { path: binary }
    : { missing: `Electron binary listed in path.txt is missing: ${binary}` }
}
