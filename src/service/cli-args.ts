import path from 'node:path'
import { parseArgs } from 'node:util'
import type { ServiceOptions } from './server'

/** The service's command line, checked in full before anything starts (exit code 2 on misuse). */
export const USAGE = `usage: npm run service -- --data DIR [options]
  --data DIR          data folder (SQLite database, images, demo.json); created if missing
  --port N            port to listen on, 0..65535 (default 0: any free port)
  --host H            address to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)
  --demo              create (once) and serve the demo workspace; writes DIR/demo.json
  --demo-size N       images per demo job, 1..1000000 (default 600 and 400); needs --demo
  --demo-task-size N  images in each labeling task of the demo's new-version dataset,
                      1..200000 (default 60); needs --demo
  --region NAME       the cloud region the demo poses as (e.g. cn-north-4): its project is named
                      after it, so a client finds it by region; needs --demo
  --public-url URL    base URL clients use to reach the service (reverse proxy, LAN name);
                      AK/SK signatures may name its host as well as the listening address
  --test-faults       enable POST /__test__/faults (tests only)
  --log               log requests to stderr and DIR/logs (errors always go to both)
  --help              show this help`

export class UsageError extends Error {}

/** A cloud region id, as the app's region targets have them. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
    throw new UsageError(`--${flag} must be a whole number ${min}..${max}, got "${value}"`)
  return Number(value)
}

export function parseCli(argv: string[]): ServiceOptions | 'help' {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        demo: { type: 'boolean' },
        'demo-size': { type: 'string' },
        'demo-task-size': { type: 'string' },
        region: { type: 'string' },
        'public-url': { type: 'string' },
        'test-faults': { type: 'boolean' },
        log: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    }))
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (values.help) return 'help'
  if (!values.data) throw new UsageError('--data DIR is required')
  if (values.host !== undefined && !/^[A-Za-z0-9.:-]+$/.test(values.host))
    throw new UsageError(`--host must be an address or host name, got "${values.host}"`)
  if (values['demo-size'] !== undefined && !values.demo)
    throw new UsageError('--demo-size needs --demo')
  if (values['demo-task-size'] !== undefined && !values.demo)
    throw new UsageError('--demo-task-size needs --demo')
  if (values.region !== undefined && !values.demo) throw new UsageError('--region needs --demo')
  if (values.region !== undefined && !REGION.test(values.region))
    throw new UsageError(`--region must be a region id such as cn-north-4, got "${values.region}"`)
  const publicUrl = values['public-url']
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(publicUrl))
    throw new UsageError(`--public-url must be an http(s) URL, got "${publicUrl}"`)
  return {
    dataDir: path.resolve(values.data),
    port: values.port === undefined ? 0 : integer('port', values.port, 0, 65535),
    host: values.host ?? '127.0.0.1',
    demo: values.demo ?? false,
    demoSize:
      values['demo-size'] === undefined
        ? undefined
        : integer('demo-size', values['demo-size'], 1, 1_000_000),
    demoTaskSize:
      values['demo-task-size'] === undefined
        ? undefined
        : integer('demo-task-size', values['demo-task-size'], 1, 200_000),
    region: values.region,
    publicUrl,
    testFaults: values['test-faults'] ?? false,
    log: values.log ?? false
  }
}
