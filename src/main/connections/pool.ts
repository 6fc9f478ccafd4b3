import { TagdeckError } from '../../shared/errors'
import { endpointsFor, joinUrl } from '../api/endpoints'
import { networkError } from '../api/errors'
import type { HttpClient } from '../api/http'
import type { ConnectivityMonitor, Probe } from '../connectivity/monitor'
import { undiciFetch } from '../api/undici-fetch'
import { buildClient, httpClient, type ConnectionClient, type NetDeps } from './client'
import type { ConnectionStore } from './store'

/**
 * One API client per saved connection, built on first use and rebuilt when the profile
 * changes. Every request it makes tells the connectivity monitor whether the service answered.
 */
export class ClientPool {
  private readonly clients = new Map<string, Promise<ConnectionClient>>()
  private readonly imageClients = new Map<string, HttpClient>()
  private readonly unsubscribe: () => void

  constructor(
    private readonly store: ConnectionStore,
    private readonly deps: NetDeps,
    private readonly monitor: ConnectivityMonitor,
    onRemoved: (id: string) => void = () => {}
  ) {
    for (const profile of store.list()) monitor.track(profile.id, this.probe(profile.id))
    this.unsubscribe = store.onChange(({ id, kind }) => {
      this.clients.delete(id)
      this.imageClients.delete(id)
      if (kind === 'saved') monitor.track(id, this.probe(id))
      else {
        monitor.untrack(id)
        onRemoved(id)
      }
    })
  }

  /** The client of a saved connection; fails with not_found or auth (no secret stored). */
  get(connectionId: string): Promise<ConnectionClient> {
    let client = this.clients.get(connectionId)
    if (!client) {
      client = this.build(connectionId)
      this.clients.set(connectionId, client)
      // A failure (no secret yet) must not stick: the next call tries again.
      client.catch(() => {
        if (this.clients.get(connectionId) === client) this.clients.delete(connectionId)
      })
    }
    return client
  }

  /**
   * Credential-free HTTP for image sources, still feeding connectivity; on `node:http`
   * (`undiciFetch`) unless the caller supplied its own fetch.
   */
  imageHttp(connectionId: string): HttpClient {
    let http = this.imageClients.get(connectionId)
    if (!http) {
      http = httpClient(
        { ...this.deps, fetch: this.deps.fetch ?? undiciFetch },
        {
          ...this.hooks(connectionId),
          policy: { retries: 2, timeoutMs: 30_000 }
        }
      )
      this.imageClients.set(connectionId, http)
    }
    return http
  }

  close(): void {
    this.unsubscribe()
  }

  private async build(connectionId: string): Promise<ConnectionClient> {
    const profile = this.store.require(connectionId)
    const secret = await this.store.secret(connectionId)
    if (secret === null)
      throw new TagdeckError({
        code: 'auth',
        message: `No ${profile.auth.kind === 'aksk' ? 'secret key' : 'password'} is stored for "${profile.name}": enter it in the connection settings`
      })
    return buildClient(profile, secret, this.deps, this.hooks(connectionId))
  }

  private hooks(connectionId: string) {
    return {
      onOutcome: (reachable: boolean, error: TagdeckError | null) =>
        this.monitor.report(connectionId, reachable, error?.message ?? null),
      isOffline: () => this.monitor.isOffline(connectionId)
    }
  }

  /**
   * The light probe: an unauthenticated GET of `/health` (our service answers it; the cloud
   * answers something else). Any HTTP answer proves the service is reachable.
   */
  private probe(connectionId: string): Probe {
    const fetchFn = this.deps.fetch ?? fetch
    return async () => {
      const profile = this.store.get(connectionId)
      if (!profile) return
      const { modelarts } = endpointsFor(profile.target, profile.auth, this.deps.regionEndpoint)
      const url = joinUrl(modelarts, '/health')
      let response: Response
      try {
        response = await fetchFn(url, {
          method: 'GET',
          redirect: 'manual',
          signal: AbortSignal.timeout(5_000)
        })
      } catch (error) {
        throw networkError(error, url.host)
      }
      await response.body?.cancel()
      if (response.status === 502 || response.status === 504)
        throw new Error(`The gateway cannot reach the service (HTTP ${response.status})`)
    }
  }
}
