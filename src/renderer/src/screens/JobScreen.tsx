import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ConnectionProfile, Dataset, Label, TagFilter } from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import { jobLabels, jobStats } from '../data/jobs'
import { offline } from '../data/offline'
import { hasReplica, problemCounts, searchCounts } from '../data/pages'
import type { LocalSearch } from '../offline'
import { colorsFor } from '../palette'
import { Filters, filterKey } from '../review/Filters'
import { FIRST_PAGE, ReviewPane } from '../review/ReviewPane'
import { SearchPanel } from '../review/SearchPanel'
import { useLoad } from '../useLoad'
import { useSitting } from '../review/useSitting'
import { ReportDialog } from '../review/report/ReportDialog'
import { useTranslation } from 'react-i18next'

/**
 * One job: filters with counts and (for a job held whole offline) a local search on the left,
 * the review pane (grid + viewer) beside them.
 */
export function JobScreen(props: {
  connection: ConnectionProfile
  dataset: Dataset
  labels: Label[]
}) {
  const connectionId = props.connection.id
  const jobId = props.dataset.id
  const job = useMemo(() => ({ connectionId, jobId }), [connectionId, jobId])
  const [filter, setFilter] = useState<TagFilter>(FIRST_PAGE.filter)
  const [search, setSearch] = useState<LocalSearch>({})
  const view = useMemo(() => ({ filter, search }), [filter, search])
  const [stats, reloadStats] = useLoad(useCallback(() => jobStats(job), [job]))
  const [replica, reloadReplica] = useLoad(useCallback(() => hasReplica(job), [job]))
  const [counts, reloadCounts] = useLoad(useCallback(() => searchCounts(job, view), [job, view]))
  const [problems, reloadProblems] = useLoad(useCallback(() => problemCounts(job), [job]))
  const [labels] = useLoad(useCallback(() => jobLabels(job), [job]))
  const labelList = labels.status === 'ok' ? labels.value : props.labels
  const colorOf = useMemo(() => colorsFor(labelList), [labelList])
  const labelNames = useMemo(() => labelList.map((l) => l.name), [labelList])
  const sitting = useSitting()
  const { t } = useTranslation()
  const [report, setReport] = useState(false)
  const openReport = useCallback(() => setReport(true), [])

  // A delete, an undo, a sync or a refresh, in any window, changes the counts.
  useEffect(
    () =>
      offline().watchJob(job, () => {
        reloadStats()
        reloadReplica()
        reloadCounts()
        reloadProblems()
      }),
    [job, reloadStats, reloadReplica, reloadCounts, reloadProblems]
  )
  // Near-duplicate signatures come in as the thumbnails are cached, after the download too.
  useEffect(() => offline().watchSignatures(job, reloadProblems), [job, reloadProblems])
  const statsValue = stats.status === 'ok' ? stats.value : null

  return (
    <div className="job-screen">
      <aside className="sidebar">
        <button type="button" className="report-open" onClick={openReport}>
          {t('report.open')}
        </button>
        {stats.status === 'error' && <ErrorNotice error={stats.error} onRetry={reloadStats} />}
        <Filters
          filter={filter}
          stats={statsValue}
          labels={labelList}
          colorOf={colorOf}
          onChange={setFilter}
        />
        <SearchPanel
          available={replica.status === 'ok' && replica.value}
          labels={(statsValue?.labels ?? labelList).map((l) => l.name)}
          search={search}
          counts={counts.status === 'ok' ? counts.value : null}
          problems={problems.status === 'ok' ? problems.value : null}
          colorOf={colorOf}
          onChange={setSearch}
        />
      </aside>
      <ReviewPane
        key={`${filterKey(filter)}\u0000${JSON.stringify(search)}`}
        job={job}
        dataset={props.dataset}
        view={view}
        colorOf={colorOf}
        labels={labelNames}
        sitting={sitting}
        onReport={openReport}
      />
      {report && (
        <ReportDialog
          job={job}
          jobName={props.dataset.name}
          sittingSince={sitting.startedAt}
          onClose={() => setReport(false)}
        />
      )}
    </div>
  )
}
