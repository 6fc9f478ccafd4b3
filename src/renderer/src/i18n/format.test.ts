import { describe, expect, it } from 'vitest'
import {
  formatBytes,
  formatCount,
  formatDate,
  formatDuration,
  formatList,
  formatPercent,
  formatRate,
  formatRelative,
  formatSpeed,
  formatTime
} from './format'

describe('Intl formatting', () => {
  it('groups counts by locale', () => {
    expect(formatCount(100000, 'en')).toBe('100,000')
    expect(formatCount(100000, 'zh-CN')).toBe('100,000')
    expect(formatCount(1234567, 'de')).toBe('1.234.567')
  })

  it('gives rates one decimal at most, and a time of day alone', () => {
    expect(formatRate(59.34, 'en')).toBe('59.3')
    expect(formatRate(12, 'en')).toBe('12')
    expect(formatRate(1234.56, 'de')).toBe('1.234,6')
    const at = new Date(2026, 0, 2, 15, 41)
    expect(formatTime(at, 'en-US')).toMatch(/^3:41\sPM$/)
    expect(formatTime(at, 'zh-CN')).toBe('15:41')
    // Kept formatters: the same answers asked again.
    expect(formatRate(59.34, 'en')).toBe('59.3')
    expect(formatTime(at, 'zh-CN')).toBe('15:41')
  })

  it('formats sizes and speeds with decimal units', () => {
    expect(formatBytes(512, 'en')).toBe('512 byte')
    expect(formatBytes(1_500_000, 'en')).toBe('1.5 MB')
    expect(formatBytes(250_000_000, 'en')).toBe('250 MB')
    expect(formatBytes(1_500_000, 'zh-CN')).toMatch(/^1\.5\s?MB$/)
    expect(formatSpeed(2_300_000, 'en')).toBe('2.3 MB/s')
    expect(formatSpeed(2_300_000, 'zh-CN')).toMatch(/2\.3/)
  })

  it('writes dates, percents, durations and relative times in the chosen language', () => {
    const t = Date.UTC(2025, 0, 15, 8, 30)
    expect(formatDate(t, 'en')).toMatch(/Jan 15, 2025/)
    expect(formatDate(t, 'zh-CN')).toMatch(/2025年1月15日/)
    expect(formatPercent(0.42, 'en')).toBe('42%')
    expect(formatDuration(200_000, 'en')).toBe('3 min 20 sec')
    expect(formatDuration(200_000, 'zh-CN')).toMatch(/3\s?分钟.*20\s?秒/)
    expect(formatRelative(0, 'en', 120_000)).toBe('2 minutes ago')
    expect(formatRelative(0, 'zh-CN', 120_000)).toBe('2分钟前')
  })

  it('joins lists the way each language does', () => {
    expect(formatList(['“a”', '“b”', '2 more'], 'en')).toBe('“a”, “b”, and 2 more')
    expect(formatList(['“a”', '“b”'], 'en')).toBe('“a” and “b”')
    expect(formatList(['“a”', '“b”', '另外 2 张'], 'zh-CN')).toBe('“a”、“b”和另外 2 张')
  })
})
