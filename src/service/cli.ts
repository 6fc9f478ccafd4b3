import { hostname, networkInterfaces } from 'node:os'
import path from 'node:path'
import { parseCli, USAGE } from './cli-args'
import { startService, type RunningService, type ServiceOptions } from './server'

/**
 * `npm run service -- --data DIR [--port N] [--host H] [--demo] [--demo-size N] [--test-faults]
 * [--public-url URL] [--log]`. Prints one `TAGDECK_SERVICE_READY {json}` line when listening
 * (scripts wait for it); stops cleanly on SIGINT/SIGTERM.
 */
function lanUrls(port: number): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => `http://${a?.address}:${port}`)
}

function describe(service: RunningService, options: ServiceOptions): string[] {
  const lines = [`Tagdeck annotation service on ${service.url} (data in ${options.dataDir})`]
  if (options.host === '0.0.0.0' || options.host === '::') {
    const urls = lanUrls(service.port)
    if (urls.length > 0) lines.push(`  on the LAN: ${urls.join(', ')}`)
    // AK/SK signatures are bound to the host they name (served-hosts.ts): say which ones work.
    lines.push(
      `  AK/SK clients: use one of these addresses, ${hostname()} or ${hostname()}.local on port ${service.port}` +
        (options.publicUrl ? `, or ${options.publicUrl}` : '; any other name needs --public-url')
    )
  }
  const { demo } = service
  if (demo)
    lines.push(
      'Demo workspace:',
      `  endpoint     ${demo.endpoint}`,
      `  project id   ${demo.projectId}`,
      `  AK           ${demo.ak}`,
      `  SK           ${demo.sk}`,
      `  IAM user     ${demo.user} / ${demo.password} (domain ${demo.domain})`,
      ...demo.datasets.map((d) => `  job          ${d.name} (${d.id})`),
      `  written to   ${path.join(options.dataDir, 'demo.json')}`
    )
  if (options.testFaults) lines.push('Test hooks ON: POST /__test__/faults')
  return lines
}

async function main(): Promise<void> {
  let options: ServiceOptions | 'help'
  try {
    options = parseCli(process.argv.slice(2))
  } catch (error) {
    console.error(`service: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
    process.exit(2)
  }
  if (options === 'help') {
    console.log(USAGE)
    return
  }
  let service: RunningService
  try {
    service = options.demo
      ? await startService({ ...options, demo: true })
      : await startService({ ...options, demo: false })
  } catch (error) {
    console.error(
      `service: could not start: ${error instanceof Error ? error.message : String(error)}`
    )
    process.exit(1)
  }
  for (const line of describe(service, options)) console.log(line)
  console.log(`TAGDECK_SERVICE_READY ${JSON.stringify(service.demo ?? { endpoint: service.url })}`)

  let stopping = false
  const stop = (signal: string) => {
    // A second signal means "now": the first one is still finishing requests.
    if (stopping) process.exit(1)
    stopping = true
    console.error(`service: ${signal}, finishing requests and closing the database`)
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`service: close failed: ${String(error)}`)
        process.exit(1)
      }
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

void main()
