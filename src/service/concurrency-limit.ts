/**
 * At most `slots` tasks at once, at most `queue` more waiting; past that, `run` refuses at once
 * with `Busy`. Password hashing goes through one: scrypt runs on libuv's thread pool, and a
 * crowd of sign-ins hashing in parallel would take every core from the routes everyone else uses.
 */
export class Busy extends Error {
  constructor() {
    super('Too many tasks waiting')
    this.name = 'Busy'
  }
}

export class ConcurrencyLimit {
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    private readonly slots: number,
    private readonly queue: number
  ) {
    if (slots < 1 || queue < 0) throw new Error(`Bad limit: ${slots} slots, ${queue} queued`)
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) {
      if (this.waiting.length >= this.queue) throw new Busy()
      // The slot is handed over by `release`, so `running` already counts this task.
      await new Promise<void>((resolve) => this.waiting.push(resolve))
    } else {
      this.running++
    }
    try {
      return await task()
    } finally {
      this.release()
    }
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }
}
