import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { startService, type DemoInfo, type RunningService } from '../src/service/server'
import { signHeaders } from '../src/service/signer'

/**
 * For the service's own tests: a real service on an ephemeral port over a real SQLite file in a
 * temp folder, and a small HTTP client that signs (AK/SK) or sends a token.
 */
export interface Answer {
  status: number
  headers: Headers
  text: string
  json: unknown
}

export interface CallOptions {
  query?: Record<string, string>
  body?: unknown
  /** Sent as is (not JSON-encoded) when a string. */
  rawBody?: string
  headers?: Record<string, string>
  auth?: 'token' | 'aksk' | 'none'
}

export interface World {
  dir: string
  service: RunningService & { demo: DemoInfo }
  demo: DemoInfo
  /** Lets a test move the service's clock. */
  clock: { offsetMs: number }
  token(): Promise<string>
  call(method: string, path: string, options?: CallOptions): Promise<Answer>
  /** `/v2/{project}` + rest. */
  v2(rest: string): string
  restart(): Promise<void>
  close(): Promise<void>
}

/**
 * One request over `node:http`, sent exactly as given: any Host header, a chosen local address,
 * a target fetch would normalize.
 */
export function rawCall(
  base: string,
  options: {
    method?: string
    target: string
    headers?: Record<string, string>
    body?: string
    localAddress?: string
  }
): Promise<Answer> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.target,
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown = null
          try {
            json = JSON.parse(text)
          } catch {
            // not JSON: left null
          }
          const headers = new Headers()
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined)
              headers.set(name, Array.isArray(value) ? value.join(', ') : value)
          resolve({ status: res.statusCode ?? 0, headers, text, json })
        })
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

/** The IAM password body for `user`, scoped to the demo project. */
export function tokenBody(demo: DemoInfo, user = demo.user, password = demo.password): string {
  return JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: user, password, domain: { name: demo.domain } } }
      },
      scope: { project: { id: demo.projectId } }
    }
  })
}

export async function issueToken(endpoint: string, demo: DemoInfo): Promise<Response> {
  return fetch(new URL('/v3/auth/tokens?nocatalog=true', endpoint), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json;charset=utf8' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: demo.user, password: demo.password, domain: { name: demo.domain } }
          }
        },
        scope: { project: { id: demo.projectId } }
      }
    })
  })
}

export async function startWorld(
  options: {
    demoSize?: number
    dir?: string
    host?: string
    publicUrl?: string
    renderCache?: string
  } = {}
): Promise<World> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'tagdeck-service-')))
  const clock = { offsetMs: 0 }
  const start = () =>
    startService({
      dataDir: dir,
      port: 0,
      demo: true,
      demoSize: options.demoSize ?? 120,
      testFaults: true,
      host: options.host,
      publicUrl: options.publicUrl,
      renderCache: options.renderCache,
      now: () => Date.now() + clock.offsetMs
    })
  let service = await start()
  let token: string | null = null

  const world: World = {
    dir,
    get service() {
      return service
    },
    get demo() {
      return service.demo
    },
    clock,
    async token() {
      if (token) return token
      const response = await issueToken(service.url, service.demo)
      if (response.status !== 201) throw new Error(`token: HTTP ${response.status}`)
      token = z.string().parse(response.headers.get('x-subject-token'))
      return token
    },
    async call(method, target, call = {}) {
      const url = new URL(target, service.url)
      for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.append(k, v)
      const body = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body))
      let headers: Record<string, string> = {
        'Content-Type': 'application/json',
        ...call.headers
      }
      const auth = call.auth ?? 'token'
      if (auth === 'token') headers['X-Auth-Token'] = await world.token()
      if (auth === 'aksk') {
        headers = signHeaders({
          method,
          url,
          headers,
          body: body ?? '',
          ak: service.demo.ak,
          sk: service.demo.sk,
          date: Date.now()
        })
        delete headers.Host
      }
      const response = await fetch(url, { method, headers, body })
      const text = await response.text()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        // not JSON: left null
      }
      return { status: response.status, headers: response.headers, text, json }
    },
    v2: (rest) => `/v2/${service.demo.projectId}${rest}`,
    async restart() {
      await service.close()
      service = await start()
    },
    async close() {
      await service.close()
      if (!options.dir) await rm(dir, { recursive: true, force: true })
    }
  }
  return world
}

/** Wire shapes the tests read, parsed so a wrong shape fails loudly. */
export const WireSample = z.object({
  sample_id: z.string(),
  sample_name: z.string(),
  sample_status: z.enum(['MANUAL_ANNOTATION', 'UN_ANNOTATION']),
  sample_time: z.number(),
  source: z.string(),
  labels: z.array(
    z.object({ name: z.string(), type: z.number(), property: z.record(z.string(), z.unknown()) })
  ),
  metadata: z.object({ '@modelarts:size': z.tuple([z.number(), z.number(), z.number()]) })
})
export const SampleList = z.object({ sample_count: z.number(), samples: z.array(WireSample) })
export const Stats = z.object({
  label_stats: z.array(z.object({ name: z.string(), count: z.number(), sample_count: z.number() })),
  sample_stats: z.object({
    all: z.number(),
    total: z.number(),
    un_annotation: z.number(),
    manual_annotation: z.number(),
    deleted: z.number()
  })
})
export const ErrorBody = z.object({ error_code: z.string(), error_msg: z.string() })
/** IAM's errors are Keystone's: `{"error": {"code": 401, "message": ..., "title": ...}}`. */
export const KeystoneError = z.object({
  error: z.object({ code: z.number(), message: z.string(), title: z.string() })
})
