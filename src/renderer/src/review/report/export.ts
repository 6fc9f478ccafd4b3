import type { ReportCounts, ReportEntry } from '../../offline'

/**
 * The report as files: CSV for a spreadsheet, JSON for a script. Column names, kinds and
 * states are fixed English keys whatever the UI language, so a script reads every export the
 * same way; the `change` column (a sentence) is in the UI language. The CSV starts with a
 * UTF-8 byte order mark so Excel reads Chinese names and text as UTF-8.
 */

export const CSV_COLUMNS = [
  'time',
  'kind',
  'sample_id',
  'sample_name',
  'state',
  'change',
  'accept',
  'reason',
  'grade',
  'tags_added',
  'tags_removed',
  'boxes_added',
  'boxes_removed',
  'boxes_moved',
  'boxes_relabelled',
  'conflict',
  'error'
] as const

const BOM = '\uFEFF'

/**
 * One CSV field (RFC 4180): quoted when it holds a quote, a comma or a line break, quotes
 * doubled. Text that came from people (names, reasons, messages) and starts like a formula
 * (= + - @, or a tab or carriage return) gets a leading apostrophe, so a spreadsheet shows it
 * instead of running it.
 */
export function csvField(value: string, fromPeople = false): string {
  const safe = fromPeople && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

const list = (items: readonly string[]) => items.join('; ')

/** The report's entries as CSV text (BOM first, CRLF line ends). `describe`: the change, in words. */
export function reportCsv(
  entries: readonly ReportEntry[],
  describe: (entry: ReportEntry) => string
): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const e of entries) {
    const s = e.labels?.summary
    const row: Record<(typeof CSV_COLUMNS)[number], string> = {
      time: new Date(e.at).toISOString(),
      kind: e.kind,
      sample_id: csvField(e.sampleId, true),
      sample_name: csvField(e.name ?? '', true),
      state: e.state,
      change: csvField(describe(e), true),
      accept: e.verdict ? String(e.verdict.accept) : '',
      reason: csvField(e.verdict?.comment ?? '', true),
      grade: e.verdict?.score ?? '',
      tags_added: csvField(list(s?.tagsAdded ?? []), true),
      tags_removed: csvField(list(s?.tagsRemoved ?? []), true),
      boxes_added: csvField(list(s?.boxesAdded ?? []), true),
      boxes_removed: csvField(list(s?.boxesRemoved ?? []), true),
      boxes_moved: csvField(list(s?.boxesMoved ?? []), true),
      boxes_relabelled: csvField(
        list((s?.boxesRelabelled ?? []).map((r) => `${r.from} -> ${r.to}`)),
        true
      ),
      conflict: e.conflict ? (e.conflict.resolved ?? 'waiting') : '',
      error: csvField(e.error ? `${e.error.code}: ${e.error.message}` : '', true)
    }
    lines.push(CSV_COLUMNS.map((c) => row[c]).join(','))
  }
  return BOM + lines.join('\r\n') + '\r\n'
}

export interface ReportFile {
  job: { connectionId: string; jobId: string; name: string }
  scope: 'sitting' | 'job'
  /** The sitting's start (null: the whole job). */
  since: number | null
  exportedAt: number
  counts: ReportCounts
  entries: readonly ReportEntry[]
}

/** The report as JSON: every entry whole (labels before and after), times in ISO 8601 UTC. */
export function reportJson(file: ReportFile, describe: (entry: ReportEntry) => string): string {
  const iso = (ms: number) => new Date(ms).toISOString()
  return JSON.stringify(
    {
      format: 'tagdeck-review-report',
      version: 1,
      job: file.job,
      scope: file.scope,
      since: file.since === null ? null : iso(file.since),
      exportedAt: iso(file.exportedAt),
      counts: file.counts,
      entries: file.entries.map((e) => ({
        ...e,
        at: iso(e.at),
        updatedAt: iso(e.updatedAt),
        change: describe(e)
      }))
    },
    null,
    2
  )
}

/** A file name for an export: the job's name made safe for every system, the scope, the time. */
export function exportName(jobName: string, scope: 'sitting' | 'job', at: number, ext: string) {
  // Control characters join the forbidden ones, so a run of them becomes one underscore.
  const printable = [...jobName].map((c) => (c.charCodeAt(0) < 32 ? '?' : c)).join('')
  const safe = printable.replace(/[\\/:*?"<>|]+/g, '_').slice(0, 80) || 'job'
  const stamp = new Date(at).toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')
  return `tagdeck-review-${safe}-${scope}-${stamp}.${ext}`
}

/**
 * Saves text as a file through the page's own download (a Blob and an anchor): Chromium saves
 * it in the browser shell, Electron asks where.
 */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const anchor = document.createElement('a')
  anchor.href = url
  anchor.download = name
  anchor.style.display = 'none'
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  // Revoked once the download has surely read it (revoking at once may cancel it).
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
