import pLimit from 'p-limit'

/**
 * Runs `fn` over `items` with at most `limit` in flight (p-limit); results keep the input order.
 * Stops starting new items once `signal` aborts (those already running finish; the others'
 * results stay undefined).
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal
): Promise<R[]> {
  const run = pLimit(Math.max(1, limit))
  return Promise.all(
    items.map((item, index) =>
      run(async () => (signal?.aborted ? (undefined as R) : fn(item, index)))
    )
  )
}
