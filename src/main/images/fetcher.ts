import type { ImageVariant } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import type { HttpClient } from '../api/http'
import type { CachedImage, ImageCache } from './cache'
import { DiskWriteError } from './disk'
import { sniffImageType } from './sniff'

/**
 * Gets an image's bytes for the renderer: from the disk cache when it has them (an image of a
 * sample never changes, so the cache is always right), else by resolving the sample's source
 * URL (DescribeSample) and fetching it without credentials. Offline, what is cached still loads.
 */
export interface ImageRef {
  connectionId: string
  jobId: string
  sampleId: string
  variant: ImageVariant
}

export type SourceResolver = (ref: ImageRef, signal?: AbortSignal) => Promise<URL>

export interface FetcherOptions {
  cache: ImageCache
  resolve: SourceResolver
  /** Plain HTTP (no auth) for source URLs; its outcomes feed connectivity. */
  httpFor: (connectionId: string) => HttpClient
  now?: () => number
  /** How long a source URL from a listing is trusted before asking again (they expire). */
  sourceTtlMs?: number
}

export interface FetchedImage extends CachedImage {
  fromCache: boolean
  /** Downloaded, but the cache could not store it (disk full): shown all the same, not kept. */
  notStored?: DiskWriteError
}

const MAX_IMAGE_BYTES = 64 * 1024 * 1024
const MEMO_LIMIT = 5000

export function cacheKey(ref: ImageRef): string {
  return `${ref.connectionId}/${ref.jobId}/${ref.sampleId}/${ref.variant}`
}

export class ImageFetcher {
  private readonly inFlight = new Map<string, Promise<FetchedImage>>()
  private readonly sources = new Map<string, { url: URL; at: number }>()
  private readonly now: () => number

  constructor(private readonly options: FetcherOptions) {
    this.now = options.now ?? Date.now
  }

  get cache(): ImageCache {
    return this.options.cache
  }

  /** Source URLs that came with a page listing: saves one DescribeSample per thumbnail. */
  remember(ref: Omit<ImageRef, 'sampleId'>, sources: { id: string; source: URL }[]): void {
    for (const { id, source } of sources) {
      const key = cacheKey({ ...ref, sampleId: id })
      this.sources.delete(key)
      this.sources.set(key, { url: source, at: this.now() })
    }
    for (const key of this.sources.keys()) {
      if (this.sources.size <= MEMO_LIMIT) break
      this.sources.delete(key)
    }
  }

  /** Concurrent asks for the same image share one download. */
  async get(ref: ImageRef, signal?: AbortSignal): Promise<FetchedImage> {
    const key = cacheKey(ref)
    for (;;) {
      let pending = this.inFlight.get(key)
      if (!pending) {
        const load = this.load(ref, key, signal).finally(() => {
          if (this.inFlight.get(key) === load) this.inFlight.delete(key)
        })
        pending = load
        this.inFlight.set(key, load)
      }
      try {
        return await pending
      } catch (error) {
        // The shared download was cancelled by another caller (a prefetch): not our failure.
        if (signal?.aborted || !isAbort(error)) throw error
        if (this.inFlight.get(key) === pending) this.inFlight.delete(key)
      }
    }
  }

  private async load(ref: ImageRef, key: string, signal?: AbortSignal): Promise<FetchedImage> {
    // Asked synchronously first: a download ahead of need is nearly always a miss.
    const cached = this.options.cache.has(key) ? await this.options.cache.get(key) : null
    if (cached) return { ...cached, fromCache: true }
    try {
      const image = await this.download(ref, key, signal)
      try {
        await this.options.cache.put(key, image.bytes, image.contentType)
      } catch (error) {
        if (error instanceof DiskWriteError) return { ...image, fromCache: false, notStored: error }
        throw error
      }
      return { ...image, fromCache: false }
    } catch (error) {
      if (error instanceof TagdeckError && error.code === 'network')
        throw new TagdeckError({
          code: 'offline',
          message: `This image is not cached and the service cannot be reached (${error.message})`
        })
      throw error
    }
  }

  private async download(ref: ImageRef, key: string, signal?: AbortSignal): Promise<CachedImage> {
    const memo = this.sources.get(key)
    this.sources.delete(key)
    if (memo && this.now() - memo.at < (this.options.sourceTtlMs ?? 120_000)) {
      try {
        return await this.fetchSource(ref.connectionId, memo.url, signal)
      } catch (error) {
        // A listed URL may have expired (403/404): ask for a fresh one below.
        if (!(error instanceof TagdeckError) || error.code === 'network') throw error
      }
    }
    return this.fetchSource(ref.connectionId, await this.options.resolve(ref, signal), signal)
  }

  private async fetchSource(connectionId: string, url: URL, signal?: AbortSignal) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TagdeckError({
        code: 'service',
        message: `Unsupported image URL scheme ${url.protocol}`
      })
    const response = await this.options.httpFor(connectionId).send({
      peer: 'the image store',
      signal,
      maxBytes: MAX_IMAGE_BYTES,
      followRedirects: true,
      prepare: () => ({ method: 'GET', url, headers: {} })
    })
    // Served under our own scheme: the type comes from the bytes, never from the store's header.
    const contentType = sniffImageType(response.body)
    if (!contentType)
      throw new TagdeckError({
        code: 'service',
        message: 'The image store sent something that is not an image'
      })
    return { bytes: response.body, contentType }
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError'
}
