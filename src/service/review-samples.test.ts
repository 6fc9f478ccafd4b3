import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SampleList, startWorld, WireSample, type World } from '../../testing/service-world'

// ReviewSamples and AcceptSamples over HTTP against a real service: verdicts stored on a task's
// samples, shown in its listings, filtering them by review state, and refused in the wrong
// task state or for a sample outside the task.
let world: World
beforeAll(async () => {
  world = await startWorld({ demoSize: 40 })
})
afterAll(async () => {
  await world?.close()
})

const cloud = () => {
  const v = world.demo.newVersion
  if (!v) throw new Error('the demo has no new-version dataset')
  return v
}
/** "Boxes: first pass" is being labeled (status 1), "Tags: first pass" is being accepted (2). */
const tasks = () => {
  const [labeling, accepting] = cloud().tasks
  return { labeling: labeling?.id ?? '', accepting: accepting?.id ?? '' }
}
const taskPath = (task: string, rest: string) =>
  world.v2(`/datasets/${cloud().dataset.id}/workforce-tasks/${task}${rest}`)
const TaskSample = WireSample.extend({
  review_accept: z.boolean().optional(),
  review_comment: z.string().optional(),
  review_score: z.string().optional(),
  worker_id: z.string().optional(),
  check_accept: z.boolean().optional(),
  check_comment: z.string().optional(),
  check_score: z.string().optional()
})
const TaskList = SampleList.extend({ samples: z.array(TaskSample) })
const list = async (task: string, query: Record<string, string> = {}) => {
  const answer = await world.call('GET', taskPath(task, '/data-annotations/samples'), {
    query: { limit: '100', order: 'asc', ...query }
  })
  expect(answer.status, answer.text).toBe(200)
  return TaskList.parse(answer.json)
}
const ids = (l: { samples: { sample_id: string }[] }) => l.samples.map((s) => s.sample_id)
const review = (task: string, comments: unknown[]) =>
  world.call('POST', taskPath(task, '/data-annotations/review'), { body: { comments } })
const accept = (task: string, comments: unknown[]) =>
  world.call('POST', taskPath(task, '/acceptance/batch-comment'), { body: { comments } })

describe('ReviewSamples', () => {
  it('stores accept and reject with comment and score; review states filter the listing', async () => {
    const { labeling } = tasks()
    const all = ids(await list(labeling))
    const [a, b, c] = all
    const answer = await review(labeling, [
      { sample_id: a, worker_id: 'w1', accept: true, score: 'A' },
      { sample_id: b, worker_id: 'w1', accept: true, comment: 'fine', score: 'B' },
      { sample_id: c, worker_id: 'w2', accept: false, comment: 'box too loose', score: 'D' }
    ])
    expect(answer.status, answer.text).toBe(200)
    expect(answer.json).toEqual({})

    const reviewed = await list(labeling, { sample_state: '__REVIEWED__' })
    expect(ids(reviewed)).toEqual([a, b, c])
    expect(reviewed.sample_count).toBe(3)
    expect(ids(await list(labeling, { sample_state: '__ACCEPTED__' }))).toEqual([a, b])
    expect(ids(await list(labeling, { sample_state: '__REJECTED__' }))).toEqual([c])
    const unreviewed = await list(labeling, { sample_state: '__UNREVIEWED__' })
    expect(unreviewed.sample_count).toBe(all.length - 3)
    expect(ids(unreviewed)).toEqual(all.slice(3))

    expect(reviewed.samples[2]).toMatchObject({
      review_accept: false,
      review_comment: 'box too loose',
      review_score: 'D',
      worker_id: 'w2'
    })
    const one = TaskSample.parse(
      (await world.call('GET', taskPath(labeling, `/data-annotations/samples/${a}`))).json
    )
    expect(one).toMatchObject({ review_accept: true, review_comment: '', review_score: 'A' })
    // An unreviewed sample carries no review fields.
    expect(unreviewed.samples[0]).not.toHaveProperty('review_accept')

    // A later verdict replaces the earlier one.
    await review(labeling, [{ sample_id: c, accept: true, score: 'C' }])
    expect(ids(await list(labeling, { sample_state: '__REJECTED__' }))).toEqual([])
    expect(ids(await list(labeling, { sample_state: '__ACCEPTED__' }))).toEqual([a, b, c])
  })

  it('refuses a verdict when the task is not being labeled, or for a sample outside it, writing nothing', async () => {
    const { labeling, accepting } = tasks()
    const theirs = ids(await list(accepting))[0]
    const wrongState = await review(accepting, [{ sample_id: theirs, accept: true }])
    expect(wrongState.status).toBe(400)
    expect(wrongState.json).toMatchObject({ error_code: 'ModelArts.4621' })

    const [mine] = ids(await list(labeling, { sample_state: '__UNREVIEWED__' }))
    const outside = await review(labeling, [
      { sample_id: mine, accept: true },
      { sample_id: theirs, accept: true }
    ])
    expect(outside.status).toBe(400)
    expect(outside.json).toMatchObject({ error_code: 'ModelArts.4420' })
    expect(ids(await list(labeling, { sample_state: '__UNREVIEWED__' }))).toContain(mine)
  })

  it('refuses malformed verdicts with a clear error', async () => {
    const { labeling } = tasks()
    const [mine] = ids(await list(labeling))
    for (const comments of [
      [],
      [{ sample_id: mine }],
      [{ sample_id: mine, accept: true, comment: 'a <b> c' }],
      [{ sample_id: mine, accept: true, score: 'E' }],
      [{ sample_id: mine, accept: true, comment: 'x'.repeat(257) }]
    ]) {
      const answer = await review(labeling, comments)
      expect(answer.status, JSON.stringify(comments)).toBe(400)
      expect(answer.json).toMatchObject({ error_code: 'ModelArts.0104' })
    }
    // Review states filter only a task.
    const dataset = await world.call(
      'GET',
      world.v2(`/datasets/${cloud().dataset.id}/data-annotations/samples`),
      { query: { sample_state: '__REVIEWED__' } }
    )
    expect(dataset.status).toBe(400)
  })
})

describe('a task that moves on', () => {
  it('takes no more reviews once its owner moved it to acceptance, and acceptances then', async () => {
    const { labeling } = tasks()
    const [mine] = ids(await list(labeling, { sample_state: '__UNREVIEWED__' }))
    const move = (status: number) =>
      world.call('POST', '/__test__/faults', { body: { taskStatus: { task: labeling, status } } })
    expect((await move(2)).json).toEqual({ ok: true })
    try {
      expect((await review(labeling, [{ sample_id: mine, accept: true }])).json).toMatchObject({
        error_code: 'ModelArts.4621'
      })
      expect((await accept(labeling, [{ sample_id: mine, accept: true }])).status).toBe(200)
    } finally {
      await move(1)
    }
    expect((await review(labeling, [{ sample_id: mine, accept: true }])).status).toBe(200)
    const unknown = await world.call('POST', '/__test__/faults', {
      body: { taskStatus: { task: 'NoSuchTask', status: 2 } }
    })
    expect(unknown.json).toMatchObject({ error_code: 'ModelArts.4619' })
  })
})

describe('AcceptSamples', () => {
  it("stores the owner's acceptance while the task is being accepted, and only then", async () => {
    const { labeling, accepting } = tasks()
    const [x, y] = ids(await list(accepting))
    const answer = await accept(accepting, [
      { sample_id: x, accept: true, comment: 'ok', score: 'A' },
      { sample_id: y, accept: false, comment: 'wrong tag', score: 'C' }
    ])
    expect(answer.status, answer.text).toBe(200)
    const listed = (await list(accepting)).samples
    expect(listed.find((s) => s.sample_id === x)).toMatchObject({
      check_accept: true,
      check_comment: 'ok',
      check_score: 'A'
    })
    expect(listed.find((s) => s.sample_id === y)).toMatchObject({ check_accept: false })

    const [mine] = ids(await list(labeling))
    const wrongState = await accept(labeling, [{ sample_id: mine, accept: true }])
    expect(wrongState.json).toMatchObject({ error_code: 'ModelArts.4621' })
  })
})
