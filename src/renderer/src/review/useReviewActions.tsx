import { useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Box, Dataset, Sample } from '../../../shared/domain'
import { parseJobId } from '../../../shared/job-id'
import { labelSetOf, sameBox, type Grade } from '../../../shared/labels'
import { addTags, editLabels, judge, judgeMany, undoEdit } from '../data/review'
import type { JobKey } from '../data/types'
import { EditInFlight } from '../offline'
import type { ColorOf } from '../palette'
import { showToast } from '../toasts'
import type { BoxChange } from '../viewer/boxes'
import { log } from '../log'
import { ReasonPicker } from './ReasonPicker'
import type { Sitting } from './useSitting'
import { TagPicker } from './TagPicker'

const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D']

/**
 * For each of the new boxes, the box of `shown` it was made from (null: drawn new), from the
 * viewer's account of the change; boxes matched by value when the account does not line up.
 */
export function originsOf(shown: readonly Box[], boxes: readonly Box[], change: BoxChange) {
  const origins: (number | null)[] = shown.map((_, i) => i)
  if (change.kind === 'delete') origins.splice(change.index, 1)
  else if (change.kind === 'add') origins.splice(change.index, 0, null)
  if (origins.length === boxes.length) return origins
  const taken = new Set<number>()
  return boxes.map((box) => {
    const i = shown.findIndex((s, k) => !taken.has(k) && sameBox(s, box))
    if (i < 0) return null
    taken.add(i)
    return i
  })
}

/**
 * The reviewer's decisions on images, each queued through the offline layer (shown at once,
 * undoable until sent): a verdict with its grade (tasks), a reason for a rejection, the tags
 * of a classification image, the boxes of a detection image. Each counts in the sitting; a
 * verdict brings up the next image to review (`onDecided`).
 */
export function useReviewActions(options: {
  job: JobKey
  dataset: Dataset
  labels: readonly string[]
  colorOf: ColorOf
  sitting: Sitting
  onDecided(): void
  /** Every box edit asked for so far is written (the viewer may drop its own copy). */
  onSettled(): void
}) {
  const { t } = useTranslation()
  const { job, dataset, sitting } = options
  const isTask = parseJobId(job.jobId).taskId !== null
  const stage = dataset.taskStatus === 'accepting' ? 'acceptance' : 'review'
  const [grade, setGrade] = useState<Grade>('A')
  const [picker, setPicker] = useState<
    | { kind: 'reason' | 'tags'; sample: Sample }
    | { kind: 'reasonMany' | 'tagsMany'; ids: string[] }
    | null
  >(null)
  // Edits made here, newest last: what `undo` takes back first.
  const undoStack = useRef<string[]>([])
  // Box edits are written one after another: each is made on the one before it.
  const boxWrites = useRef<{ tail: Promise<unknown>; waiting: number }>({
    tail: Promise.resolve(),
    waiting: 0
  })

  const queue = async (sample: Sample, work: () => Promise<string | null>) => {
    try {
      const id = await work()
      if (id !== null) undoStack.current.push(id)
      sitting.record(sample.id)
      return true
    } catch (error) {
      if (error instanceof EditInFlight)
        showToast({ message: t('review.sendingNow'), tone: 'info' })
      else {
        log.error('a review change could not be queued', error)
        showToast({ message: t('review.failed'), tone: 'error' })
      }
      return false
    }
  }

  const verdict = async (sample: Sample, accept: boolean, comment: string) => {
    // The next image comes up at once, not after the verdict's transaction (which waits behind
    // the sync's and the reads' on a busy job): a verdict that cannot be queued says so.
    options.onDecided()
    await queue(sample, () => judge(job, sample, { stage, accept, comment, score: grade }))
  }

  const accept = (sample: Sample | undefined) => {
    if (!sample) return
    if (!isTask) return showToast({ message: t('review.notTask'), tone: 'info' })
    void verdict(sample, true, '')
  }
  const reject = (sample: Sample | undefined) => {
    if (!sample) return
    if (!isTask) return showToast({ message: t('review.notTask'), tone: 'info' })
    setPicker({ kind: 'reason', sample })
  }
  const cycleGrade = () => setGrade((g) => GRADES[(GRADES.indexOf(g) + 1) % GRADES.length])

  const retag = (sample: Sample | undefined) => {
    if (sample && dataset.type === 'classification') setPicker({ kind: 'tags', sample })
  }
  const editBoxes = (sample: Sample, boxes: Box[], change: BoxChange) => {
    const origins = originsOf(sample.boxes, boxes, change)
    const mine = { tags: labelSetOf(sample).tags, boxes }
    const writes = boxWrites.current
    writes.waiting += 1
    writes.tail = writes.tail
      .then(() => queue(sample, () => editLabels(job, sample, mine, origins)))
      .finally(() => {
        writes.waiting -= 1
        if (writes.waiting === 0) options.onSettled()
      })
  }

  /** A decision on many images (a selection) at once: one transaction, one toast. */
  const queueMany = async (ids: readonly string[], work: () => Promise<string[]>) => {
    try {
      const written = await work()
      undoStack.current.push(...written)
      for (const id of ids) sitting.record(id)
      showToast({ message: t('review.queuedMany', { count: written.length }), tone: 'info' })
    } catch (error) {
      log.error('review changes could not be queued', error)
      showToast({ message: t('review.failed'), tone: 'error' })
    }
  }
  const many = (ids: readonly string[], kind: 'accept' | 'reject' | 'tags') => {
    if (ids.length === 0) return
    if (kind === 'tags') {
      if (dataset.type === 'classification') setPicker({ kind: 'tagsMany', ids: [...ids] })
      return
    }
    if (!isTask) return showToast({ message: t('review.notTask'), tone: 'info' })
    if (kind === 'reject') return setPicker({ kind: 'reasonMany', ids: [...ids] })
    void queueMany(ids, () =>
      judgeMany(job, ids, { stage, accept: true, comment: '', score: grade })
    )
  }

  const undo = async () => {
    for (let id = undoStack.current.pop(); id !== undefined; id = undoStack.current.pop()) {
      if (await undoEdit(id))
        return showToast({ message: t('review.undone', { count: 1 }), tone: 'info' })
    }
    showToast({ message: t('review.nothingToUndo'), tone: 'info' })
  }

  const dialog =
    picker?.kind === 'reason' ? (
      <ReasonPicker
        name={picker.sample.name}
        onCancel={() => setPicker(null)}
        onPick={(reason) => {
          setPicker(null)
          void verdict(picker.sample, false, reason)
        }}
      />
    ) : picker?.kind === 'tags' ? (
      <TagPicker
        name={picker.sample.name}
        labels={options.labels}
        current={picker.sample.tags}
        colorOf={options.colorOf}
        onCancel={() => setPicker(null)}
        onApply={(tags) => {
          const sample = picker.sample
          setPicker(null)
          void queue(sample, () =>
            editLabels(
              job,
              sample,
              { tags, boxes: sample.boxes },
              sample.boxes.map((_, i) => i)
            )
          )
        }}
      />
    ) : picker?.kind === 'reasonMany' ? (
      <ReasonPicker
        name={t('review.manyTitle', { count: picker.ids.length })}
        onCancel={() => setPicker(null)}
        onPick={(reason) => {
          const { ids } = picker
          setPicker(null)
          void queueMany(ids, () =>
            judgeMany(job, ids, { stage, accept: false, comment: reason, score: grade })
          )
        }}
      />
    ) : picker?.kind === 'tagsMany' ? (
      <TagPicker
        name={t('review.manyTitle', { count: picker.ids.length })}
        labels={options.labels}
        current={[]}
        colorOf={options.colorOf}
        hint={t('review.addTagsHint')}
        onCancel={() => setPicker(null)}
        onApply={(tags) => {
          const { ids } = picker
          setPicker(null)
          if (tags.length > 0) void queueMany(ids, () => addTags(job, ids, tags))
        }}
      />
    ) : null

  return {
    isTask,
    stage,
    grade,
    accept,
    reject,
    cycleGrade,
    retag,
    editBoxes,
    many,
    undo,
    dialog
  }
}

export type ReviewActions = ReturnType<typeof useReviewActions>
