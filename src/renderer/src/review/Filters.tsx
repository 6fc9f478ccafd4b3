import { useTranslation } from 'react-i18next'
import type { JobStats, Label, TagFilter } from '../../../shared/domain'
import { currentLocale } from '../i18n'
import { formatCount } from '../i18n/format'
import type { ColorOf } from '../palette'

export function filterKey(filter: TagFilter): string {
  return filter.kind === 'tag' ? `tag:${filter.tag}` : filter.kind
}

function Option(props: {
  filter: TagFilter
  current: TagFilter
  label: string
  count: number | null
  color?: string
  onChange: (filter: TagFilter) => void
}) {
  const checked = filterKey(props.filter) === filterKey(props.current)
  return (
    <label className={`filter${checked ? ' current' : ''}`}>
      <input
        type="radio"
        name="filter"
        checked={checked}
        onChange={() => props.onChange(props.filter)}
      />
      {props.color && (
        <span className="swatch" style={{ background: props.color }} aria-hidden="true" />
      )}
      <span className="filter-name" lang={props.filter.kind === 'tag' ? '' : undefined}>
        {props.label}
      </span>
      {props.count !== null && (
        <span className="count">{formatCount(props.count, currentLocale())}</span>
      )}
    </label>
  )
}

/** Which images the grid shows: everything, all tagged, untagged, or one label (with counts). */
export function Filters(props: {
  filter: TagFilter
  stats: JobStats | null
  labels: Label[]
  colorOf: ColorOf
  onChange: (filter: TagFilter) => void
}) {
  const { t } = useTranslation()
  const { stats } = props
  const labelNames = stats ? stats.labels.map((l) => l.name) : props.labels.map((l) => l.name)
  const countOf = (name: string) => stats?.labels.find((l) => l.name === name)?.sampleCount ?? null
  return (
    <fieldset className="filters">
      <legend>{t('filters.title')}</legend>
      <Option
        filter={{ kind: 'everything' }}
        current={props.filter}
        label={t('filters.everything')}
        count={stats?.all ?? null}
        onChange={props.onChange}
      />
      <Option
        filter={{ kind: 'tagged' }}
        current={props.filter}
        label={t('filters.tagged')}
        count={stats?.tagged ?? null}
        onChange={props.onChange}
      />
      <Option
        filter={{ kind: 'untagged' }}
        current={props.filter}
        label={t('filters.untagged')}
        count={stats?.untagged ?? null}
        onChange={props.onChange}
      />
      {labelNames.length > 0 && <h3 className="filters-group">{t('filters.labels')}</h3>}
      {labelNames.map((name) => (
        <Option
          key={name}
          filter={{ kind: 'tag', tag: name }}
          current={props.filter}
          label={name}
          count={countOf(name)}
          color={props.colorOf(name)}
          onChange={props.onChange}
        />
      ))}
    </fieldset>
  )
}
