import type { FastifyReply } from 'fastify'
import type { SampleRow, StoredLabel } from './rows'

/**
 * The two hot answers, ListSamples and DescribeSample, written straight to JSON bytes. The text is
 * exactly `JSON.stringify` of the objects `wireSample` (wire.ts) builds, which stays the readable
 * definition of the shape; wire-json.test.ts holds the two to the same bytes. Building 100 sample
 * objects, stringifying them and encoding the 55 KB string took about 0.2 ms a page; this skips
 * the objects, escapes only the strings that need it and encodes once into reused memory.
 */

/**
 * Only characters `JSON.stringify` leaves as they are: not `"`, `\`, control characters or
 * surrogates (a lone one is escaped; pairs go the slow way too, which keeps them).
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/

/** A string as a JSON literal, the same text `JSON.stringify` writes. */
export function jsonString(value: string): string {
  return PLAIN.test(value) ? `"${value}"` : JSON.stringify(value)
}

/** A number as `JSON.stringify` writes it (non-finite ones as `null`). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null'
}

function labelJson(label: StoredLabel, type: 0 | 1): string {
  if (typeof label === 'string') return `{"name":${jsonString(label)},"type":${type},"property":{}}`
  // Rare (written through UpdateSamples with properties of their own): the slow way.
  if (!Array.isArray(label)) return JSON.stringify(label)
  const [name, x1, y1, x2, y2] = label
  return (
    `{"name":${jsonString(name)},"type":${type},"property":{"@modelarts:shape":"bndbox",` +
    `"@modelarts:feature":[[${jsonNumber(x1)},${jsonNumber(y1)}],[${jsonNumber(x2)},${jsonNumber(y2)}]]}}`
  )
}

/**
 * One `Sample` of api.md; `source` is the image URL already written as a JSON string; `extra`
 * (a task sample's review fields) is added after the rest.
 */
export function sampleJson(row: SampleRow, type: 0 | 1, source: string, extra?: object): string {
  let labels = ''
  for (let i = 0; i < row.labels.length; i++)
    labels += (i === 0 ? '' : ',') + labelJson(row.labels[i] as StoredLabel, type)
  return (
    `{"sample_id":${jsonString(row.id)},"sample_name":${jsonString(row.name)},"sample_type":0,` +
    `"sample_status":${row.tagged ? '"MANUAL_ANNOTATION"' : '"UN_ANNOTATION"'},` +
    (row.size === null ? '' : `"sample_size":${jsonNumber(row.size)},`) +
    `"sample_time":${jsonNumber(row.time)},"source":${source},"labels":[${labels}],` +
    `"metadata":{"@modelarts:size":[${jsonNumber(row.width)},${jsonNumber(row.height)},3]}` +
    (extra && Object.keys(extra).length > 0 ? `,${JSON.stringify(extra).slice(1, -1)}` : '') +
    '}'
  )
}

// Answers are written into one shared buffer and sent from it, not copied out: a copy is a new
// 55 KB allocation per page, which cost more than writing the JSON. UTF-8 needs at most 3 bytes
// per UTF-16 unit; answers that could need more than SHARED_LIMIT get their own buffer.
const SHARED_LIMIT = 1024 * 1024
let shared = Buffer.allocUnsafe(256 * 1024)

/**
 * ListSamples, `{sample_count, samples}`, as UTF-8 bytes. They may live in the shared buffer:
 * valid until the next call, so send them with `sendJson`.
 */
export function listSamplesJson(total: number, samples: string[]): Buffer {
  const head = `{"sample_count":${jsonNumber(total)},"samples":[`
  let units = head.length + samples.length + 2
  for (const sample of samples) units += sample.length
  const most = units * 3
  if (most > shared.length && most <= SHARED_LIMIT) shared = Buffer.allocUnsafe(most)
  const out = most <= shared.length ? shared : Buffer.allocUnsafe(most)
  let at = out.write(head, 0)
  for (let i = 0; i < samples.length; i++) {
    if (i > 0) out[at++] = 0x2c // ,
    at += out.write(samples[i] as string, at)
  }
  out[at++] = 0x5d // ]
  out[at++] = 0x7d // }
  return out.subarray(0, at)
}

/** The Content-Type Fastify itself gives the JSON it serializes. */
export const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * Sends JSON text or bytes. When the bytes are the shared buffer's, they must stay as they are
 * until the socket has them: on loopback and a LAN the socket takes the whole answer at once, so
 * the buffer is free as soon as `send` returns. If instead anything is still queued (a slow
 * client, a full socket buffer) or the answer has not gone out yet (an async hook), the buffer
 * is left to that answer and the next one gets a new buffer.
 */
export function sendJson(reply: FastifyReply, json: string | Buffer): void {
  reply.type(JSON_TYPE).send(json)
  if (typeof json === 'string' || json.buffer !== shared.buffer) return
  const response = reply.raw
  if (!response.writableEnded || response.writableLength > 0)
    shared = Buffer.allocUnsafe(shared.length)
}
