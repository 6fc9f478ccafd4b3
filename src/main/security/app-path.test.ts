import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveAppPath } from './app-path'

const root = path.resolve('/srv/tagdeck/renderer')

describe('resolveAppPath', () => {
  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/assets/index-abc.js', 'assets/index-abc.js'],
    ['/assets/a%20b.css', 'assets/a b.css'],
    ['//assets//x.js', 'assets/x.js']
  ])('maps %s inside the root', (urlPath, relative) => {
    expect(resolveAppPath(root, urlPath)).toBe(path.join(root, relative))
  })

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/%2E%2E/etc/passwd',
    '/..%2fsecret.txt',
    '/assets/..%2F..%2Fsecret',
    '/..\\secret.txt',
    '/assets%5c..%5c..%5csecret',
    '/%00index.html',
    '/index.html\0.png',
    '/%E0%A4%A', // malformed escape
    '/../renderer-evil/index.html', // a sibling whose name starts with the root's
    '/..',
    '/.'
  ])('refuses %s', (urlPath) => {
    expect(resolveAppPath(root, urlPath)).toBeNull()
  })
})
