import { readFileSync, existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { log } from '../log'
import { startMainLog } from '../log/host'
import { regionEndpointFrom } from '../security/dev-overrides'
import { startBrowserShell } from './browser-shell'

// `tsx src/main/shell/cli.ts --data DIR [--port N] [--renderer DIR]`: the browser shell host.
const USAGE =
  'usage: browser-shell --data DIR [--port N] [--renderer DIR] [--token T] [--demo demo.json]'

function fail(message: string): never {
  console.error(`browser-shell: ${message}\n${USAGE}`)
  process.exit(2)
}

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        renderer: { type: 'string' },
        token: { type: 'string' },
        demo: { type: 'string' }
      },
      strict: true,
      allowPositionals: false
    })
    return values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
}

async function main(): Promise<void> {
  const args = parse()
  if (!args.data) fail('--data is required')
  const port = args.port === undefined ? 0 : Number(args.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`--port must be 0..65535, got "${args.port}"`)
  if (args.token !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(args.token))
    fail('--token must be 16-128 url-safe characters')
  const root = path.resolve(__dirname, '../../..')
  const rendererDir = path.resolve(args.renderer ?? path.join(root, 'out/renderer'))
  if (!existsSync(path.join(rendererDir, 'index.html')))
    fail(`no built renderer in ${rendererDir}: run \`npm run build\` first`)
  const version = (
    JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
  ).version

  const userDataDir = path.resolve(args.data)
  const logger = await startMainLog({ userDataDir, name: 'shell', rejections: false })
  log.info(`Tagdeck ${version} browser shell starting`)
  const shell = await startBrowserShell({
    userDataDir,
    rendererDir,
    version,
    port,
    token: args.token,
    demoFile: args.demo ? path.resolve(args.demo) : null,
    // The shell is a development and test host: the region override is always honoured here.
    regionEndpoint: regionEndpointFrom(process.env['TAGDECK_REGION_ENDPOINT'] || null)
  })
  console.log(`TAGDECK_SHELL_READY ${JSON.stringify({ url: shell.url, origin: shell.origin })}`)
  const stop = () => {
    void shell
      .close()
      .then(() => logger.close())
      .then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

void main()
