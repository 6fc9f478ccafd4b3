import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// The repository must check out whole on case-insensitive file systems (macOS, Windows).
describe('the repository layout', () => {
  it('has no two paths that differ only by case', () => {
    const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
    const byLower = new Map<string, string[]>()
    for (const file of files) {
      const key = file.toLowerCase()
      byLower.set(key, [...(byLower.get(key) ?? []), file])
    }
    expect([...byLower.values()].filter((paths) => paths.length > 1)).toEqual([])
  })
})
