import { useCallback, useEffect, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { offline } from '../data/offline'
import { nearDuplicateRest, nearDuplicates } from '../data/pages'
import type { JobKey } from '../data/types'
import { useLoad } from '../useLoad'
import { log } from '../log'

/**
 * The near-duplicates filter's state in a review pane: the job's groups (read again whenever
 * the job changes), which image each keeps (the largest, or the one the reviewer marked in the
 * viewer), and what "keep one of each group" would delete.
 */
export function useNearDuplicates(job: JobKey, on: boolean) {
  const [groups, reload] = useLoad(
    useCallback(() => (on ? nearDuplicates(job) : Promise.resolve(null)), [job, on])
  )
  useEffect(() => {
    if (!on) return
    const offJob = offline().watchJob(job, reload)
    const offSignatures = offline().watchSignatures(job, reload)
    return () => {
      offJob()
      offSignatures()
    }
  }, [job, on, reload])
  const found = groups.status === 'ok' ? groups.value : null
  const [chosen, setChosen] = useState<string[]>([])
  const groupOf = useMemo(() => {
    const map = new Map<string, number>()
    found?.groups.forEach((g, n) => g.forEach((id) => map.set(id, n)))
    return map
  }, [found])

  const keptIn = (group: number): string | undefined =>
    found?.groups[group]?.find((id) => chosen.includes(id)) ?? found?.kept[group]
  return {
    found,
    /** The viewer's "Keep this one": null when the image is in no group. */
    keepOf(id: string | undefined) {
      const group = id === undefined ? undefined : groupOf.get(id)
      if (id === undefined || group === undefined) return null
      return {
        kept: keptIn(group) === id,
        keep: () => setChosen((before) => [...before.filter((c) => groupOf.get(c) !== group), id])
      }
    },
    /** The images "keep one of each group" deletes. */
    rest: async () => (await nearDuplicateRest(job, chosen)).doomed
  }
}

/** Above the grid when it shows near-duplicates: how many groups, and keep one of each. */
export function NearDuplicateBar(props: {
  found: { groups: string[][]; missing: number } | null
  rest: () => Promise<string[]>
  onDelete: (ids: string[]) => void
}) {
  const { t } = useTranslation()
  const [busy, setBusy] = useState(false)
  const groups = props.found?.groups.length ?? 0
  const keepOne = () => {
    setBusy(true)
    props
      .rest()
      .then((ids) => ids.length > 0 && props.onDelete(ids))
      .catch((error: unknown) =>
        log.warn('the near-duplicates to delete could not be worked out', error)
      )
      .finally(() => setBusy(false))
  }
  return (
    <div className="near-duplicates" data-testid="near-duplicates">
      <span>{t('problems.nearDuplicates.summary', { count: groups })}</span>
      {(props.found?.missing ?? 0) > 0 && (
        <span className="hint">
          {t('problems.nearDuplicates.waiting', { count: props.found?.missing ?? 0 })}
        </span>
      )}
      <span className="spacer" />
      <button
        type="button"
        className="danger"
        disabled={groups === 0 || busy}
        title={t('problems.nearDuplicates.keepHint')}
        onClick={keepOne}
      >
        {t('problems.nearDuplicates.keepOne')}
      </button>
    </div>
  )
}
