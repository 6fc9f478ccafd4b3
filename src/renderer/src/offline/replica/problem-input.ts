import type { Sample } from '../../../../shared/domain'

/**
 * A job's samples as the problem finder reads them, in typed arrays: what crosses to the
 * findings worker (`findings.worker.ts`). Posting 100,000 samples with 500,000 boxes as objects
 * would be one structured clone of a few hundred milliseconds on the page; these arrays are
 * transferred (no copy), and filled a slice at a time (`fillInput`). Coordinates are kept in
 * doubles, so the checks answer exactly as they would on the samples themselves.
 */
export interface ProblemInput {
  /** Images, in the job's order. */
  count: number
  /** Label names by id (ids are indexes into this). */
  labels: string[]
  /** Each image's size in pixels (0: no size). */
  width: Float64Array
  height: Float64Array
  /** Image i's tags are `tags[tagStart[i] .. tagStart[i + 1])`, as label ids. */
  tagStart: Int32Array
  tags: Int32Array
  /** Image i's boxes are `boxStart[i] .. boxStart[i + 1]`: label ids and x1, y1, x2, y2. */
  boxStart: Int32Array
  boxLabel: Int32Array
  coords: Float64Array
}

/** An input sized for `samples` (a quick pass counting tags and boxes), still to be filled. */
export function emptyInput(samples: readonly Sample[]): ProblemInput {
  const count = samples.length
  const tagStart = new Int32Array(count + 1)
  const boxStart = new Int32Array(count + 1)
  for (let i = 0; i < count; i++) {
    const s = samples[i] as Sample
    tagStart[i + 1] = (tagStart[i] as number) + s.tags.length
    boxStart[i + 1] = (boxStart[i] as number) + s.boxes.length
  }
  const boxes = boxStart[count] as number
  return {
    count,
    labels: [],
    width: new Float64Array(count),
    height: new Float64Array(count),
    tagStart,
    tags: new Int32Array(tagStart[count] as number),
    boxStart,
    boxLabel: new Int32Array(boxes),
    coords: new Float64Array(boxes * 4)
  }
}

/**
 * Fills images `from..to` of `input` from `samples`; `ids` numbers the labels (shared across
 * slices, its order the order of `input.labels`).
 */
export function fillInput(
  samples: readonly Sample[],
  from: number,
  to: number,
  input: ProblemInput,
  ids: Map<string, number>
): void {
  const idOf = (label: string) => {
    let id = ids.get(label)
    if (id === undefined) {
      id = input.labels.length
      ids.set(label, id)
      input.labels.push(label)
    }
    return id
  }
  const { width, height, tagStart, tags, boxStart, boxLabel, coords } = input
  for (let i = from; i < to; i++) {
    const s = samples[i] as Sample
    width[i] = s.size?.width ?? 0
    height[i] = s.size?.height ?? 0
    let t = tagStart[i] as number
    for (const tag of s.tags) tags[t++] = idOf(tag)
    let b = boxStart[i] as number
    for (const box of s.boxes) {
      boxLabel[b] = idOf(box.tag)
      coords[b * 4] = box.x1
      coords[b * 4 + 1] = box.y1
      coords[b * 4 + 2] = box.x2
      coords[b * 4 + 3] = box.y2
      b += 1
    }
  }
}

/** The whole input at once (tests, and the sizes where slicing does not matter). */
export function inputOf(samples: readonly Sample[]): ProblemInput {
  const input = emptyInput(samples)
  fillInput(samples, 0, samples.length, input, new Map())
  return input
}

/** The buffers to transfer with a message carrying `input`. */
export function buffersOf(input: ProblemInput): ArrayBuffer[] {
  const { width, height, tagStart, tags, boxStart, boxLabel, coords } = input
  return [width, height, tagStart, tags, boxStart, boxLabel, coords].map(
    (a) => a.buffer as ArrayBuffer
  )
}
