import { readdirSync, readFileSync } from 'node:fs'

/**
 * The bench's processes as Linux's `/proc` shows them (empty answers elsewhere).
 *
 * CPU time of the bench's processes, grouped by role (the service, the browser shell, each kind
 * of Chromium process, the rest), read from Linux's `/proc`; empty elsewhere. On a 2-core machine
 * every process of the app competes with the service for the same cores, so where the CPU goes
 * says more about a ratio than the wall-clock times alone.
 */
export type CpuTimes = Map<string, number>

/** Clock ticks per second of `/proc/PID/stat` (USER_HZ, 100 on Linux). */
const TICK_MS = 10

function role(cmdline: string): string {
  if (cmdline.includes('chromium') || cmdline.includes('chrome'))
    return `chromium ${/--type=(\S+)/.exec(cmdline)?.[1] ?? 'browser'}`
  if (cmdline.includes('service/cli.ts')) return 'service'
  if (cmdline.includes('shell/cli.ts')) return 'shell'
  return 'the bench and the rest'
}

function pids(): string[] {
  try {
    return readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    // No /proc (macOS, Windows): nothing to show.
    return []
  }
}

export function cpuTimes(): CpuTimes {
  const times: CpuTimes = new Map()
  for (const pid of pids()) {
    let stat: string
    let cmdline: string
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
    } catch {
      // The process ended while being read.
      continue
    }
    // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS
    const name = role(cmdline)
    times.set(name, (times.get(name) ?? 0) + ms)
  }
  return times
}

/** CPU seconds spent by each role between two readings, largest first ("" without /proc). */
export function cpuSpent(before: CpuTimes, after: CpuTimes): string {
  return [...after]
    .map(([name, ms]) => [name, ms - (before.get(name) ?? 0)] as const)
    .filter(([, ms]) => ms >= 50)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)}`)
    .join(', ')
}

/** Resident memory of every process of `role` (e.g. "chromium renderer"), in bytes; 0 without /proc. */
export function residentBytes(wanted: string): number {
  let bytes = 0
  for (const pid of pids()) {
    try {
      if (role(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')) !== wanted)
        continue
      const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      bytes += Number(rss?.[1] ?? 0) * 1024
    } catch {
      // The process ended while being read.
      continue
    }
  }
  return bytes
}
