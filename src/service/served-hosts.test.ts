import { describe, expect, it } from 'vitest'
import { parseHostHeader, ServedHosts, type ServedHostsOptions } from './served-hosts'

// Which signed Host values name this service, for each way it can be bound.
const machine = {
  addresses: () => ['127.0.0.1', '192.168.1.20', '::1', 'fe80::1c2b%eth0', '2001:db8::20'],
  names: () => ['box', 'box.local']
}

function hosts(options: Partial<ServedHostsOptions> & { listenHost: string; port?: number }) {
  const { port = 8090, ...rest } = options
  return new ServedHosts({
    publicUrl: null,
    bound: () => ({
      address: options.listenHost === '0.0.0.0' ? '0.0.0.0' : options.listenHost,
      port
    }),
    ...machine,
    ...rest
  })
}

describe('parseHostHeader', () => {
  it.each([
    ['Box.Local.:8090', { hostname: 'box.local', port: 8090 }],
    ['[2001:DB8:0:0::20]:8090', { hostname: '[2001:db8::20]', port: 8090 }],
    ['example.org', { hostname: 'example.org', port: null }]
  ])('reads %s', (value, parsed) => {
    expect(parseHostHeader(value)).toEqual(parsed)
  })

  it.each(['evil@127.0.0.1:8090', '127.0.0.1:8090/x', 'a b', '', '::1', 'box:99999', 'box:'])(
    'refuses %j',
    (value) => {
      expect(parseHostHeader(value)).toBeNull()
    }
  )
})

describe('ServedHosts', () => {
  it('bound to 127.0.0.1: that address and localhost on our port, nothing else', () => {
    const served = hosts({ listenHost: '127.0.0.1' })
    const ok = ['127.0.0.1:8090', 'localhost:8090', 'LOCALHOST:8090']
    const no = ['127.0.0.1:8091', '127.0.0.2:8090', '192.168.1.20:8090', 'box:8090', 'evil:8090']
    expect(ok.filter((h) => !served.accepts(h))).toEqual([])
    expect(no.filter((h) => served.accepts(h))).toEqual([])
  })

  it('bound to a LAN address: only that address', () => {
    const served = hosts({ listenHost: '192.168.1.20' })
    expect(served.accepts('192.168.1.20:8090')).toBe(true)
    expect(['localhost:8090', 'box:8090', '127.0.0.1:8090'].some((h) => served.accepts(h))).toBe(
      false
    )
  })

  it("bound to 0.0.0.0: the machine's IPv4 addresses and names, only on our port", () => {
    const served = hosts({ listenHost: '0.0.0.0' })
    const ok = [
      '192.168.1.20:8090',
      '127.0.0.1:8090',
      'box:8090',
      'box.local:8090',
      'localhost:8090'
    ]
    const no = ['192.168.1.21:8090', 'box:8091', 'box.lan:8090', 'evil:8090', '[2001:db8::20]:8090']
    expect(ok.filter((h) => !served.accepts(h))).toEqual([])
    expect(no.filter((h) => served.accepts(h))).toEqual([])
  })

  it('bound to ::, IPv6 addresses too (link-local without its zone)', () => {
    const served = hosts({ listenHost: '::' })
    for (const h of ['[2001:db8::20]:8090', '[fe80::1c2b]:8090', '[::1]:8090', 'box:8090'])
      expect([h, served.accepts(h)]).toEqual([h, true])
  })

  it('port 80 may be left out of the Host header', () => {
    const served = hosts({ listenHost: '0.0.0.0', port: 80 })
    expect(served.accepts('box')).toBe(true)
    expect(served.accepts('box:80')).toBe(true)
    expect(hosts({ listenHost: '0.0.0.0' }).accepts('box')).toBe(false)
  })

  it('with --public-url: its host at the port its scheme implies, and the listening address', () => {
    const served = hosts({ listenHost: '127.0.0.1', publicUrl: 'https://tagdeck.example.org' })
    const ok = ['tagdeck.example.org', 'tagdeck.example.org:443', '127.0.0.1:8090']
    const no = ['tagdeck.example.org:80', 'tagdeck.example.org:8090', 'example.org', 'evil']
    expect(ok.filter((h) => !served.accepts(h))).toEqual([])
    expect(no.filter((h) => served.accepts(h))).toEqual([])
    const lan = hosts({ listenHost: '0.0.0.0', publicUrl: 'http://box.lan:8090' })
    expect(['box.lan:8090', '192.168.1.20:8090'].every((h) => lan.accepts(h))).toBe(true)
  })
})
