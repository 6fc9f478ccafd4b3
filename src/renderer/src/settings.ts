import { useSyncExternalStore } from 'react'

/** The user's preferences, remembered in localStorage. (Language lives in i18n/.) */
export interface Settings {
  /** Ask for confirmation before deleting a single image (a selection is always confirmed). */
  confirmSingleDelete: boolean
  /** Draw detection boxes on thumbnails. */
  tileBoxes: boolean
  /**
   * Seconds a deletion waits before it is sent, while its toast offers Undo (0 = send at once,
   * no Undo in the toast; the Pending changes panel can still take back what is not sent).
   */
  undoWindowSeconds: number
  /**
   * Most megabytes the pages seen while browsing may take in IndexedDB, least recently used
   * dropped first (0 = no limit). Jobs made available offline are never dropped nor counted.
   */
  cacheCapMb: number
  /**
   * Let an installed Tagdeck check its release feed for a newer version and offer it (it never
   * installs without asking). Builds without a feed never check, whatever this says.
   */
  checkForUpdates: boolean
}

/** The choices Settings offers for the undo window, in seconds. */
export const UNDO_WINDOWS = [0, 5, 10, 20, 30, 60] as const

/** The choices Settings offers for the cache of pages seen, in MB (0: no limit). */
export const CACHE_CAPS = [100, 250, 500, 1000, 2000, 0] as const

const KEY = 'tagdeck.settings'
const DEFAULTS: Settings = {
  confirmSingleDelete: true,
  tileBoxes: true,
  undoWindowSeconds: 10,
  cacheCapMb: 500,
  checkForUpdates: true
}

/** A whole number from 0 to `max` as stored, else `fallback`. */
const wholeIn = (value: unknown, max: number, fallback: number): number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
    ? value
    : fallback

function read(): Settings {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(KEY) ?? '{}')
    if (typeof raw !== 'object' || raw === null) return DEFAULTS
    const r = raw as Partial<Record<keyof Settings, unknown>>
    return {
      confirmSingleDelete:
        typeof r.confirmSingleDelete === 'boolean'
          ? r.confirmSingleDelete
          : DEFAULTS.confirmSingleDelete,
      tileBoxes: typeof r.tileBoxes === 'boolean' ? r.tileBoxes : DEFAULTS.tileBoxes,
      undoWindowSeconds: wholeIn(r.undoWindowSeconds, 600, DEFAULTS.undoWindowSeconds),
      cacheCapMb: wholeIn(r.cacheCapMb, 1_000_000, DEFAULTS.cacheCapMb),
      checkForUpdates:
        typeof r.checkForUpdates === 'boolean' ? r.checkForUpdates : DEFAULTS.checkForUpdates
    }
    // eslint-disable-next-line no-restricted-syntax -- unreadable or no storage: the defaults are the answer
  } catch {
    return DEFAULTS
  }
}

let current = read()
const listeners = new Set<() => void>()

export function getSettings(): Settings {
  return current
}

export function updateSettings(change: Partial<Settings>): void {
  current = { ...current, ...change }
  try {
    localStorage.setItem(KEY, JSON.stringify(current))
    // eslint-disable-next-line no-restricted-syntax -- private mode: applies for this session, as said below
  } catch {
    // Not persisted (private mode): still applies for this session.
  }
  for (const listener of [...listeners]) listener()
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function useSettings(): Settings {
  return useSyncExternalStore(subscribe, getSettings)
}
