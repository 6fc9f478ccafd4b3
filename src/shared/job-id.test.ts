import { describe, expect, it } from 'vitest'
import { Id } from './domain'
import { parseJobId, taskJobId } from './job-id'

describe('job ids', () => {
  it('a dataset is its own id; a task is <dataset>~<task>, valid wherever an id is', () => {
    expect(parseJobId('gfghHSokody6AJigS5A')).toEqual({
      datasetId: 'gfghHSokody6AJigS5A',
      taskId: null
    })
    const task = taskJobId('gfghHSokody6AJigS5A', 'iYZx7gScPUozOXner9k')
    expect(task).toBe('gfghHSokody6AJigS5A~iYZx7gScPUozOXner9k')
    expect(parseJobId(task)).toEqual({
      datasetId: 'gfghHSokody6AJigS5A',
      taskId: 'iYZx7gScPUozOXner9k'
    })
    expect(Id.safeParse(task).success).toBe(true)
    for (const bad of ['a/b', '..', 'a b', '~'.repeat(129)])
      expect(Id.safeParse(bad).success).toBe(false)
  })
})
