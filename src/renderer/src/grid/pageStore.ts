import type { Sample, SamplePage } from '../../../shared/domain'

/**
 * The grid's window onto a filter of up to hundreds of thousands of samples: pages fetched on
 * demand (most urgent first, a few at a time), a bounded number kept, and a version number so
 * React re-renders when something arrived. Knows nothing of React or IPC.
 */
export type PageLoader = (page: number) => Promise<SamplePage>

interface Entry {
  samples: Sample[]
  /** Shown until a fresh copy arrives after `invalidate()`. */
  stale: boolean
}

export interface PageStoreOptions {
  perPage: number
  /** Pages kept in memory (x perPage samples). */
  maxPages: number
  /** Loads in flight at once. */
  concurrency: number
}

const DEFAULTS: PageStoreOptions = { perPage: 100, maxPages: 80, concurrency: 3 }

export class PageStore {
  readonly options: PageStoreOptions
  private readonly pages = new Map<number, Entry>()
  private readonly inFlight = new Set<number>()
  private readonly failed = new Map<number, unknown>()
  private wanted: number[] = []
  private generation = 0
  private listeners = new Set<() => void>()
  private waiters: { pages: Set<number>; resolve: () => void; reject: (e: unknown) => void }[] = []
  total: number | null = null
  version = 0
  /** The first failure still unresolved, for the error panel. */
  error: unknown = null

  constructor(
    private readonly load: PageLoader,
    options: Partial<PageStoreOptions> = {}
  ) {
    this.options = { ...DEFAULTS, ...options }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getVersion = (): number => this.version

  pageOf(index: number): number {
    return Math.floor(index / this.options.perPage) + 1
  }

  sampleAt(index: number): Sample | undefined {
    const entry = this.pages.get(this.pageOf(index))
    return entry?.samples[index % this.options.perPage]
  }

  /** A loaded sample by its id (a few lookups: the names a confirmation states), if any. */
  sampleById(id: string): Sample | undefined {
    for (const entry of this.pages.values()) {
      const found = entry.samples.find((sample) => sample.id === id)
      if (found) return found
    }
    return undefined
  }

  isLoaded(page: number): boolean {
    const entry = this.pages.get(page)
    return entry !== undefined && !entry.stale
  }

  /** Sets the pages wanted now, most urgent first; starts loading what is missing. */
  want(pages: readonly number[]): void {
    this.wanted = pages.filter((p) => p >= 1 && !this.isLoaded(p) && !this.failed.has(p))
    this.pump()
  }

  /** Loads every page covering indices [from, to] (a shift range, select-all) and resolves when done. */
  ensure(from: number, to: number): Promise<void> {
    const need = new Set<number>()
    for (let p = this.pageOf(from); p <= this.pageOf(Math.max(from, to)); p++) {
      if (!this.isLoaded(p)) need.add(p)
    }
    if (need.size === 0) return Promise.resolve()
    const promise = new Promise<void>((resolve, reject) => {
      this.waiters.push({ pages: need, resolve, reject })
    })
    for (const p of need) this.failed.delete(p)
    this.wanted = [...new Set([...this.wanted, ...need])]
    this.pump()
    return promise
  }

  /** Everything may have shifted (a delete): keep showing old pages, re-read them as wanted. */
  invalidate(): void {
    this.generation++
    for (const entry of this.pages.values()) entry.stale = true
    this.failed.clear()
    this.error = null
    this.changed()
  }

  /** Tries failed pages again. */
  retry(): void {
    const again = [...this.failed.keys()]
    this.failed.clear()
    this.error = null
    this.wanted = [...new Set([...again, ...this.wanted])]
    this.changed()
    this.pump()
  }

  private pump(): void {
    while (this.inFlight.size < this.options.concurrency) {
      const next = this.wanted.find((p) => !this.inFlight.has(p) && !this.isLoaded(p))
      if (next === undefined) return
      this.wanted = this.wanted.filter((p) => p !== next)
      void this.fetch(next)
    }
  }

  private async fetch(page: number): Promise<void> {
    const generation = this.generation
    this.inFlight.add(page)
    try {
      const result = await this.load(page)
      this.inFlight.delete(page)
      if (generation !== this.generation) {
        // Read before the data changed: ask again (it is probably still wanted). A page not
        // held yet keeps this read meanwhile, stale as an invalidated one: on a job changing
        // faster than a page reads (a decision every moment), every read would be stale by the
        // time it came, and the page would never show.
        if (!this.pages.has(page)) {
          this.pages.set(page, { samples: result.samples, stale: true })
          this.total ??= result.total
          this.evict()
        }
        if (!this.wanted.includes(page)) this.wanted.unshift(page)
      } else {
        this.pages.delete(page) // re-insert: the Map's order is our recency order
        this.pages.set(page, { samples: result.samples, stale: false })
        this.total = result.total
        this.failed.delete(page)
        this.evict()
        this.settle(page, null)
      }
    } catch (error) {
      this.inFlight.delete(page)
      if (generation === this.generation) {
        this.failed.set(page, error)
        this.error ??= error
        this.settle(page, error)
      } else if (!this.wanted.includes(page)) this.wanted.unshift(page)
    }
    this.changed()
    this.pump()
  }

  private settle(page: number, error: unknown): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.pages.has(page)) return true
      if (error !== null) {
        w.reject(error)
        return false
      }
      w.pages.delete(page)
      if (w.pages.size > 0) return true
      w.resolve()
      return false
    })
  }

  private evict(): void {
    const pinned = new Set(this.wanted)
    for (const w of this.waiters) for (const p of w.pages) pinned.add(p)
    for (const page of this.pages.keys()) {
      if (this.pages.size <= this.options.maxPages) break
      if (!pinned.has(page)) this.pages.delete(page)
    }
  }

  private changed(): void {
    this.version++
    for (const listener of [...this.listeners]) listener()
  }
}
