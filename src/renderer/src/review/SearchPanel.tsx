import { useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import {
  NEAR_DUPLICATES,
  PROBLEM_KINDS,
  SORT_KEYS,
  type LocalSearch,
  type ProblemFilter,
  type SearchCounts
} from '../offline'
import { currentLocale } from '../i18n'
import { formatCount } from '../i18n/format'
import type { ColorOf } from '../palette'

type Mode = NonNullable<LocalSearch['labels']>['mode']
const MODES: Mode[] = ['any', 'all', 'none']
/** Typing in the name field narrows the grid once the reviewer pauses. */
const TYPING_MS = 200

const bound = (text: string): number | undefined => {
  if (text.trim() === '') return undefined
  const n = Number(text)
  return Number.isInteger(n) && n >= 0 ? n : undefined
}

/**
 * Search inside a job held whole offline: several labels at once (any, all, none), a range of
 * boxes, part of a name, and an order; counts beside each label. Other jobs get a line on how
 * to make it available.
 */
export function SearchPanel(props: {
  available: boolean
  labels: string[]
  search: LocalSearch
  counts: SearchCounts | null
  /** Images per problem check, and images in near-duplicate groups (null until worked out). */
  problems: Record<ProblemFilter, number> | null
  colorOf: ColorOf
  onChange: (search: LocalSearch) => void
}) {
  const { t } = useTranslation()
  const id = useId()
  const { search, onChange } = props
  const [name, setName] = useState(search.nameContains ?? '')
  const [min, setMin] = useState(search.boxes?.min?.toString() ?? '')
  const [max, setMax] = useState(search.boxes?.max?.toString() ?? '')
  const chosen = search.labels?.names ?? []
  const mode = search.labels?.mode ?? 'any'
  const sort = search.sort ?? { by: 'service', dir: 'asc' }

  useEffect(() => {
    if (name === (search.nameContains ?? '')) return
    const timer = setTimeout(() => onChange({ ...search, nameContains: name }), TYPING_MS)
    return () => clearTimeout(timer)
  }, [name, search, onChange])

  if (!props.available) {
    return (
      <section className="search" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="filters-group">
          {t('search.title')}
        </h2>
        <p className="hint">{t('search.needsOffline')}</p>
      </section>
    )
  }

  const setLabels = (names: string[], nextMode = mode) =>
    onChange({ ...search, labels: { mode: nextMode, names } })
  const toggle = (label: string) =>
    setLabels(chosen.includes(label) ? chosen.filter((n) => n !== label) : [...chosen, label])
  const setBoxes = (lo: string, hi: string) => {
    setMin(lo)
    setMax(hi)
    onChange({ ...search, boxes: { min: bound(lo), max: bound(hi) } })
  }
  const locale = currentLocale()
  const narrowed =
    chosen.length > 0 ||
    name.trim() !== '' ||
    min !== '' ||
    max !== '' ||
    sort.by !== 'service' ||
    search.problem !== undefined

  return (
    <section className="search" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="filters-group">
        {t('search.title')}
      </h2>
      <fieldset className="search-problems">
        <legend>{t('problems.title')}</legend>
        {[...PROBLEM_KINDS, NEAR_DUPLICATES].map((kind) => {
          const n = props.problems?.[kind] ?? 0
          const on = search.problem === kind
          return (
            <button
              key={kind}
              type="button"
              className={`search-problem${on ? ' current' : ''}`}
              aria-pressed={on}
              disabled={n === 0 && !on}
              onClick={() => onChange({ ...search, problem: on ? undefined : kind })}
            >
              <span className="filter-name">{t(`problems.kind.${kind}`)}</span>
              <span className="count">{formatCount(n, locale)}</span>
            </button>
          )
        })}
      </fieldset>
      <label className="search-field">
        <span>{t('search.name')}</span>
        <input type="search" value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <fieldset className="search-labels">
        <legend>{t('search.labels')}</legend>
        <select
          aria-label={t('search.mode.label')}
          value={mode}
          onChange={(e) => setLabels(chosen, e.target.value as Mode)}
        >
          {MODES.map((m) => (
            <option key={m} value={m}>
              {t(`search.mode.${m}`)}
            </option>
          ))}
        </select>
        {props.labels.map((label) => (
          <label key={label} className="search-label">
            <input
              type="checkbox"
              checked={chosen.includes(label)}
              onChange={() => toggle(label)}
            />
            <span className="swatch" style={{ background: props.colorOf(label) }} aria-hidden />
            <span className="filter-name" lang="">
              {label}
            </span>
            <span className="count">{formatCount(props.counts?.labels[label] ?? 0, locale)}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="search-boxes">
        <legend>{t('search.boxes')}</legend>
        <input
          type="number"
          min={0}
          inputMode="numeric"
          aria-label={t('search.atLeast')}
          placeholder={t('search.atLeast')}
          value={min}
          onChange={(e) => setBoxes(e.target.value, max)}
        />
        <span aria-hidden>–</span>
        <input
          type="number"
          min={0}
          inputMode="numeric"
          aria-label={t('search.atMost')}
          placeholder={t('search.atMost')}
          value={max}
          onChange={(e) => setBoxes(min, e.target.value)}
        />
      </fieldset>
      <div className="search-sort">
        <label>
          <span>{t('search.sort')}</span>
          <select
            value={sort.by}
            onChange={(e) =>
              onChange({
                ...search,
                sort: { ...sort, by: e.target.value as (typeof SORT_KEYS)[number] }
              })
            }
          >
            {SORT_KEYS.map((key) => (
              <option key={key} value={key}>
                {t(`search.by.${key}`)}
              </option>
            ))}
          </select>
        </label>
        <select
          aria-label={t('search.direction')}
          value={sort.dir}
          onChange={(e) =>
            onChange({ ...search, sort: { ...sort, dir: e.target.value as 'asc' | 'desc' } })
          }
        >
          <option value="asc">{t('search.asc')}</option>
          <option value="desc">{t('search.desc')}</option>
        </select>
      </div>
      <p className="search-total" role="status">
        {props.counts && t('search.matches', { count: props.counts.total })}
      </p>
      {narrowed && (
        <button
          type="button"
          className="link"
          onClick={() => {
            setName('')
            setMin('')
            setMax('')
            onChange({})
          }}
        >
          {t('search.clear')}
        </button>
      )}
    </section>
  )
}
