// Runs Electron's own binary download (denied as a dependency script in package.json `allowScripts`)
// so that `npm install` succeeds where the binary cannot be fetched. On failure: one clear line, exit 0.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

const require = createRequire(import.meta.url)
let electronDir
try {
  electronDir = path.dirname(require.resolve('electron/package.json'))
} catch {
  process.exit(0) // electron is a devDependency; absent in production installs
}

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log(
    'tagdeck: ELECTRON_SKIP_BINARY_DOWNLOAD is set, not downloading Electron (npm start will use the browser shell)'
  )
  process.exit(0)
}
if (existsSync(path.join(electronDir, 'path.txt'))) process.exit(0) // already installed

const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
  encoding: 'utf8'
})
if (result.status === 0 && existsSync(path.join(electronDir, 'path.txt'))) {
  console.log('tagdeck: Electron binary installed')
} else {
  const lines = (result.stderr || result.error?.message || 'unknown error').trim().split('\n')
  const reason = lines.find((line) => !/^\s*at\s/.test(line)) ?? 'unknown error'
  console.log(
    `tagdeck: Electron binary could not be downloaded (${reason.slice(0, 160)}); ` +
      '`npm start` will fall back to the browser shell and Electron-only tests will skip'
  )
}
