import { useSyncExternalStore } from 'react'

/** The user's preferences, remembered in localStorage. (Language lives in i18n/.) */
export interface Settings {
  /** Ask for confirmation before deleting a single image (a selection is always confirmed). */
  confirmSingleDelete: boolean
  /** Draw detection boxes on thumbnails. */
  tileBoxes: boolean
}

const KEY = 'tagdeck.settings'
const DEFAULTS: Settings = { confirmSingleDelete: true, tileBoxes: true }

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
      tileBoxes: typeof r.tileBoxes === 'boolean' ? r.tileBoxes : DEFAULTS.tileBoxes
    }
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
