import { afterEach, describe, expect, it } from 'vitest'
import { buildClient } from '../connections/client'
import {
  startRecordedService,
  type Answerer,
  type RecordedService
} from '../testing/recorded-service'

// The cloud's answers in their documented shapes, including the awkward ones the local service
// never gives, against the real client stack (signing, HTTP, parsing, operations).
const PROJECT = '0123456789abcdef0123456789abcdef'
const DATASET = 'gfghHSokody6AJigS5A'
let recorded: RecordedService | null = null

afterEach(async () => {
  await recorded?.close()
  recorded = null
})

async function opsAgainst(answer: Answerer) {
  recorded = await startRecordedService(answer)
  return buildClient(
    {
      target: { kind: 'endpoint', url: recorded.url },
      projectId: PROJECT,
      auth: { kind: 'aksk', ak: 'AKRECORDED' }
    },
    'sk-recorded',
    { sleep: async () => {} }
  ).ops
}

const SAMPLES = `/v2/${PROJECT}/datasets/${DATASET}/data-annotations/samples`

/** DescribeSample answers: the ids in `present` exist, the others are ModelArts.4420. */
function describeFrom(present: Set<string>): Answerer {
  return (asked) => {
    if (asked.method !== 'GET' || !asked.path.startsWith(`${SAMPLES}/`)) return undefined
    const id = decodeURIComponent(asked.path.slice(SAMPLES.length + 1))
    return present.has(id)
      ? { body: { sample_id: id, sample_name: `${id}.jpg`, labels: [] } }
      : { status: 400, body: { error_code: 'ModelArts.4420', error_msg: 'Sample not found' } }
  }
}

describe('DeleteSamples answers that cannot be trusted by position', () => {
  it('a plain success (the documented example: {"success": true}) deletes every id', async () => {
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete` ? { body: { success: true } } : undefined
    )
    expect(await ops.deleteSamples(DATASET, ['a', 'b'])).toEqual([
      { id: 'a', status: 'deleted' },
      { id: 'b', status: 'deleted' }
    ])
    expect(recorded?.asked).toHaveLength(1)
  })

  it('fewer results than ids: every sample is read back, and only the ones still there failed', async () => {
    const still = new Set(['b'])
    const read = describeFrom(still)
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete`
        ? {
            body: {
              success: false,
              results: [{ success: false, error_code: 'ModelArts.4999', error_msg: 'busy' }]
            }
          }
        : read(asked)
    )
    expect(await ops.deleteSamples(DATASET, ['a', 'b', 'c'])).toEqual([
      { id: 'a', status: 'deleted' },
      {
        id: 'b',
        status: 'failed',
        code: 'unknown',
        message: 'The service did not delete it and did not say why'
      },
      { id: 'c', status: 'deleted' }
    ])
  })

  it('a failed item is confirmed by reading it; "sample not found" is already gone', async () => {
    const read = describeFrom(new Set(['c']))
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete`
        ? {
            body: {
              success: false,
              results: [
                { success: true },
                { success: false, error_code: 'ModelArts.4420', error_msg: 'Sample not found' },
                { success: false, error_code: 'ModelArts.4999', error_msg: 'locked by a task' },
                { success: false, error_code: 'ModelArts.4999', error_msg: 'locked by a task' }
              ]
            }
          }
        : read(asked)
    )
    expect(await ops.deleteSamples(DATASET, ['a', 'b', 'c', 'd'])).toEqual([
      { id: 'a', status: 'deleted' },
      { id: 'b', status: 'gone', code: 'ModelArts.4420' },
      { id: 'c', status: 'failed', code: 'ModelArts.4999', message: 'locked by a task' },
      // The item said it failed, but the sample is gone: it was deleted.
      { id: 'd', status: 'deleted' }
    ])
    const reads = recorded?.asked
      .filter((a) => a.method === 'GET')
      .map((a) => a.path.split('/').pop())
    expect(reads?.sort()).toEqual(['c', 'd'])
  })

  it('success with results that do not line up is not trusted either', async () => {
    const read = describeFrom(new Set(['a']))
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete`
        ? { body: { success: true, results: [{ success: true }] } }
        : read(asked)
    )
    const outcomes = await ops.deleteSamples(DATASET, ['a', 'b'])
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'deleted'])
  })
})

describe('what the client asks for', () => {
  it('lists samples in the order it shows, with thumbnails; DescribeSample is never asked for one', async () => {
    const ops = await opsAgainst((asked) => {
      if (asked.path === SAMPLES)
        return {
          body: {
            sample_count: 1,
            samples: [
              { sample_id: 's1', sample_name: 's1.jpg', source: 'https://obs.example/s1?thumb' }
            ]
          }
        }
      if (asked.path === `${SAMPLES}/s1`)
        return { body: { sample_id: 's1', source: 'https://obs.example/s1' } }
      return undefined
    })
    const listed = await ops.listPage(DATASET, { kind: 'everything' }, 1, 100)
    expect(listed.thumbSources).toEqual([{ id: 's1', source: 'https://obs.example/s1?thumb' }])
    const list = recorded!.asked[0]
    expect(list.query.get('order')).toBe('asc')
    expect(list.query.get('process_parameter')).toBe('image/resize,m_lfit,h_200')
    expect(await ops.imageSource(DATASET, 's1')).toBe('https://obs.example/s1')
    expect(recorded!.asked[1].query.has('process_parameter')).toBe(false)
  })
})
