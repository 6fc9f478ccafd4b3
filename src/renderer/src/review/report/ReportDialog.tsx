import { useId, useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Modal } from '../../components/Modal'
import { RadioGroup } from '../../components/RadioGroup'
import type { JobKey } from '../../data/types'
import { currentLocale } from '../../i18n'
import { formatCount, formatRate, formatTime } from '../../i18n/format'
import { countReport, sittingEntries, type ReportCounts, type ReportEntry } from '../../offline'
import { showToast } from '../../toasts'
import { describeEntry } from './describe'
import { download, exportName, reportCsv, reportJson } from './export'
import { ReportTable } from './ReportTable'
import { useReport } from './useReport'
import './report.css'

type Scope = 'sitting' | 'job'

/**
 * What the review changed, for this sitting (since the job was opened) or the whole job:
 * counts, conflicts, every change with its thumbnail and state, and the export. Read from
 * this computer's review log, so it opens offline; it follows the sync as it goes.
 */
export function ReportDialog(props: {
  job: JobKey
  jobName: string
  /** When the reviewer opened the job (the sitting's start). */
  sittingSince: number
  onClose(): void
}) {
  const { t } = useTranslation()
  const titleId = useId()
  const [scope, setScope] = useState<Scope>('sitting')
  const all = useReport(props.job)
  const entries = useMemo(
    () => (all && scope === 'sitting' ? sittingEntries(all, props.sittingSince) : (all ?? [])),
    [all, scope, props.sittingSince]
  )
  const counts = useMemo(() => countReport(entries), [entries])
  const locale = currentLocale()
  const since = formatTime(props.sittingSince, locale)
  const describe = (e: ReportEntry) => describeEntry(t, e)

  const save = (kind: 'csv' | 'json') => {
    const now = Date.now()
    const name = exportName(props.jobName, scope, now, kind)
    const text =
      kind === 'csv'
        ? reportCsv(entries, describe)
        : reportJson(
            {
              job: { ...props.job, name: props.jobName },
              scope,
              since: scope === 'sitting' ? props.sittingSince : null,
              exportedAt: now,
              counts,
              entries
            },
            describe
          )
    download(name, kind === 'csv' ? 'text/csv;charset=utf-8' : 'application/json', text)
    showToast({ message: t('report.exported', { file: name }), tone: 'info' })
  }

  const conflicts = entries.filter((e) => e.conflict)
  return (
    <Modal labelledBy={titleId} onClose={props.onClose} className="report-dialog">
      <h2 id={titleId}>{t('report.title', { name: props.jobName })}</h2>
      <RadioGroup
        legend={t('report.scope')}
        name="report-scope"
        value={scope}
        options={[
          { value: 'sitting', label: t('report.sitting', { time: since }) },
          { value: 'job', label: t('report.job') }
        ]}
        onChange={setScope}
      />
      <Counts counts={counts} />
      {all !== undefined && entries.length === 0 && (
        <p className="empty" data-testid="report-empty">
          {scope === 'sitting' ? t('report.emptySitting') : t('report.emptyJob')}
        </p>
      )}
      {conflicts.length > 0 && (
        <section className="report-conflicts" data-testid="report-conflicts">
          <h3>{t('report.conflictsTitle', { n: conflicts.length })}</h3>
          <ul>
            {conflicts.map((e) => (
              <li key={e.id}>
                <span lang="">{e.name ?? t('pending.unnamed', { id: e.sampleId })}</span>
                {' — '}
                {t(`report.conflict.${e.conflict?.resolved ?? 'waiting'}`)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {entries.length > 0 && <ReportTable job={props.job} entries={entries} />}
      <div className="actions">
        <button type="button" onClick={() => save('csv')} disabled={entries.length === 0}>
          {t('report.exportCsv')}
        </button>
        <button type="button" onClick={() => save('json')} disabled={entries.length === 0}>
          {t('report.exportJson')}
        </button>
        <button type="button" className="primary" onClick={props.onClose} data-autofocus>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  )
}

function Counts(props: { counts: ReportCounts }) {
  const { t } = useTranslation()
  const { counts } = props
  const locale = currentLocale()
  const rate = counts.perMinute === null ? t('report.noRate') : formatRate(counts.perMinute, locale)
  const number = (n: number) => formatCount(n, locale)
  const items: [string, string, string][] = [
    ['images', t('report.counts.images'), number(counts.images)],
    ['deleted', t('report.counts.deleted'), number(counts.deleted)],
    ['accepted', t('report.counts.accepted'), number(counts.accepted)],
    ['rejected', t('report.counts.rejected'), number(counts.rejected)],
    ['labels', t('report.counts.labels'), number(counts.labelChanges)],
    ['conflicts', t('report.counts.conflicts'), number(counts.conflicts)],
    ['perMinute', t('report.counts.perMinute'), rate],
    [
      'waiting',
      t('report.counts.waiting'),
      number(counts.byState.pending + counts.byState.sending)
    ],
    ['failed', t('report.counts.failed'), number(counts.byState.failed + counts.byState.parked)]
  ]
  return (
    <dl className="report-counts" data-testid="report-counts">
      {items.map(([key, label, value]) => (
        <div key={key} data-count={key}>
          <dt>{label}</dt>
          <dd data-testid={`report-count-${key}`}>{value}</dd>
        </div>
      ))}
    </dl>
  )
}
