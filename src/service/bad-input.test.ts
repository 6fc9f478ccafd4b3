import Database from 'better-sqlite3'
import { readdir } from 'node:fs/promises'
import { request } from 'node:http'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, type World } from '../../testing/service-world'

// Every route refuses bad input with the documented status and code, and none of it changes
// any data: the database and the data folder are compared before and after the whole table.
let world: World
let token: string
let before: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 30 })
  token = await world.token()
  before = await snapshot()
})
afterAll(async () => {
  await world?.close()
})

async function snapshot(): Promise<string> {
  const db = new Database(path.join(world.dir, 'tagdeck.db'), { readonly: true })
  try {
    const tables = ['datasets', 'labels', 'samples', 'sample_labels', 'users', 'access_keys']
    const rows = Object.fromEntries(
      tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()])
    )
    const tokens = db.prepare('SELECT count(*) FROM tokens').pluck().get()
    const files = (await readdir(world.dir, { recursive: true }))
      .filter((f) => !f.startsWith('tagdeck.db'))
      .sort()
    return JSON.stringify({ rows, tokens, files })
  } finally {
    db.close()
  }
}

/** Raw HTTP, so path tricks reach the server exactly as written. */
function raw(
  method: string,
  target: string,
  body?: string | Buffer,
  headers: Record<string, string> = {}
) {
  const url = new URL(world.service.url)
  return new Promise<{ status: number; json: unknown; requestId: string | undefined }>(
    (resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method,
          path: target,
          headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token, ...headers }
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            let json: unknown = null
            try {
              json = JSON.parse(Buffer.concat(chunks).toString())
            } catch {
              // left null
            }
            const id = res.headers['x-request-id']
            resolve({
              status: res.statusCode ?? 0,
              json,
              requestId: Array.isArray(id) ? id[0] : id
            })
          })
        }
      )
      req.on('error', reject)
      req.end(body)
    }
  )
}

type Case = [
  name: string,
  method: string,
  target: () => string,
  body: string | undefined,
  status: number,
  code: string
]

const ds = () => world.demo.datasets[0]?.id ?? ''
const v2 = (rest: string) => () => world.v2(`/datasets/${ds()}${rest}`)
const v1 = (rest: string) => () => `/v1/${world.demo.projectId}/data-annotations/${ds()}${rest}`
const json = (value: unknown) => JSON.stringify(value)
const ids = (n: number) => json({ samples: Array.from({ length: n }, (_, i) => `id${i}`) })
const P = 'ModelArts.0104'

const cases: Case[] = [
  ['limit 0', 'GET', v2('/data-annotations/samples?limit=0'), undefined, 400, P],
  ['limit 101', 'GET', v2('/data-annotations/samples?limit=101'), undefined, 400, P],
  ['limit not a number', 'GET', v2('/data-annotations/samples?limit=ten'), undefined, 400, P],
  ['negative offset', 'GET', v2('/data-annotations/samples?offset=-1'), undefined, 400, P],
  ['repeated limit', 'GET', v2('/data-annotations/samples?limit=1&limit=2'), undefined, 400, P],
  [
    'unknown sample_state',
    'GET',
    v2('/data-annotations/samples?sample_state=__SOME__'),
    undefined,
    400,
    P
  ],
  ['unknown order', 'GET', v2('/data-annotations/samples?order=up'), undefined, 400, P],
  [
    'other image process',
    'GET',
    v2('/data-annotations/samples?process_parameter=image/rotate,90'),
    undefined,
    400,
    P
  ],
  [
    'huge resize',
    'GET',
    v2('/data-annotations/samples?process_parameter=image/resize,m_lfit,h_99999'),
    undefined,
    400,
    P
  ],
  ['datasets limit 0', 'GET', () => world.v2('/datasets?limit=0'), undefined, 400, P],
  [
    'unknown dataset',
    'GET',
    () => world.v2('/datasets/NoSuchJob/data-annotations/samples'),
    undefined,
    400,
    'ModelArts.4352'
  ],
  [
    'dataset id %2e%2e',
    'GET',
    () => world.v2('/datasets/%2e%2e/data-annotations/labels'),
    undefined,
    400,
    P
  ],
  [
    'dataset id ..%2F..%2Fetc',
    'GET',
    () => world.v2('/datasets/..%2F..%2Fetc/data-annotations/stats'),
    undefined,
    400,
    P
  ],
  ['sample id %2e%2e', 'GET', v2('/data-annotations/samples/%2e%2e'), undefined, 400, P],
  ['sample id ..%2Fx', 'GET', v2('/data-annotations/samples/..%2Fx'), undefined, 400, P],
  [
    'sample id too long',
    'GET',
    v2(`/data-annotations/samples/${'a'.repeat(129)}`),
    undefined,
    400,
    P
  ],
  ['bad %-encoding', 'GET', v2('/data-annotations/samples/%zz'), undefined, 400, P],
  [
    'dot segments',
    'GET',
    v2('/data-annotations/samples/../../../../etc/passwd'),
    undefined,
    404,
    'APIG.0101'
  ],
  ['1001 ids', 'POST', v2('/data-annotations/samples/delete'), ids(1001), 400, P],
  ['no ids', 'POST', v2('/data-annotations/samples/delete'), ids(0), 400, P],
  [
    'ids not a list',
    'POST',
    v2('/data-annotations/samples/delete'),
    json({ samples: 'a' }),
    400,
    P
  ],
  [
    'ids not strings',
    'POST',
    v2('/data-annotations/samples/delete'),
    json({ samples: [1, 2] }),
    400,
    P
  ],
  [
    'delete_source not boolean',
    'POST',
    v2('/data-annotations/samples/delete'),
    json({ samples: ['a'], delete_source: 'yes' }),
    400,
    P
  ],
  [
    'path trick in an id',
    'POST',
    v2('/data-annotations/samples/delete'),
    json({ samples: ['../x'] }),
    400,
    P
  ],
  [
    '%2e%2e in an id',
    'POST',
    v2('/data-annotations/samples/delete'),
    json({ samples: ['%2e%2e'] }),
    400,
    P
  ],
  [
    'non-JSON body',
    'POST',
    v2('/data-annotations/samples/delete'),
    '{samples: nope',
    400,
    'ModelArts.4105'
  ],
  ['empty body', 'POST', v2('/data-annotations/samples/delete'), '', 400, 'ModelArts.4105'],
  [
    '10 MB body',
    'POST',
    v2('/data-annotations/samples/delete'),
    `{"samples":["${'a'.repeat(10 * 1024 * 1024)}"]}`,
    413,
    P
  ],
  [
    'delete on unknown dataset',
    'POST',
    () => world.v2('/datasets/NoSuchJob/data-annotations/samples/delete'),
    ids(2),
    400,
    'ModelArts.4352'
  ],
  ['v1 per_page 0', 'GET', v1('/images?per_page=0'), undefined, 400, P],
  ['v1 per_page 101', 'GET', v1('/images?per_page=101'), undefined, 400, P],
  ['v1 page 0', 'GET', v1('/images?page=0'), undefined, 400, P],
  ['v1 image id %2e%2e', 'GET', v1('/images/%2e%2e/tags'), undefined, 400, P],
  ['v1 tags/show not a list', 'POST', v1('/tags/show'), json({ image_id: 'x' }), 400, P],
  ['v1 delete %2e%2e', 'DELETE', v1('/images/%2e%2e'), undefined, 400, P],
  [
    'v1 delete 1001 ids',
    'POST',
    v1('/images/delete'),
    json({ image_id: Array.from({ length: 1001 }, (_, i) => `i${i}`) }),
    400,
    P
  ],
  ['v1 delete non-JSON', 'POST', v1('/images/delete'), 'image_id=1', 400, 'ModelArts.4105'],
  ['IAM non-JSON', 'POST', () => '/v3/auth/tokens', 'user=demo', 400, 'ModelArts.4105'],
  [
    'IAM wrong shape',
    'POST',
    () => '/v3/auth/tokens',
    json({ auth: { identity: { methods: ['password'] } } }),
    400,
    P
  ],
  [
    'image URL without signature',
    'GET',
    v2('/data-annotations/samples/abc/image'),
    undefined,
    400,
    P
  ],
  [
    'image URL with id %2e%2e',
    'GET',
    v2('/data-annotations/samples/%2e%2e/image?expires=1&signature=' + 'a'.repeat(64)),
    undefined,
    400,
    P
  ],
  ['unknown route', 'GET', () => world.v2('/models'), undefined, 404, 'APIG.0101']
]

describe('bad input', () => {
  it.each(cases)('%s: %s answers %#', async (_name, method, target, body, status, code) => {
    const answer = await raw(method, target(), body)
    expect(answer.status).toBe(status)
    if (target().startsWith('/v3/'))
      // IAM: Keystone's shape, which has no ModelArts code to name.
      expect(answer.json).toMatchObject({ error: { code: status, message: expect.any(String) } })
    else expect(answer.json).toMatchObject({ error_code: code, error_msg: expect.any(String) })
    expect(answer.requestId).toMatch(/^[0-9a-f]{32}$/)
    if (target().startsWith('/v1/')) expect(answer.json).toMatchObject({ is_success: false })
  })

  it('changed no data at all', async () => {
    expect(await snapshot()).toBe(before)
  })
})
