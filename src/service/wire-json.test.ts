import type { FastifyReply } from 'fastify'
import { describe, expect, it } from 'vitest'
import type { SampleRow, StoredLabel } from './rows'
import { wireSample } from './wire'
import { jsonString, listSamplesJson, sampleJson, sendJson } from './wire-json'

// The JSON writer must give byte for byte what JSON.stringify gives for the objects of wire.ts.

const TRICKY = [
  '',
  'plain.jpg',
  'quote " and backslash \\',
  'new\nline\ttab\r\u0000\u001f\u007f',
  '花 ring',
  'emoji 🌸 pair',
  'lone \ud800 high',
  'lone \udc00 low',
  'reversed \udc00\ud800',
  'line separators \u2028\u2029',
  '</script>&<>',
  '\u00e9\u00ff latin1'
]

/** A small seeded generator, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

function row(overrides: Partial<SampleRow>): SampleRow {
  return {
    id: '0123456789abcdef0123456789abcdef',
    datasetId: 'kcKcGLqSi3AMBavZHHPg',
    name: 'shapes_000001.jpg',
    time: 1735602251000,
    tagged: true,
    width: 1024,
    height: 768,
    size: null,
    format: 'jpg',
    labels: [],
    ...overrides
  }
}

const SOURCE = 'http://127.0.0.1:8090/v2/p/datasets/d/data-annotations/samples/s/image?expires=1'

const same = (value: SampleRow, type: 0 | 1, source = SOURCE) =>
  expect(sampleJson(value, type, JSON.stringify(source))).toBe(
    JSON.stringify(wireSample(value, type, source))
  )

describe('jsonString', () => {
  it('writes what JSON.stringify writes, tricky strings included', () => {
    for (const text of TRICKY) expect(jsonString(text)).toBe(JSON.stringify(text))
  })

  it('agrees with JSON.stringify on random strings of awkward characters', () => {
    const next = generator(7)
    const alphabet = ['a', '"', '\\', '\n', '\u0001', '\u007f', '花', '\ud83c', '\udf38', '\u2028']
    for (let i = 0; i < 2000; i++) {
      let text = ''
      const length = Math.floor(next() * 12)
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)]
      expect(jsonString(text)).toBe(JSON.stringify(text))
    }
  })
})

describe('sampleJson', () => {
  it('matches wireSample for classification samples', () => {
    same(row({ labels: ['circle'] }), 0)
    same(row({ labels: ['circle', '花'], size: 17999 }), 0)
    same(row({ tagged: false, labels: [] }), 0)
    for (const name of TRICKY) same(row({ name, id: name, labels: [name] }), 0)
  })

  it('matches wireSample for detection boxes, whatever the numbers', () => {
    const boxes: StoredLabel[] = [
      ['square', 10, 20, 110, 220],
      ['circle', 0.5, -0, 1e21, 123.456],
      ['cross', -3, 2 ** 53, 1e-7, 0.1 + 0.2],
      ['花', 1, 2, 3, 4]
    ]
    same(row({ labels: boxes, size: 0 }), 1)
    same(row({ labels: [boxes[0] as StoredLabel] }), 1)
    // A classification tag in a detection job still reads as a label without a box.
    same(row({ labels: ['loose', ...boxes] }), 1)
  })

  it("matches wireSample for labels kept whole and for a task sample's review fields", () => {
    const whole: StoredLabel = {
      score: 0.7,
      name: 'poly',
      type: 1,
      property: {
        '@modelarts:shape': 'polygon',
        '@modelarts:feature': [
          [1, 2],
          [3, 4],
          [5, 6]
        ]
      }
    }
    same(row({ labels: [whole, ['square', 1, 2, 3, 4]] }), 1)
    const review = { review_accept: false, review_comment: 'loose "box"', worker_id: 'w1' }
    expect(sampleJson(row({}), 0, JSON.stringify(SOURCE), review)).toBe(
      JSON.stringify(wireSample(row({}), 0, SOURCE, review))
    )
  })

  it('writes odd numbers in the other fields as JSON.stringify does', () => {
    same(row({ time: 0, width: 1, height: 2 ** 31, size: 1.5 }), 0)
    same(row({ time: Number.NaN, width: Infinity, size: -Infinity }), 0)
  })

  it('takes any source text JSON.stringify would write', () => {
    same(row({}), 0, 'https://tagdeck.example.org/"odd\\base/')
  })
})

describe('listSamplesJson', () => {
  const pieces = (rows: SampleRow[]) => rows.map((r) => sampleJson(r, 0, JSON.stringify(SOURCE)))
  const expected = (total: number, rows: SampleRow[]) =>
    JSON.stringify({ sample_count: total, samples: rows.map((r) => wireSample(r, 0, SOURCE)) })

  it('is the UTF-8 of JSON.stringify({sample_count, samples})', () => {
    const rows = TRICKY.map((name, i) => row({ name, labels: i % 2 ? ['花'] : ['circle'] }))
    for (const [total, page] of [
      [0, []],
      [1, rows.slice(0, 1)],
      [123456, rows]
    ] as const) {
      const bytes = listSamplesJson(total, pieces([...page]))
      expect(Buffer.from(bytes).toString('utf8')).toBe(expected(total, [...page]))
      expect(bytes.equals(Buffer.from(expected(total, [...page]), 'utf8'))).toBe(true)
    }
  })

  it('writes answers too big for the shared buffer into their own', () => {
    const rows = Array.from({ length: 3000 }, (_, i) =>
      row({ name: `${'花'.repeat(100)}-${i}`, labels: ['花'] })
    )
    const bytes = listSamplesJson(3000, pieces(rows))
    expect(bytes.length).toBeGreaterThan(1024 * 1024)
    expect(bytes.toString('utf8')).toBe(expected(3000, rows))
  })
})

describe('sendJson', () => {
  function fakeReply(state: { writableEnded: boolean; writableLength: number }) {
    const sent: unknown[] = []
    const reply = {
      raw: state,
      type: () => reply,
      send: (payload: unknown) => {
        sent.push(payload)
        return reply
      }
    }
    return { reply: reply as unknown as FastifyReply, sent }
  }
  const page = (name: string) => listSamplesJson(1, [sampleJson(row({ name }), 0, '"s"')])

  it('reuses the shared memory once the socket has taken the answer', () => {
    const first = page('one')
    const { reply } = fakeReply({ writableEnded: true, writableLength: 0 })
    sendJson(reply, first)
    const second = page('two')
    expect(second.buffer).toBe(first.buffer)
  })

  it('leaves the bytes to an answer the socket still holds, or that has not gone out', () => {
    for (const state of [
      { writableEnded: true, writableLength: 10 },
      { writableEnded: false, writableLength: 0 }
    ]) {
      const first = page('kept')
      const copy = Buffer.from(first)
      const { reply, sent } = fakeReply(state)
      sendJson(reply, first)
      expect(sent[0]).toBe(first)
      const second = page('next answer')
      expect(second.buffer).not.toBe(first.buffer)
      expect(first.equals(copy)).toBe(true)
    }
  })

  it('sends text as it is', () => {
    const { reply, sent } = fakeReply({ writableEnded: true, writableLength: 0 })
    sendJson(reply, '{"a":1}')
    expect(sent).toEqual(['{"a":1}'])
  })
})
