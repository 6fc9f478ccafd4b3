import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { startService } from './server'
import { spawnService, type ServiceProcess } from '../../testing/service-cli'
import { ErrorBody, issueToken, SampleList } from '../../testing/service-world'

// A 500 is a bug or a broken disk: whoever runs the service must see it, with the request id
// the client got, even without --log. Here an original image is damaged on disk, so making its
// thumbnail fails.
let dir: string
let service: ServiceProcess

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-error-log-'))
  service = await spawnService(dir, ['--demo-size', '3'])
})
afterAll(async () => {
  await service?.stop()
  await rm(dir, { recursive: true, force: true })
})

async function firstSample(token: string, query: Record<string, string>) {
  const { demo } = service
  const dataset = demo.datasets[0]?.id ?? ''
  const url = new URL(
    `/v2/${demo.projectId}/datasets/${dataset}/data-annotations/samples`,
    demo.endpoint
  )
  for (const [k, v] of Object.entries({ limit: '1', ...query })) url.searchParams.set(k, v)
  const answer = await fetch(url, { headers: { 'X-Auth-Token': token } })
  const sample = SampleList.parse(await answer.json()).samples[0]
  if (!sample) throw new Error('no sample')
  return sample
}

it('writes every 500 to stderr with its request id, without --log', async () => {
  const token = z
    .string()
    .parse((await issueToken(service.demo.endpoint, service.demo)).headers.get('x-subject-token'))
  const original = await firstSample(token, {})
  expect((await fetch(original.source)).status).toBe(200)
  const files = await readdir(path.join(dir, 'images'), { recursive: true })
  const file = files.find((f) => path.basename(f).startsWith(`${original.sample_id}.`))
  if (!file) throw new Error(`no file for ${original.sample_id} in ${files.join(', ')}`)
  await writeFile(path.join(dir, 'images', file), 'this is not an image')

  const thumbnail = await firstSample(token, { process_parameter: 'image/resize,m_lfit,h_200' })
  const answer = await fetch(thumbnail.source)
  expect(answer.status).toBe(500)
  expect(ErrorBody.parse(await answer.json()).error_code).toBe('ModelArts.0001')
  const requestId = answer.headers.get('x-request-id') ?? ''
  expect(requestId).toMatch(/^[0-9a-f]{32}$/)
  await expect.poll(() => service.stderr(), { timeout: 5_000 }).toContain(requestId)
  const line =
    service
      .stderr()
      .split('\n')
      .find((l) => l.includes(requestId)) ?? ''
  expect(line).toMatch(/500/)
  expect(line).toContain(`/samples/${thumbnail.sample_id}/image`)
  // The image URL's signature is a credential: it stays out of the log.
  expect(service.stderr()).not.toMatch(/signature=/)
  // The log file in the data folder holds it too, as a JSON line at level error.
  const logText = async () => {
    const names = (await readdir(path.join(dir, 'logs'))).filter((n) => n.endsWith('.log'))
    return (await Promise.all(names.map((n) => readFile(path.join(dir, 'logs', n), 'utf8')))).join(
      ''
    )
  }
  await expect.poll(logText, { timeout: 5_000 }).toContain(requestId)
  const entry = (await logText())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .find((e) => e.msg.includes(requestId))
  expect(entry?.level).toBe(50)
  expect(entry?.msg).toContain('500')
  for (const value of new URL(thumbnail.source).searchParams.values())
    if (value.length > 8) expect(await logText()).not.toContain(value)
})

it('with --log, writes each request to the log file with its URL query redacted', async () => {
  const data = await mkdtemp(path.join(tmpdir(), 'tagdeck-request-log-'))
  const running = await startService({ dataDir: data, demo: true, demoSize: 2, log: true })
  try {
    const token = z
      .string()
      .parse((await issueToken(running.demo.endpoint, running.demo)).headers.get('x-subject-token'))
    const dataset = running.demo.datasets[0]?.id ?? ''
    const list = new URL(
      `/v2/${running.demo.projectId}/datasets/${dataset}/data-annotations/samples?limit=1`,
      running.demo.endpoint
    )
    const listed = SampleList.parse(
      await (await fetch(list, { headers: { 'X-Auth-Token': token } })).json()
    )
    const source = listed.samples[0]?.source ?? ''
    expect((await fetch(source)).status).toBe(200)
    await running.close()
    const names = (await readdir(path.join(data, 'logs'))).filter((n) => n.endsWith('.log'))
    const text = (
      await Promise.all(names.map((n) => readFile(path.join(data, 'logs', n), 'utf8')))
    ).join('')
    const sourcePath = new URL(source).pathname
    expect(text).toContain(sourcePath)
    expect(text).toContain('listening on')
    for (const value of new URL(source).searchParams.values())
      if (value.length > 8) expect(text).not.toContain(value)
    expect(text).not.toContain(token)
  } finally {
    await running.close()
    await rm(data, { recursive: true, force: true })
  }
})
