import type { TFunction } from 'i18next'
import type { LabelSummary, ReportEntry } from '../../offline'

/** Labels with how often each comes: "cat ×2, dog". */
function counted(tags: readonly string[]): string {
  const n = new Map<string, number>()
  for (const tag of tags) n.set(tag, (n.get(tag) ?? 0) + 1)
  return [...n].map(([tag, k]) => (k > 1 ? `${tag} ×${k}` : tag)).join(', ')
}

/** A label change in words: "tags added: night; boxes moved: cat". */
export function describeLabels(t: TFunction, s: LabelSummary): string {
  const parts: string[] = []
  if (s.cleared) parts.push(t('report.change.cleared'))
  type Part = Exclude<keyof LabelSummary, 'cleared'>
  const add = (key: Part, items: readonly string[]) => {
    if (items.length > 0) parts.push(t(`report.change.${key}`, { list: counted(items) }))
  }
  add('tagsAdded', s.tagsAdded)
  add('tagsRemoved', s.tagsRemoved)
  if (!s.cleared) add('boxesRemoved', s.boxesRemoved)
  add('boxesAdded', s.boxesAdded)
  add('boxesMoved', s.boxesMoved)
  add(
    'boxesRelabelled',
    s.boxesRelabelled.map((r) => `${r.from} → ${r.to}`)
  )
  if (parts.length === 0) return t('report.change.none')
  // "Tags added: …; boxes moved: …": one sentence, its first letter up (where there are cases).
  const text = parts.join('; ')
  return text.charAt(0).toLocaleUpperCase() + text.slice(1)
}

/** What one entry changed, in a sentence of the UI language. */
export function describeEntry(t: TFunction, e: ReportEntry): string {
  if (e.kind === 'delete') return t('report.change.deleted')
  if (e.verdict) {
    const { accept, comment, score } = e.verdict
    return accept
      ? t('report.change.accepted', { score })
      : t('report.change.rejected', { reason: comment || t('review.noReason'), score })
  }
  return e.labels ? describeLabels(t, e.labels.summary) : ''
}
