import { useSyncExternalStore } from 'react'

/** Short-lived messages at the bottom of the window (deleted, undone, failed), with one action. */
export interface ToastAction {
  label: string
  /** What a screen reader hears, when the label alone does not say what it acts on. */
  name?: string
  run: () => void
  /**
   * Epoch ms after which the action no longer works (an Undo whose deletion is then sent): it
   * disappears from the toast at that moment, and the toast stays a little longer without it.
   */
  until?: number
}

export interface Toast {
  id: number
  message: string
  tone: 'info' | 'error'
  action?: ToastAction
}

const LIFETIME_MS = 10_000
/** How long a toast stays once its timed action is gone. */
const AFTER_ACTION_MS = 3_000
let toasts: readonly Toast[] = []
let nextId = 1
const listeners = new Set<() => void>()
const timers = new Map<number, ReturnType<typeof setTimeout>[]>()

function emit(): void {
  for (const listener of [...listeners]) listener()
}

function clearTimers(id: number): void {
  for (const timer of timers.get(id) ?? []) clearTimeout(timer)
  timers.delete(id)
}

/** Dismisses the toast after its lifetime, and takes a timed action away when it expires. */
function schedule(toast: Toast): void {
  clearTimers(toast.id)
  const until = toast.action?.until
  const list: ReturnType<typeof setTimeout>[] = []
  if (until === undefined) {
    list.push(setTimeout(() => dismissToast(toast.id), LIFETIME_MS))
  } else {
    const left = Math.max(0, until - Date.now())
    list.push(setTimeout(() => dropAction(toast.id), left))
    list.push(setTimeout(() => dismissToast(toast.id), left + AFTER_ACTION_MS))
  }
  timers.set(toast.id, list)
}

function dropAction(id: number): void {
  toasts = toasts.map((t) => (t.id === id ? { ...t, action: undefined } : t))
  emit()
}

export function dismissToast(id: number): void {
  clearTimers(id)
  toasts = toasts.filter((t) => t.id !== id)
  emit()
}

export function showToast(toast: Omit<Toast, 'id'>): number {
  const id = nextId++
  // Keep the last three: a burst of deletes should not bury the screen. A toast pushed out
  // takes its timers along.
  const kept = toasts.slice(-2)
  for (const gone of toasts.slice(0, -2)) clearTimers(gone.id)
  const shown = { ...toast, id }
  toasts = [...kept, shown]
  schedule(shown)
  emit()
  return id
}

/** Replaces a toast's content in place (e.g. "Deleting…" -> "Deleted 10 images"). */
export function updateToast(id: number, toast: Omit<Toast, 'id'>): void {
  if (!toasts.some((t) => t.id === id)) {
    showToast(toast)
    return
  }
  const shown = { ...toast, id }
  toasts = toasts.map((t) => (t.id === id ? shown : t))
  schedule(shown)
  emit()
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function useToasts(): readonly Toast[] {
  return useSyncExternalStore(subscribe, () => toasts)
}
