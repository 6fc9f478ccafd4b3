import { useSyncExternalStore } from 'react'

/** Short-lived messages at the bottom of the window (deleted, undone, failed), with one action. */
export interface Toast {
  id: number
  message: string
  tone: 'info' | 'error'
  action?: { label: string; run: () => void }
}

const LIFETIME_MS = 10_000
let toasts: readonly Toast[] = []
let nextId = 1
const listeners = new Set<() => void>()
const timers = new Map<number, ReturnType<typeof setTimeout>>()

function emit(): void {
  for (const listener of [...listeners]) listener()
}

export function dismissToast(id: number): void {
  clearTimeout(timers.get(id))
  timers.delete(id)
  toasts = toasts.filter((t) => t.id !== id)
  emit()
}

export function showToast(toast: Omit<Toast, 'id'>): number {
  const id = nextId++
  // Keep the last three: a burst of deletes should not bury the screen.
  toasts = [...toasts.slice(-2), { ...toast, id }]
  timers.set(
    id,
    setTimeout(() => dismissToast(id), LIFETIME_MS)
  )
  emit()
  return id
}

/** Replaces a toast's content in place (e.g. "Deleting…" -> "Deleted 10 images"). */
export function updateToast(id: number, toast: Omit<Toast, 'id'>): void {
  if (!toasts.some((t) => t.id === id)) {
    showToast(toast)
    return
  }
  toasts = toasts.map((t) => (t.id === id ? { ...toast, id } : t))
  clearTimeout(timers.get(id))
  timers.set(
    id,
    setTimeout(() => dismissToast(id), LIFETIME_MS)
  )
  emit()
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function useToasts(): readonly Toast[] {
  return useSyncExternalStore(subscribe, () => toasts)
}
