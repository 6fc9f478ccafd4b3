import { describe, expect, it } from 'vitest'
import en from '../../../shared/locales/en.json'
import zhCN from '../../../shared/locales/zh-CN.json'
import { flatten, placeholders, pluralBase, type Messages } from './keys'
import { LOCALES } from './locale'

const files: Record<(typeof LOCALES)[number], Messages> = { en, 'zh-CN': zhCN }

/** base key -> plural categories present (empty set for a plain key). */
function shape(messages: Messages): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const key of flatten(messages).keys()) {
    const { base, category } = pluralBase(key)
    const set = out.get(base) ?? new Set<string>()
    if (category) set.add(category)
    out.set(base, set)
  }
  return out
}

describe('locale files', () => {
  it('have the same keys in every language (plural forms aside)', () => {
    const bases = Object.fromEntries(LOCALES.map((l) => [l, [...shape(files[l]).keys()].sort()]))
    for (const locale of LOCALES) {
      const missing = bases.en.filter((k) => !bases[locale].includes(k))
      const extra = bases[locale].filter((k) => !bases.en.includes(k))
      expect({ locale, missing, extra }).toEqual({ locale, missing: [], extra: [] })
    }
  })

  it('give every plural key exactly the forms the language’s plural rules need', () => {
    for (const locale of LOCALES) {
      const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.slice().sort()
      const pluralBases = new Set<string>()
      for (const l of LOCALES) for (const [b, c] of shape(files[l])) if (c.size) pluralBases.add(b)
      for (const base of pluralBases) {
        const have = [...(shape(files[locale]).get(base) ?? [])].sort()
        expect({ locale, base, have }).toEqual({ locale, base, have: needed })
      }
    }
  })

  it('use the same placeholders in every language', () => {
    const byBase = (messages: Messages) => {
      const out = new Map<string, string>()
      for (const [key, message] of flatten(messages)) {
        const { base } = pluralBase(key)
        const names = placeholders(message).filter((n) => n !== 'count')
        out.set(
          base,
          [...new Set([...(out.get(base)?.split(',').filter(Boolean) ?? []), ...names])]
            .sort()
            .join(',')
        )
      }
      return out
    }
    const reference = byBase(files.en)
    for (const locale of LOCALES) {
      for (const [base, names] of byBase(files[locale])) {
        expect({ locale, base, names }).toEqual({ locale, base, names: reference.get(base) })
      }
    }
  })

  it('have no empty messages', () => {
    for (const locale of LOCALES) {
      const empty = [...flatten(files[locale])].filter(([, v]) => v.trim() === '').map(([k]) => k)
      expect({ locale, empty }).toEqual({ locale, empty: [] })
    }
  })
})
