import { existsSync } from 'node:fs'

/**
 * The Chromium to drive: $TAGDECK_CHROMIUM, else Debian's package, else undefined so that
 * Playwright uses its own downloaded browser (the normal case on a developer's machine).
 */
export function chromiumExecutable(): string | undefined {
  const candidates = [
    process.env['TAGDECK_CHROMIUM'],
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser'
  ]
  return candidates.find((file): file is string => Boolean(file) && existsSync(file as string))
}
