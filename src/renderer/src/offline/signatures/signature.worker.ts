import type { HashRequest, HashResponse, ThumbAnswer } from './hasher'
import { thumbSignature } from './pixels'

/**
 * The signature worker: fetches each thumbnail of a request from main's image cache (the URLs
 * the grid shows) and works out its signature, a few at a time, off the UI thread.
 */

const AT_ONCE = 4

interface WorkerScope {
  onmessage: ((event: MessageEvent<HashRequest>) => void) | null
  postMessage(message: HashResponse): void
}
const scope = self as unknown as WorkerScope

async function answer(item: HashRequest['items'][number]): Promise<ThumbAnswer> {
  try {
    const response = await fetch(item.url)
    if (!response.ok)
      return { sampleId: item.sampleId, error: `thumbnail: HTTP ${response.status}` }
    return { sampleId: item.sampleId, signature: await thumbSignature(await response.blob()) }
  } catch (error) {
    return {
      sampleId: item.sampleId,
      error: error instanceof Error ? error.message : String(error)
    }
  }
}

scope.onmessage = (event) => {
  const { id, items } = event.data
  void (async () => {
    const answers: ThumbAnswer[] = new Array<ThumbAnswer>(items.length)
    let next = 0
    const lane = async () => {
      for (let i = next++; i < items.length; i = next++)
        answers[i] = await answer(items[i] as HashRequest['items'][number])
    }
    await Promise.all(Array.from({ length: AT_ONCE }, lane))
    scope.postMessage({ id, answers })
  })()
}
