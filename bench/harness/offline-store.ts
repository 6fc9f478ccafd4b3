import type { Sample } from '../../src/shared/domain'
import { openTagdeckDb, type TagdeckDb } from '../../src/renderer/src/offline/store/db'
import { storePage } from '../../src/renderer/src/offline/reads/page-store'
import { cachedSample } from '../../src/renderer/src/offline/reads/job-data'
import { cachedPage } from '../../src/renderer/src/offline/reads/pages'

/**
 * Measurements for `bench/offline.bench.ts`, run inside Chromium (or, labelled as such, in
 * Node with fake-indexeddb): this module's writes and reads against raw IndexedDB doing the
 * same work with the same keys and indexes. Not part of the app.
 */

const job = { connectionId: 'bench', jobId: 'job' }
const filter = { kind: 'everything' } as const

function sample(i: number): Sample {
  const tag = i % 3 === 0 ? 'cat' : 'dog'
  return {
    id: `s${i}`,
    name: `image-${i}.jpg`,
    tags: [tag],
    boxes: [{ tag, x1: 10, y1: 20, x2: 110, y2: 220 }],
    size: { width: 1280, height: 720, depth: 3 },
    annotated: true,
    time: 1_700_000_000_000 + i,
    bytes: 120_000 + i
  }
}

const pageSamples = (page: number, perPage: number) =>
  Array.from({ length: perPage }, (_, i) => sample((page - 1) * perPage + i))

let n = 0
const freshName = (kind: string) => `bench-${kind}-${Date.now()}-${++n}`

// ---- Dexie: the offline layer's own code path ----------------------------------------------

let dexieDb: TagdeckDb | null = null

export async function dexieWrite(pages: number, perPage: number): Promise<number> {
  dexieDb?.close()
  dexieDb = openTagdeckDb(freshName('dexie'))
  await dexieDb.open()
  const data = Array.from({ length: pages }, (_, p) => pageSamples(p + 1, perPage))
  const req = { ...job, filter, perPage }
  const started = performance.now()
  for (let p = 1; p <= pages; p++) {
    const result = { total: pages * perPage, page: p, perPage, samples: data[p - 1] }
    await storePage(dexieDb, req, result, 0, Date.now())
  }
  return performance.now() - started
}

export async function dexieRead(page: number, perPage: number): Promise<number> {
  if (!dexieDb) throw new Error('write first')
  const started = performance.now()
  const view = await cachedPage(dexieDb, { ...job, filter, page, perPage })
  const ms = performance.now() - started
  if (!view || view.samples.length !== perPage) throw new Error(`page ${page} not read back`)
  return ms
}

/**
 * A big job cached whole (e.g. 1,000 pages of 100: a 100,000-image job made available offline),
 * for `dexieFind`: the read of one sample's cached copy, which finds the pages holding it.
 */
let bigDb: TagdeckDb | null = null

export async function dexieBigJob(pages: number, perPage: number): Promise<number> {
  bigDb?.close()
  bigDb = openTagdeckDb(freshName('dexie-big'))
  await bigDb.open()
  const req = { ...job, filter, perPage }
  const started = performance.now()
  for (let p = 1; p <= pages; p++) {
    const result = { total: pages * perPage, page: p, perPage, samples: pageSamples(p, perPage) }
    await storePage(bigDb, req, result, 0, Date.now())
  }
  return performance.now() - started
}

export async function dexieFind(sample: number): Promise<number> {
  if (!bigDb) throw new Error('cache the big job first')
  const started = performance.now()
  const found = await cachedSample(bigDb, job, `s${sample}`)
  const ms = performance.now() - started
  if (found?.value.id !== `s${sample}`) throw new Error(`sample ${sample} not found`)
  return ms
}

// ---- raw IndexedDB: same stores, keys and indexes, no overlay --------------------------------

let rawDb: IDBDatabase | null = null

const done = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve()
    tx.onerror = () => reject(tx.error)
    tx.onabort = () => reject(tx.error)
  })

function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1)
    request.onupgradeneeded = () => {
      const db = request.result
      db.createObjectStore('listings', {
        keyPath: ['connectionId', 'jobId', 'filterKey', 'perPage']
      })
      const key = ['connectionId', 'jobId', 'filterKey', 'perPage', 'page']
      db.createObjectStore('pages', { keyPath: key }).createIndex('lastUsedAt', 'lastUsedAt')
      db.createObjectStore('pageIds', { keyPath: key })
      const samples = db.createObjectStore('samples', {
        keyPath: ['connectionId', 'jobId', 'sampleId']
      })
      samples.createIndex('job', ['connectionId', 'jobId'])
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** A page row as raw IndexedDB stores it (the key's parts, the ids and the samples). */
const rawPage = (page: number, perPage: number, samples: Sample[]) => ({
  ...job,
  filterKey: 'everything',
  perPage,
  page,
  sampleIds: samples.map((s) => s.id),
  samples
})

export async function rawWrite(pages: number, perPage: number): Promise<number> {
  rawDb?.close()
  rawDb = await openRaw(freshName('raw'))
  const db = rawDb
  const data = Array.from({ length: pages }, (_, p) => pageSamples(p + 1, perPage))
  const started = performance.now()
  for (let p = 1; p <= pages; p++) {
    const now = Date.now()
    const tx = db.transaction(['listings', 'pages', 'pageIds'], 'readwrite')
    const samples = data[p - 1]
    tx.objectStore('listings').put({
      ...job,
      filterKey: 'everything',
      filter,
      perPage,
      total: pages * perPage,
      fetchedAt: now,
      staleAt: null,
      hidden: {}
    })
    tx.objectStore('pages').put({
      ...rawPage(p, perPage, samples),
      fetchedAt: now,
      lastUsedAt: now,
      bytes: JSON.stringify(samples).length
    })
    tx.objectStore('pageIds').put({
      ...job,
      filterKey: 'everything',
      perPage,
      page: p,
      ids: JSON.stringify(samples.map((s) => s.id))
    })
    await done(tx)
  }
  return performance.now() - started
}

const get = <T>(store: IDBObjectStore | IDBIndex, key: IDBValidKey) =>
  new Promise<T | undefined>((resolve, reject) => {
    const request = store.get(key)
    request.onsuccess = () => resolve(request.result as T | undefined)
    request.onerror = () => reject(request.error)
  })

export async function rawRead(page: number, perPage: number): Promise<number> {
  if (!rawDb) throw new Error('write first')
  const started = performance.now()
  const tx = rawDb.transaction(['listings', 'pages'], 'readonly')
  await get(tx.objectStore('listings'), [job.connectionId, job.jobId, 'everything', perPage])
  const row = await get<{ samples: Sample[] }>(tx.objectStore('pages'), [
    job.connectionId,
    job.jobId,
    'everything',
    perPage,
    page
  ])
  const samples = row?.samples ?? []
  const ms = performance.now() - started
  if (samples.length !== perPage || samples.some((s) => !s))
    throw new Error(`page ${page} not read back`)
  return ms
}

/**
 * The baseline for `dexieFind`: the same pages in raw IndexedDB with the multi-entry index of
 * sample ids the pages had before schema 6, and one sample's page found through it.
 */
let rawBigDb: IDBDatabase | null = null

export async function rawBigJob(pages: number, perPage: number): Promise<number> {
  rawBigDb?.close()
  rawBigDb = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(freshName('raw-big'), 1)
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore('pages', {
        keyPath: ['connectionId', 'jobId', 'filterKey', 'perPage', 'page']
      })
      store.createIndex('sampleIds', 'sampleIds', { multiEntry: true })
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const started = performance.now()
  for (let p = 1; p <= pages; p++) {
    const tx = rawBigDb.transaction('pages', 'readwrite')
    const samples = pageSamples(p, perPage)
    tx.objectStore('pages').put(rawPage(p, perPage, samples))
    await done(tx)
  }
  return performance.now() - started
}

export async function rawFind(sample: number): Promise<number> {
  if (!rawBigDb) throw new Error('cache the big job first')
  const started = performance.now()
  const tx = rawBigDb.transaction('pages', 'readonly')
  const row = await get<{ samples: Sample[] }>(
    tx.objectStore('pages').index('sampleIds'),
    `s${sample}`
  )
  const found = row?.samples.find((x) => x.id === `s${sample}`)
  const ms = performance.now() - started
  if (!found) throw new Error(`sample ${sample} not found`)
  return ms
}
