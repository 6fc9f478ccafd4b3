import { hostname, networkInterfaces } from 'node:os'

/**
 * The hosts this service answers to, so that a signature made for another server (captured
 * there, replayed here) is refused: an AK/SK signature covers the `Host` header, and a request
 * is only ours when that host names this service.
 *
 * - `--public-url`: its host and port (the port its scheme implies when none is written).
 * - The listening address itself, with our port: only this process can hold that pair.
 * - A loopback bind (127.x, ::1, localhost) also answers to `localhost` on our port.
 * - A wildcard bind (0.0.0.0, ::) answers to every address of this machine's interfaces, to
 *   `localhost`, and to the machine's name (`box` and `box.local`, as mDNS spells it), each only
 *   with our port. Any other name (a DNS alias such as `box.lan`, a proxy's name) must be given
 *   with `--public-url`: "any host with our port" would let a listener on another machine with
 *   the same port capture requests that replay here.
 */
export interface ServedHostsOptions {
  publicUrl: string | null
  /** The `--host` the service was asked to listen on. */
  listenHost: string
  /** The address and port it actually listens on (known once listening). */
  bound: () => { address: string; port: number }
  /** This machine's interface addresses (tests may give their own). */
  addresses?: () => string[]
  /** This machine's names. */
  names?: () => string[]
}

interface Entry {
  hostname: string
  port: number
  /** The port a Host header without one means for this entry (its scheme's). */
  defaultPort: number
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '0:0:0:0:0:0:0:0'])
const REFRESH_MS = 5_000
// What a Host header may be: a name or IPv4 address, or a bracketed IPv6 one, then a port.
const HOST_HEADER = /^(\[[0-9a-f:.]{2,45}\]|[a-z0-9](?:[a-z0-9.-]{0,252}))(?::(\d{1,5}))?$/i

/** A host name as the WHATWG URL parser writes it (lower case, IPv6 compressed), or null. */
export function normalizeHostname(name: string): string | null {
  const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name
  try {
    return new URL(`http://${bracketed}/`).hostname.replace(/\.$/, '')
    // eslint-disable-next-line no-restricted-syntax -- not a host name: null, as said above
  } catch {
    return null
  }
}

/** `host[:port]` split and normalized, or null when it is not a plain host. */
export function parseHostHeader(value: string): { hostname: string; port: number | null } | null {
  const match = HOST_HEADER.exec(value.trim())
  if (!match) return null
  const name = normalizeHostname(match[1] ?? '')
  const port = match[2] === undefined ? null : Number(match[2])
  if (name === null || (port !== null && port > 65535)) return null
  return { hostname: name, port }
}

function isLoopback(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .flatMap((info) => (info ? [info.address] : []))
}

function machineNames(): string[] {
  const name = hostname().toLowerCase()
  return name ? [name, `${name}.local`] : []
}

export class ServedHosts {
  private entries: Entry[] = []
  private builtAt = -Infinity

  constructor(private readonly options: ServedHostsOptions) {}

  /** Whether a request whose signed Host is `value` was meant for this service. */
  accepts(value: string): boolean {
    const host = parseHostHeader(value)
    if (!host) return false
    if (this.matches(host)) return true
    // Interfaces come and go (DHCP, Wi-Fi): look again before refusing, not on every request.
    if (Date.now() - this.builtAt < REFRESH_MS) return false
    this.rebuild()
    return this.matches(host)
  }

  /** Where the service is reached, for a refusal's message. */
  describe(): string {
    const { port } = this.options.bound()
    const listening = WILDCARDS.has(this.options.listenHost)
      ? `this machine's addresses and name on port ${port}`
      : `${this.options.listenHost.includes(':') ? `[${this.options.listenHost}]` : this.options.listenHost}:${port}`
    if (!this.options.publicUrl) return listening
    return `${new URL(this.options.publicUrl).host} (--public-url) or ${listening}`
  }

  private matches(host: { hostname: string; port: number | null }): boolean {
    if (this.entries.length === 0) this.rebuild()
    return this.entries.some(
      (e) => e.hostname === host.hostname && (host.port ?? e.defaultPort) === e.port
    )
  }

  private rebuild(): void {
    const { publicUrl, listenHost } = this.options
    const { address, port } = this.options.bound()
    const entries: Entry[] = []
    const add = (name: string, entryPort: number, defaultPort = 80) => {
      const normalized = normalizeHostname(name)
      if (normalized) entries.push({ hostname: normalized, port: entryPort, defaultPort })
    }
    if (publicUrl) {
      const url = new URL(publicUrl)
      const defaultPort = url.protocol === 'https:' ? 443 : 80
      add(url.hostname, url.port ? Number(url.port) : defaultPort, defaultPort)
    }
    add(address, port)
    if (WILDCARDS.has(listenHost)) {
      const ipv4Only = listenHost === '0.0.0.0'
      const addresses = (this.options.addresses ?? interfaceAddresses)()
        .filter((a) => !ipv4Only || !a.includes(':'))
        // A Host header cannot carry an IPv6 zone (fe80::1%eth0): clients send the bare address.
        .map((a) => a.replace(/%.*$/, ''))
      for (const name of [...addresses, ...(this.options.names ?? machineNames)(), 'localhost'])
        add(name, port)
    } else {
      add(listenHost, port)
      const bound = normalizeHostname(listenHost)
      if (bound && isLoopback(bound)) add('localhost', port)
    }
    this.entries = entries
    this.builtAt = Date.now()
  }
}
