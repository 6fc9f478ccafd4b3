import { useCallback, useEffect, useMemo, useState } from 'react'
import type { ConnectionProfile, Dataset, Label, TagFilter } from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import { jobLabels, jobStats } from '../data/jobs'
import { offline } from '../data/offline'
import { colorsFor } from '../palette'
import { Filters, filterKey } from '../review/Filters'
import { FIRST_PAGE, ReviewPane } from '../review/ReviewPane'
import { useLoad } from '../useLoad'

/** One job: filters with counts on the left, the review pane (grid + viewer) beside them. */
export function JobScreen(props: {
  connection: ConnectionProfile
  dataset: Dataset
  labels: Label[]
}) {
  const connectionId = props.connection.id
  const jobId = props.dataset.id
  const job = useMemo(() => ({ connectionId, jobId }), [connectionId, jobId])
  const [filter, setFilter] = useState<TagFilter>(FIRST_PAGE.filter)
  const [stats, reloadStats] = useLoad(useCallback(() => jobStats(job), [job]))
  const [labels] = useLoad(useCallback(() => jobLabels(job), [job]))
  const labelList = labels.status === 'ok' ? labels.value : props.labels
  const colorOf = useMemo(() => colorsFor(labelList), [labelList])

  // A delete, an undo, a sync or a refresh, in any window, changes the counts.
  useEffect(() => offline().watchJob(job, reloadStats), [job, reloadStats])

  return (
    <div className="job-screen">
      <aside className="sidebar">
        {stats.status === 'error' && <ErrorNotice error={stats.error} onRetry={reloadStats} />}
        <Filters
          filter={filter}
          stats={stats.status === 'ok' ? stats.value : null}
          labels={labelList}
          colorOf={colorOf}
          onChange={setFilter}
        />
      </aside>
      <ReviewPane
        key={filterKey(filter)}
        job={job}
        dataset={props.dataset}
        filter={filter}
        colorOf={colorOf}
      />
    </div>
  )
}
