// `npm start`: build, start the local annotation service with its demo workspace, open Tagdeck.
// Electron when its binary is installed; otherwise (or with --browser) the browser shell.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'node_modules', '.bin')
const exe = (name) => path.join(BIN, process.platform === 'win32' ? `${name}.cmd` : name)

let args
try {
  args = parseArgs({
    options: {
      browser: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'no-open': { type: 'boolean', default: false },
      data: { type: 'string', default: path.join(ROOT, '.tagdeck') },
      'service-port': { type: 'string', default: '0' },
      'shell-port': { type: 'string', default: '0' }
    },
    strict: true
  }).values
} catch (error) {
  console.error(
    `start: ${error.message}\nusage: npm start -- [--browser] [--no-build] [--no-open] [--data DIR] [--service-port N] [--shell-port N]`
  )
  process.exit(2)
}
for (const flag of ['service-port', 'shell-port']) {
  const port = Number(args[flag])
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`start: --${flag} must be a port number 0..65535, got "${args[flag]}"`)
    process.exit(2)
  }
}

const children = new Set()
function run(command, argv, options = {}) {
  const child = spawn(command, argv, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    ...options
  })
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}
function stopAll() {
  for (const child of children) child.kill('SIGTERM')
}
process.on('SIGINT', () => {
  stopAll()
  process.exit(130)
})
process.on('SIGTERM', () => {
  stopAll()
  process.exit(143)
})

/** Resolves with the JSON after `marker` on the child's stdout, echoing everything else. */
function waitForReady(child, marker) {
  return new Promise((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (chunk) => {
      const text = chunk.toString()
      buffer += text
      process.stdout.write(text.replace(new RegExp(`^${marker} .*\\n?`, 'm'), ''))
      const match = new RegExp(`${marker} (.*)`).exec(buffer)
      if (match) resolve(JSON.parse(match[1]))
    })
    child.once('exit', (code) =>
      reject(new Error(`${marker.toLowerCase()} never came (exit ${code})`))
    )
  })
}

function electronBinary() {
  const dir = path.join(ROOT, 'node_modules', 'electron')
  const pathFile = path.join(dir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

function openInBrowser(url) {
  if (args['no-open'] || process.env.CI) return
  const opener =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open'
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return
  const probe = spawnSync(process.platform === 'win32' ? 'where' : 'which', [opener], {
    stdio: 'ignore'
  })
  if (probe.status !== 0) return
  spawn(opener, [url], { stdio: 'ignore', detached: true }).unref()
}

if (!args['no-build']) {
  console.log('Building Tagdeck…')
  const build = spawnSync(exe('electron-vite'), ['build'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  if (build.status !== 0) {
    console.error('start: the build failed (see above)')
    process.exit(1)
  }
}

const serviceDir = path.join(path.resolve(args.data), 'service')
const service = run(exe('tsx'), [
  'src/service/cli.ts',
  '--data',
  serviceDir,
  '--port',
  args['service-port'],
  '--demo'
])
const demo = await waitForReady(service, 'TAGDECK_SERVICE_READY')
const demoFile = path.join(serviceDir, 'demo.json')
console.log(`Local annotation service: ${demo.endpoint} (demo workspace in ${serviceDir})`)

const electron = args.browser ? null : electronBinary()
if (electron) {
  const app = run(electron, [ROOT], {
    stdio: 'inherit',
    env: { ...process.env, TAGDECK_DEMO: demoFile }
  })
  app.on('exit', (code) => {
    stopAll()
    process.exit(code ?? 0)
  })
} else {
  if (!args.browser) {
    console.log(
      'Electron binary is not installed (its download failed or was skipped), so Tagdeck runs in the browser shell instead.'
    )
  }
  const shell = run(exe('tsx'), [
    'src/main/shell/cli.ts',
    '--data',
    path.join(path.resolve(args.data), 'browser-user'),
    '--port',
    args['shell-port'],
    '--demo',
    demoFile
  ])
  const { url } = await waitForReady(shell, 'TAGDECK_SHELL_READY')
  console.log(`Tagdeck (browser shell): open ${url}`)
  openInBrowser(url)
  shell.on('exit', (code) => {
    stopAll()
    process.exit(code ?? 0)
  })
}
