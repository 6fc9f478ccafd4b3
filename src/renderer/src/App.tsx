import { useEffect, useState } from 'react'
import { call, platform } from './platform'

type Status =
  | { kind: 'checking' }
  | { kind: 'ok'; version: string; roundTripMs: number }
  | { kind: 'error'; message: string }

/** The app shell: proves the renderer -> main path (app.version, app.ping) on start. */
export function App() {
  const [status, setStatus] = useState<Status>({ kind: 'checking' })

  useEffect(() => {
    let cancelled = false
    const check = async () => {
      try {
        const { version } = await call('app.version')
        const nonce = crypto.randomUUID()
        const started = performance.now()
        const pong = await call('app.ping', { nonce })
        if (pong.nonce !== nonce) throw new Error('ping answered with the wrong nonce')
        if (!cancelled) setStatus({ kind: 'ok', version, roundTripMs: performance.now() - started })
      } catch (error) {
        if (!cancelled)
          setStatus({
            kind: 'error',
            message: error instanceof Error ? error.message : String(error)
          })
      }
    }
    void check()
    return () => {
      cancelled = true
    }
  }, [])

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Tagdeck</h1>
        <span className="shell-kind">
          {platform.shell === 'electron' ? 'Desktop' : 'Browser shell'}
        </span>
        <span className="spacer" />
        <span role="status" aria-label="Main process" data-testid="main-status">
          {status.kind === 'checking' && 'Connecting to main…'}
          {status.kind === 'ok' &&
            `Main v${status.version} · ping ${status.roundTripMs.toFixed(0)} ms`}
          {status.kind === 'error' && `Main unreachable: ${status.message}`}
        </span>
      </header>
      <main className="content">
        <p>Review image-annotation jobs, online or offline.</p>
      </main>
    </div>
  )
}
