import { isIPv6 } from 'node:net'

/**
 * Budgets for failed IAM sign-ins (`POST /v3/auth/tokens`), each a sliding window of the
 * attempts' times. An attempt counts against every budget from the moment it starts (so a burst
 * of parallel guesses cannot all slip in before the first fails) and is taken back when the
 * password was right. An attempt over a budget is refused before any hashing: 429 with
 * `Retry-After`, even with the right password, or the limit would not limit guessing.
 *
 * - the same user from the same address: 5 failures a minute; 20 failures within 15 minutes
 *   lock that pair out for 15 minutes. A success clears the pair.
 * - one address, whatever the user: 20 failures a minute (one client trying many names).
 * - one user, whatever the address: 20 failures a minute (many clients trying one name). This
 *   one can slow the real user down while someone guesses; it never locks them out.
 *
 * Addresses are the TCP peer's (X-Forwarded-For is not trusted: anyone can write it), IPv6 ones
 * by their /64, since one machine holds a whole /64. Behind a reverse proxy every client shares
 * the proxy's address and so the per-address budget.
 */
export interface Budget {
  name: 'pair' | 'pair-lockout' | 'address' | 'user'
  max: number
  windowMs: number
  /** How long a full window blocks: until its oldest attempt leaves it, unless set. */
  lockMs?: number
}

const MINUTE = 60_000
export const SIGN_IN_BUDGETS: Budget[] = [
  { name: 'pair', max: 5, windowMs: MINUTE },
  { name: 'pair-lockout', max: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  { name: 'address', max: 20, windowMs: MINUTE },
  { name: 'user', max: 20, windowMs: MINUTE }
]
/** Keys remembered per budget; past it the least recently used are forgotten first. */
const MAX_KEYS = 10_000

export interface Refusal {
  budget: Budget['name']
  retryAfterMs: number
}

export interface Attempt {
  /** The password was right: this attempt is not a failure, and the pair starts afresh. */
  succeeded(): void
}

interface Track {
  times: number[]
  lockedUntil: number
}

class Window {
  private readonly tracks = new Map<string, Track>()

  constructor(readonly budget: Budget) {}

  /** How long `key` must wait, or 0. */
  waitFor(key: string, now: number): number {
    const track = this.tracks.get(key)
    if (!track) return 0
    if (track.lockedUntil > now) return track.lockedUntil - now
    const recent = track.times.filter((t) => t > now - this.budget.windowMs)
    if (recent.length < this.budget.max) return 0
    return (recent[recent.length - this.budget.max] ?? now) + this.budget.windowMs - now
  }

  add(key: string, now: number): void {
    const track = this.tracks.get(key) ?? { times: [], lockedUntil: 0 }
    track.times = track.times.filter((t) => t > now - this.budget.windowMs)
    track.times.push(now)
    if (this.budget.lockMs !== undefined && track.times.length >= this.budget.max)
      track.lockedUntil = now + this.budget.lockMs
    // Re-inserted, so the map's order is least recently used first.
    this.tracks.delete(key)
    this.tracks.set(key, track)
    this.forgetOld(now)
  }

  /** Takes back one attempt made at `at`. */
  remove(key: string, at: number): void {
    const track = this.tracks.get(key)
    const index = track?.times.lastIndexOf(at) ?? -1
    if (track && index >= 0) track.times.splice(index, 1)
  }

  clear(key: string): void {
    this.tracks.delete(key)
  }

  private forgetOld(now: number): void {
    for (const [key, track] of this.tracks) {
      const last = track.times[track.times.length - 1] ?? 0
      const stale = last <= now - this.budget.windowMs && track.lockedUntil <= now
      if (!stale && this.tracks.size <= MAX_KEYS) break
      this.tracks.delete(key)
    }
  }
}

/** The key for a client address: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1] ?? address
  if (!isIPv6(address)) return address
  const [head = '', tail = ''] = address.toLowerCase().replace(/%.*$/, '').split('::')
  const left = head ? head.split(':') : []
  const right = address.includes('::') && tail ? tail.split(':') : []
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}

export class SignInLimits {
  private readonly windows = SIGN_IN_BUDGETS.map((budget) => new Window(budget))

  constructor(private readonly now: () => number) {}

  /** Starts an attempt for `user` (domain and name) from `address`, or says how long to wait. */
  begin(user: { domain: string; name: string }, address: string): Attempt | Refusal {
    const now = this.now()
    const userKey = `${user.domain}\n${user.name}`.toLowerCase()
    const addr = addressKey(address)
    const keys = this.windows.map((w) =>
      w.budget.name === 'address'
        ? addr
        : w.budget.name === 'user'
          ? userKey
          : `${addr}\n${userKey}`
    )
    let refusal: Refusal | null = null
    this.windows.forEach((w, i) => {
      const wait = w.waitFor(keys[i] ?? '', now)
      if (wait > 0 && (!refusal || wait > refusal.retryAfterMs))
        refusal = { budget: w.budget.name, retryAfterMs: wait }
    })
    if (refusal) return refusal
    this.windows.forEach((w, i) => w.add(keys[i] ?? '', now))
    return {
      succeeded: () =>
        this.windows.forEach((w, i) => {
          const key = keys[i] ?? ''
          if (w.budget.name.startsWith('pair')) w.clear(key)
          else w.remove(key, now)
        })
    }
  }
}

export const isRefusal = (value: Attempt | Refusal): value is Refusal => 'retryAfterMs' in value
