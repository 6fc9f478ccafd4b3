/**
 * Numbers the user reads, formatted by `Intl` for the chosen locale: counts, byte sizes,
 * transfer speeds, dates, durations and "5 minutes ago". i18next uses these too (`{{n, bytes}}`).
 */
const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const

// Making an Intl formatter costs far more than using one (the grid formats on every frame, the
// viewer on every step): each is made once per locale and options, and kept.
const made = new Map<string, unknown>()

function kept<T>(kind: string, locale: string, options: object, make: () => T): T {
  const key = `${kind}\u0000${locale}\u0000${JSON.stringify(options)}`
  let formatter = made.get(key) as T | undefined
  if (formatter === undefined) {
    formatter = make()
    made.set(key, formatter)
  }
  return formatter
}

const numbers = (locale: string, options: Intl.NumberFormatOptions = {}) =>
  kept('number', locale, options, () => new Intl.NumberFormat(locale, options))

const dates = (locale: string, options: Intl.DateTimeFormatOptions) =>
  kept('date', locale, options, () => new Intl.DateTimeFormat(locale, options))

const lists = (locale: string, options: Intl.ListFormatOptions) =>
  kept('list', locale, options, () => new Intl.ListFormat(locale, options))

export function formatCount(value: number, locale: string): string {
  return numbers(locale).format(value)
}

/** Images reviewed per minute and the like: at most one decimal ("59.3"). */
export function formatRate(value: number, locale: string): string {
  return numbers(locale, { maximumFractionDigits: 1 }).format(value)
}

function scaled(bytes: number): { value: number; unit: (typeof BYTE_UNITS)[number] } {
  let value = Math.max(0, bytes)
  let unit = 0
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return { value, unit: BYTE_UNITS[unit] }
}

/** Decimal units (kB = 1000 B), as the OS file managers show them. */
export function formatBytes(bytes: number, locale: string): string {
  const { value, unit } = scaled(bytes)
  return numbers(locale, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 && unit !== 'byte' ? 1 : 0
  }).format(value)
}

export function formatSpeed(bytesPerSecond: number, locale: string): string {
  const { value, unit } = scaled(bytesPerSecond)
  return numbers(locale, {
    style: 'unit',
    unit: `${unit}-per-second`,
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 && unit !== 'byte' ? 1 : 0
  }).format(value)
}

/** The time of day alone ("3:41 PM" / "15:41"). */
export function formatTime(time: number | Date, locale: string): string {
  return dates(locale, { timeStyle: 'short' }).format(time)
}

export function formatDate(time: number | Date, locale: string): string {
  return dates(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(time)
}

export function formatPercent(fraction: number, locale: string): string {
  return numbers(locale, { style: 'percent', maximumFractionDigits: 0 }).format(fraction)
}

/** "3 min 20 s" style, for time left. */
export function formatDuration(ms: number, locale: string): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  const parts: [number, 'hour' | 'minute' | 'second'][] = [
    [Math.floor(seconds / 3600), 'hour'],
    [Math.floor((seconds % 3600) / 60), 'minute'],
    [seconds % 60, 'second']
  ]
  const shown = parts.filter(([n]) => n > 0).slice(0, 2)
  if (shown.length === 0) shown.push([0, 'second'])
  return lists(locale, { style: 'narrow', type: 'unit' }).format(
    shown.map(([n, unit]) =>
      numbers(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(n)
    )
  )
}

/** "2 minutes ago" / "2分钟前" relative to `now`. */
export function formatRelative(time: number, locale: string, now = Date.now()): string {
  const seconds = Math.round((time - now) / 1000)
  const options: Intl.RelativeTimeFormatOptions = { numeric: 'auto' }
  const rtf = kept('relative', locale, options, () => new Intl.RelativeTimeFormat(locale, options))
  const abs = Math.abs(seconds)
  if (abs < 60) return rtf.format(seconds, 'second')
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return rtf.format(Math.round(seconds / 3600), 'hour')
  return rtf.format(Math.round(seconds / 86_400), 'day')
}

/** "a, b, and c" / "a、b和c": the locale's own way of joining a list. */
export function formatList(items: readonly string[], locale: string): string {
  return lists(locale, { style: 'long', type: 'conjunction' }).format(items)
}
