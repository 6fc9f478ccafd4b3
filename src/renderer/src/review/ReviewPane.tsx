import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useEffectEvent,
  useRef,
  useState,
  useSyncExternalStore,
  type MouseEvent
} from 'react'
import { useTranslation } from 'react-i18next'
import type { Dataset, Sample } from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import { modalOpen } from '../components/Modal'
import { ShortcutSheet } from '../components/ShortcutSheet'
import { offline } from '../data/offline'
import { narrows, NEAR_DUPLICATES, type SampleProblems } from '../offline'
import { sampleNames } from '../data/deletions'
import { readPage, readSample, sampleProblems } from '../data/pages'
import type { JobKey, ViewRef } from '../data/types'
import { ImageGrid, type GridHandle } from '../grid/ImageGrid'
import { PageStore } from '../grid/pageStore'
import type { ColorOf } from '../palette'
import { intentOf } from '../selection'
import { updateSettings, useSettings } from '../settings'
import { actionFor, isMacPlatform, ownsKey, type Action } from '../shortcuts'
import type { ViewerHandle } from '../viewer/Viewer'
import { GridStatus, isNotOffline, NotAvailableOffline, type Freshness } from './GridStatus'
import { SelectionBar } from './SelectionBar'
import { useDeleteFlow } from './useDeleteFlow'
import { useGridSelection } from './useGridSelection'
import { NearDuplicateBar, useNearDuplicates } from './NearDuplicates'
import { log } from '../log'
import { useSampleEdits, type EditRow } from '../data/review'
import { showToast } from '../toasts'
import { ConflictDialog } from './ConflictDialog'
import { ReviewBar } from './ReviewBar'
import { useReviewActions } from './useReviewActions'
import type { Sitting } from './useSitting'
import { useBoxDraft } from './useBoxDraft'

const IS_MAC = isMacPlatform()
const PER_PAGE = 100
/** An image with no edits (one array, so its props stay the same). */
const NO_EDITS: EditRow[] = []
/** What opening a job shows first (the jobs list reads it ahead on hover). */
export const FIRST_PAGE = { filter: { kind: 'everything' }, page: 1, perPage: PER_PAGE } as const
// fabric.js is most of the bundle: load it when the first image is opened, not before the grid.
const Viewer = lazy(() => import('../viewer/Viewer').then((m) => ({ default: m.Viewer })))

/** The grid, the viewer, selection, deleting and keyboard review for one view of one job. */
export function ReviewPane(props: {
  job: JobKey
  dataset: Dataset
  /** A filter, narrowed by a local search; fixed for the pane's life (the screen keys it). */
  view: ViewRef
  colorOf: ColorOf
  /** The job's label names: the viewer's label picker and the tag picker offer them. */
  labels: string[]
  /** Since the reviewer opened the job: what they decided, for the live counter. */
  sitting: Sitting
  /** Opens the review report (Shift+R). */
  onReport(): void
}) {
  const { t } = useTranslation()
  const { job, view: shown } = props
  const { filter } = shown
  const detection = props.dataset.type === 'detection'
  const [freshness, setFreshness] = useState<Freshness | null>(null)
  const [store] = useState(
    () =>
      new PageStore(async (page) => {
        const view = await readPage({ ...job, ...shown, page, perPage: PER_PAGE })
        setFreshness((before) =>
          // The header tells the age of the oldest copy on screen since the last change.
          before && before.fetchedAt <= view.fetchedAt
            ? before
            : { fetchedAt: view.fetchedAt, fromCache: view.fromCache }
        )
        return view
      })
  )
  useSyncExternalStore(store.subscribe, store.getVersion)
  const settings = useSettings()
  const [viewer, setViewer] = useState<number | null>(null)
  const [viewerBoxes, setViewerBoxes] = useState(true)
  const [sheet, setSheet] = useState(false)
  const grid = useRef<GridHandle>(null)
  const viewerHandle = useRef<ViewerHandle>(null)

  const total = store.total
  const count = total ?? 0
  const {
    selection,
    active,
    setActive,
    selecting,
    click,
    clear,
    selectRange,
    selectEverything,
    cancelSelectEverything,
    forget
  } = useGridSelection(store, job, shown, count)
  const activeIndex = Math.min(active, Math.max(0, count - 1))
  const viewerIndex = viewer === null || count === 0 ? null : Math.min(viewer, count - 1)

  useEffect(() => {
    store.want([1])
    // Every change to the job's cached pages, here or in another window (a delete, an undo, a
    // sync, a revalidation that brought news), bumps its version: one re-read per change.
    return offline().watchJob(job, () => {
      setFreshness(null)
      store.invalidate()
    })
  }, [store, job])

  // The viewer shows the grid's copy at once and the service's current one when it comes.
  const listed = viewerIndex === null ? undefined : store.sampleAt(viewerIndex)
  const fresh = useFreshSample(job, listed)
  const draft = useBoxDraft(fresh)
  const viewed = draft.shown
  const viewedProblems = useSampleProblems(job, viewed?.id)
  const [comparing, setComparing] = useState<EditRow | null>(null)
  const actions = useReviewActions({
    job,
    dataset: props.dataset,
    labels: props.labels,
    colorOf: props.colorOf,
    sitting: props.sitting,
    onSettled: draft.written,
    onDecided: () => {
      if (viewerIndex === null) return
      const next = nextToReview(store, viewerIndex, count)
      if (next === null) showToast({ message: t('review.allReviewed'), tone: 'info' })
      else {
        setViewer(next)
        setActive(next)
      }
    }
  })
  const viewedEdits = useSampleEdits(job, viewed?.id) ?? NO_EDITS
  // The near-duplicates filter: groups, the image each keeps, keep one of each.
  const grouping = shown.search?.problem === NEAR_DUPLICATES
  const near = useNearDuplicates(job, grouping)

  // Next/previous in the viewer may land on a page not loaded yet: the viewer's page and the
  // whole next one are loaded as soon as it opens an image, so stepping forward finds the next
  // page there a page of decisions later, however long a busy job takes to answer it.
  useEffect(() => {
    if (viewerIndex !== null)
      store
        .ensure(viewerIndex, Math.min(count - 1, viewerIndex + store.options.perPage))
        .catch((error: unknown) => log.warn('the page beside the viewer did not load', error))
  }, [store, viewerIndex, count])

  // Names for the confirmation and the toast: the grid's loaded pages, else the cache.
  const namesOf = useCallback(
    async (ids: readonly string[]) => {
      const known = new Map<string, string>()
      for (const id of ids) {
        const name = store.sampleById(id)?.name
        if (name !== undefined) known.set(id, name)
      }
      const missing = ids.filter((id) => !known.has(id))
      if (missing.length > 0)
        for (const [id, name] of await sampleNames(job, missing)) known.set(id, name)
      return ids.map((id) => known.get(id) ?? id)
    },
    [store, job]
  )
  // A deleted image was decided on too: it counts in the sitting, as in its report.
  const { record } = props.sitting
  const deleted = useCallback(
    (ids: string[]) => {
      forget(ids)
      for (const id of ids) record(id)
    },
    [forget, record]
  )
  const deletion = useDeleteFlow(job, deleted, namesOf)

  const onTileClick = useCallback(
    (index: number, event: MouseEvent) => void click(index, intentOf(event, IS_MAC)),
    [click]
  )
  // Opening an image leaves no selection behind: what Delete acts on afterwards is what the
  // reviewer moves to, never an image selected before they looked elsewhere.
  const open = useCallback(
    (index: number) => {
      setActive(index)
      clear()
      setViewer(index)
    },
    [setActive, clear]
  )

  const selectVisible = () => {
    const [a, b] = grid.current?.visibleRange() ?? [0, -1]
    selectRange(a, b)
  }

  const deleteOne = (index: number) => {
    const sample = store.sampleAt(index)
    if (sample) deletion.request([sample.id])
  }

  /** Arrows: the selection follows the focus (`select`), grows (`extend`) or stays (`focus`). */
  const moveTo = (index: number, mode: 'select' | 'extend' | 'focus') => {
    const next = Math.max(0, Math.min(count - 1, index))
    if (mode === 'focus') setActive(next)
    else void click(next, mode === 'extend' ? 'range' : 'replace')
    grid.current?.reveal(next)
  }

  const run = (action: Action, inViewer: boolean) => {
    // The viewer's box editor takes its keys, and Escape and Delete while a box is selected.
    if (inViewer && viewerHandle.current?.editKey(action)) return
    const columns = grid.current?.columns() ?? 1
    switch (action.kind) {
      case 'move':
        return moveTo(activeIndex + action.dx + action.dy * columns, action.mode)
      case 'step':
        if (inViewer && viewerIndex !== null) {
          const next = Math.max(0, Math.min(count - 1, viewerIndex + action.by))
          setViewer(next)
          setActive(next)
          return
        }
        return moveTo(activeIndex + action.by, 'select')
      case 'open':
        if (count > 0) open(activeIndex)
        return
      case 'close':
      case 'back':
        if (inViewer) {
          setViewer(null)
          requestAnimationFrame(() => grid.current?.reveal(activeIndex))
        } else clear()
        return
      case 'delete':
        if (inViewer && viewerIndex !== null) return deleteOne(viewerIndex)
        // Exactly what is highlighted: the selection, or with none the focused image.
        if (selection.ids.size > 0) return deletion.request([...selection.ids])
        return deleteOne(activeIndex)
      case 'toggleSelect':
        return void click(inViewer && viewerIndex !== null ? viewerIndex : activeIndex, 'toggle')
      case 'selectAll':
        return void selectEverything()
      case 'boxes':
        if (inViewer) setViewerBoxes((b) => !b)
        else updateSettings({ tileBoxes: !settings.tileBoxes })
        return
      case 'fit':
        return viewerHandle.current?.fit()
      case 'zoom':
        return viewerHandle.current?.zoom(action.by)
      case 'help':
        return setSheet(true)
      case 'report':
        return props.onReport()
      case 'undo':
        return void actions.undo()
      case 'accept':
      case 'reject':
      case 'retag': {
        if (inViewer) {
          if (action.kind === 'accept') return actions.accept(viewed)
          return action.kind === 'reject' ? actions.reject(viewed) : actions.retag(viewed)
        }
        // In the grid: the selection, or with none the focused image (as Delete does).
        const focused = store.sampleAt(activeIndex)
        const ids = selection.ids.size > 0 ? [...selection.ids] : focused ? [focused.id] : []
        return actions.many(ids, action.kind === 'retag' ? 'tags' : action.kind)
      }
      case 'grade':
        return actions.cycleGrade()
      case 'compare': {
        const conflict = viewedEdits.find((e) => e.status === 'conflict')
        if (inViewer && conflict) setComparing(conflict)
        return
      }
    }
  }

  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || modalOpen() || ownsKey(event.target, event.key)) return
    if (total === null) return
    const inViewer = viewerIndex !== null
    const action = actionFor(event, inViewer ? 'viewer' : 'grid', IS_MAC)
    if (!action) return
    event.preventDefault()
    run(action, inViewer)
  })

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event)
    window.addEventListener('keydown', listener)
    return () => window.removeEventListener('keydown', listener)
  }, [])

  const body = () => {
    if (total === null) {
      if (isNotOffline(store.error)) return <NotAvailableOffline onRetry={() => store.retry()} />
      if (store.error) return <ErrorNotice error={store.error} onRetry={() => store.retry()} />
      return (
        <div className="grid-skeleton" aria-busy="true" aria-label={t('common.loading')}>
          {Array.from({ length: 24 }, (_, i) => (
            <div key={i} className="tile tile-loading" />
          ))}
        </div>
      )
    }
    if (total === 0) {
      return (
        <p className="empty" data-testid="grid-empty">
          {narrows(shown.search)
            ? t('grid.empty.search')
            : filter.kind === 'tag'
              ? t('grid.empty.tag', { tag: filter.tag })
              : t(`grid.empty.${filter.kind}`)}
        </p>
      )
    }
    return (
      <>
        {isNotOffline(store.error) ? (
          <NotAvailableOffline onRetry={() => store.retry()} />
        ) : (
          store.error !== null && <ErrorNotice error={store.error} onRetry={() => store.retry()} />
        )}
        <ImageGrid
          label={t('grid.label')}
          store={store}
          job={job}
          total={total}
          colorOf={props.colorOf}
          showBoxes={detection && settings.tileBoxes}
          selected={selection.ids}
          active={activeIndex}
          handle={grid}
          onTileClick={onTileClick}
          onTileOpen={open}
        />
      </>
    )
  }

  return (
    <section className="review" aria-label={t('grid.label')}>
      <SelectionBar
        total={total}
        failed={total === null && store.error !== null}
        selected={selection.ids.size}
        selecting={selecting}
        detection={detection}
        tileBoxes={settings.tileBoxes}
        onSelectVisible={selectVisible}
        onSelectAll={() => void selectEverything()}
        onCancelSelectAll={cancelSelectEverything}
        onClear={clear}
        onDelete={() => deletion.request([...selection.ids])}
        onToggleBoxes={() => updateSettings({ tileBoxes: !settings.tileBoxes })}
        onShortcuts={() => setSheet(true)}
      />
      <GridStatus
        job={job}
        name={props.dataset.name}
        filter={filter}
        total={total}
        freshness={freshness}
      />
      {grouping && (
        <NearDuplicateBar found={near.found} rest={near.rest} onDelete={deletion.request} />
      )}
      {body()}
      {viewerIndex !== null && (
        <Suspense fallback={<div className="viewer" aria-busy="true" />}>
          <Viewer
            job={job}
            sample={viewed}
            problems={viewedProblems}
            keep={grouping ? near.keepOf(viewed?.id) : null}
            index={viewerIndex}
            total={count}
            colorOf={props.colorOf}
            detection={detection}
            showBoxes={viewerBoxes}
            handle={viewerHandle}
            onToggleBoxes={() => setViewerBoxes((b) => !b)}
            onStep={(by) => run({ kind: 'step', by }, true)}
            onClose={() => run({ kind: 'close' }, true)}
            onDelete={() => deleteOne(viewerIndex)}
            editable={detection}
            labels={props.labels}
            onEditBoxes={(sampleId, boxes, change) => {
              if (viewed?.id !== sampleId) return
              draft.edited(sampleId, boxes)
              actions.editBoxes(viewed, boxes, change)
            }}
            review={
              <ReviewBar
                sample={viewed}
                edits={viewedEdits}
                actions={actions}
                sitting={props.sitting}
                classification={!detection}
                onCompare={setComparing}
              />
            }
          />
        </Suspense>
      )}
      {deletion.dialog}
      {actions.dialog}
      {comparing && (
        <ConflictDialog
          row={comparing}
          colorOf={props.colorOf}
          onClose={() => setComparing(null)}
        />
      )}
      {sheet && <ShortcutSheet onClose={() => setSheet(false)} editBoxes={detection} />}
    </section>
  )
}

/** How long the viewer stays on an image before it is read again from the service. */
const FRESH_READ_AFTER_MS = 300

/**
 * The sample the viewer shows: the listed copy, replaced by the service's current one (its tags
 * and boxes now) once read; the listed copy stays when the service cannot say.
 */
function useFreshSample(job: JobKey, listed: Sample | undefined): Sample | undefined {
  // Read for this very copy of the listing: a change (an edit, a sync) brings a new copy, shown
  // at once, and a new read.
  const [fresh, setFresh] = useState<{ of: Sample; sample: Sample } | null>(null)
  useEffect(() => {
    if (listed === undefined) return
    let live = true
    // Only once the reviewer stays on the image: stepping through at a key a moment, a read of
    // each image passed (a call, then a write and a read of the cache) queued up behind the
    // next image's own reads.
    const timer = setTimeout(() => {
      readSample(job, listed.id).then(
        (sample) => live && setFresh({ of: listed, sample }),
        (error: unknown) => log.warn('the image could not be read again', error)
      )
    }, FRESH_READ_AFTER_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [job, listed])
  return fresh !== null && fresh.of === listed ? fresh.sample : listed
}

/**
 * The next image after `from` with no verdict (a page not loaded yet counts as one to look at),
 * or null when every later image has one.
 */
function nextToReview(store: PageStore, from: number, count: number): number | null {
  for (let i = from + 1; i < count; i++) {
    const sample = store.sampleAt(i)
    if (!sample || !sample.verdict) return i
  }
  return null
}

/** What the problem finder found on the image the viewer shows (a job held whole). */
function useSampleProblems(job: JobKey, id: string | undefined): SampleProblems | null {
  const [found, setFound] = useState<{ id: string; problems: SampleProblems | null } | null>(null)
  useEffect(() => {
    if (id === undefined) return
    let live = true
    sampleProblems(job, id).then(
      (problems) => live && setFound({ id, problems }),
      (error: unknown) => log.warn('the problems of an image could not be read', error)
    )
    return () => {
      live = false
    }
  }, [job, id])
  return found !== null && found.id === id ? found.problems : null
}
