import { describe, expect, it } from 'vitest'
import type { ReportCounts, ReportEntry } from '../../offline'
import { CSV_COLUMNS, csvField, exportName, reportCsv, reportJson } from './export'

/** A CSV reader after RFC 4180 (quotes, doubled quotes, commas and line breaks inside). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += c
  }
  expect(field).toBe('')
  expect(row).toEqual([])
  return rows
}

const base = { tags: ['day'], boxes: [{ tag: '猫', x1: 0, y1: 0, x2: 10, y2: 10 }] }
const mine = { tags: ['day', 'night'], boxes: [{ tag: 'dog', x1: 4, y1: 0, x2: 14, y2: 10 }] }
const entries: ReportEntry[] = [
  {
    id: 'e1',
    kind: 'labels',
    sampleId: 's1',
    name: '街道, "北门"\n第二行.jpg',
    at: Date.UTC(2026, 11, 5, 9, 30),
    updatedAt: Date.UTC(2026, 11, 5, 9, 31),
    state: 'sent',
    error: null,
    verdict: null,
    labels: {
      before: base,
      after: mine,
      summary: {
        tagsAdded: ['night'],
        tagsRemoved: [],
        boxesAdded: [],
        boxesRemoved: [],
        boxesMoved: ['dog'],
        boxesRelabelled: [{ from: '猫', to: 'dog' }],
        cleared: false
      }
    },
    conflict: { resolved: 'mine' }
  },
  {
    id: 'e2',
    kind: 'verdict',
    sampleId: 's2',
    name: '=HYPERLINK("http://x")',
    at: Date.UTC(2026, 11, 5, 9, 32),
    updatedAt: Date.UTC(2026, 11, 5, 9, 32),
    state: 'parked',
    error: { code: 'ModelArts.4621', message: 'The task, is "accepting"' },
    verdict: { stage: 'review', accept: false, comment: 'Box too loose', score: 'C' },
    labels: null,
    conflict: null
  },
  {
    id: 'e3',
    kind: 'delete',
    sampleId: 's3',
    name: null,
    at: Date.UTC(2026, 11, 5, 9, 33),
    updatedAt: Date.UTC(2026, 11, 5, 9, 33),
    state: 'pending',
    error: null,
    verdict: null,
    labels: null,
    conflict: null
  }
]

describe('reportCsv', () => {
  it('starts with a BOM, quotes what needs it, and reads back to the same values', () => {
    const text = reportCsv(entries, (e) => `change of ${e.sampleId}`)
    expect(text.startsWith('\uFEFF')).toBe(true)
    const bytes = new TextEncoder().encode(text)
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const [head, ...rows] = parseCsv(text.slice(1))
    expect(head).toEqual([...CSV_COLUMNS])
    const byColumn = rows.map((r) => Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, r[i]])))
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true)
    expect(byColumn[0]).toMatchObject({
      time: '2026-12-05T09:30:00.000Z',
      kind: 'labels',
      sample_name: '街道, "北门"\n第二行.jpg',
      state: 'sent',
      change: 'change of s1',
      tags_added: 'night',
      boxes_moved: 'dog',
      boxes_relabelled: '猫 -> dog',
      conflict: 'mine',
      accept: ''
    })
    // A name that reads as a formula is shown as text, not run.
    expect(byColumn[1]).toMatchObject({
      sample_name: '\'=HYPERLINK("http://x")',
      accept: 'false',
      reason: 'Box too loose',
      grade: 'C',
      state: 'parked',
      error: 'ModelArts.4621: The task, is "accepting"'
    })
    expect(byColumn[2]).toMatchObject({ kind: 'delete', sample_name: '', state: 'pending' })
  })

  it('quotes a field only when it must', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"')
    expect(csvField('-1', true)).toBe("'-1")
    expect(csvField('-1')).toBe('-1')
    expect(csvField('@x,y', true)).toBe('"\'@x,y"')
  })
})

describe('reportJson', () => {
  it('holds the job, the scope, the counts and every entry whole, times in ISO 8601', () => {
    const counts: ReportCounts = {
      images: 3,
      deleted: 1,
      accepted: 0,
      rejected: 1,
      labelChanges: 1,
      conflicts: 1,
      byState: { pending: 1, sending: 0, sent: 1, conflict: 0, parked: 1, failed: 0, discarded: 0 },
      perMinute: 1
    }
    const parsed = JSON.parse(
      reportJson(
        {
          job: { connectionId: 'c', jobId: 'j', name: '作业' },
          scope: 'sitting',
          since: Date.UTC(2026, 11, 5, 9),
          exportedAt: Date.UTC(2026, 11, 5, 10),
          counts,
          entries
        },
        (e) => e.kind
      )
    ) as { since: string; counts: unknown; entries: Record<string, unknown>[] }
    expect(parsed).toMatchObject({
      format: 'tagdeck-review-report',
      version: 1,
      scope: 'sitting',
      since: '2026-12-05T09:00:00.000Z',
      job: { name: '作业' }
    })
    expect(parsed.counts).toEqual(JSON.parse(JSON.stringify(counts)))
    expect(parsed.entries[0]).toMatchObject({
      at: '2026-12-05T09:30:00.000Z',
      change: 'labels',
      labels: { after: mine }
    })
    expect(parsed.entries).toHaveLength(3)
  })
})

describe('exportName', () => {
  it('makes the job name safe as a file name on every system', () => {
    const at = Date.UTC(2026, 11, 5, 9, 7)
    expect(exportName('a/b:c*?"<>|\u0001d 作业', 'job', at, 'csv')).toBe(
      'tagdeck-review-a_b_c_d 作业-job-20261205-0907.csv'
    )
    expect(exportName('', 'sitting', at, 'json')).toBe(
      'tagdeck-review-job-sitting-20261205-0907.json'
    )
  })
})
