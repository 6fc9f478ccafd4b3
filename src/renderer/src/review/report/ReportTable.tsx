import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ReportEntry } from '../../offline'
import type { JobKey } from '../../data/types'
import { currentLocale } from '../../i18n'
import { formatDate } from '../../i18n/format'
import { platform } from '../../platform'
import { describeEntry } from './describe'

/** Rows shown at most: a 10,000-change job stays quick to open (the export has them all). */
export const SHOWN_ROWS = 300

/** The report's changes, newest first: thumbnail, name, what changed, where it stands, when. */
export function ReportTable(props: { job: JobKey; entries: readonly ReportEntry[] }) {
  const { t } = useTranslation()
  const locale = currentLocale()
  const rows = props.entries.slice(-SHOWN_ROWS).reverse()
  return (
    <>
      <div className="report-table-wrap">
        <table className="report-table" data-testid="report-table">
          <caption className="visually-hidden">{t('report.table.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('report.table.image')}</th>
              <th scope="col">{t('report.table.change')}</th>
              <th scope="col">{t('report.table.state')}</th>
              <th scope="col">{t('report.table.time')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr
                key={e.id}
                data-testid="report-row"
                data-kind={e.kind}
                data-state={e.state}
                data-sample-id={e.sampleId}
              >
                <td className="report-image">
                  <div className="report-image-inner">
                    <Thumb job={props.job} sampleId={e.sampleId} />
                    <span className="report-name" lang="">
                      {e.name ?? t('pending.unnamed', { id: e.sampleId })}
                    </span>
                  </div>
                </td>
                <td>{describeEntry(t, e)}</td>
                <td className={`report-state report-state-${e.state}`}>
                  {t(`report.state.${e.state}`)}
                  {e.error && (
                    <span className="muted small" lang="">
                      {' '}
                      {e.error.message}
                    </span>
                  )}
                </td>
                <td className="report-time">{formatDate(e.at, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.entries.length > rows.length && (
        <p className="muted small">
          {t('report.more', { n: rows.length, total: props.entries.length })}
        </p>
      )}
    </>
  )
}

/** The image's thumbnail from main's cache (offline too, once cached); a word when there is none. */
function Thumb(props: { job: JobKey; sampleId: string }) {
  const { t } = useTranslation()
  const url = platform.imageUrl(props.job.connectionId, props.job.jobId, props.sampleId, 'thumb')
  const [failed, setFailed] = useState(false)
  if (failed)
    return <span className="report-thumb report-thumb-missing">{t('report.noImage')}</span>
  return (
    <img
      className="report-thumb"
      src={url}
      alt=""
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
    />
  )
}
