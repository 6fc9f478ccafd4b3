import type { ConnectionInput, ConnectionProfile, ConnectionTarget } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import type { MainContext } from '../context'
import { demoInput, demoProfile, readDemo } from '../connections/demo'
import { secretStaysWith } from '../../shared/secret-scope'
import { findProjects } from '../connections/find-projects'
import { testConnection } from '../connections/test-connection'
import type { IpcRouter } from '../ipc/router'
import { log } from '../log'
import { rememberSecret } from '../log/secrets'
import type { MainServices } from '../services'

/**
 * Whether cached images may belong to another service after an edit. A new port on the same
 * host is the same service (the demo gets a new port each run); anything else is not.
 */
function sameService(a: ConnectionProfile, b: { target: ConnectionTarget; projectId: string }) {
  if (a.projectId !== b.projectId || a.target.kind !== b.target.kind) return false
  if (a.target.kind === 'region' && b.target.kind === 'region')
    return a.target.region === b.target.region
  if (a.target.kind === 'endpoint' && b.target.kind === 'endpoint') {
    const [x, y] = [new URL(a.target.url), new URL(b.target.url)]
    return x.protocol === y.protocol && x.hostname === y.hostname && x.pathname === y.pathname
  }
  return false
}

export function addConnectionHandlers(
  router: IpcRouter,
  ctx: MainContext,
  services: MainServices
): void {
  const { store, cipher, monitor, fetcher, net } = services

  const save = async (input: ConnectionInput) => {
    const before = input.id ? store.get(input.id) : null
    const saved = await store.save(input)
    if (before && !sameService(before, saved)) await fetcher.cache.removePrefix(`${saved.id}/`)
    return saved
  }

  router.addHandler('connections.list', () => store.list())
  router.addHandler('connections.save', save)
  router.addHandler('connections.remove', async ({ id }) => ({ removed: await store.remove(id) }))

  // A secret that cannot be decrypted any more: the test goes on without it (and says auth).
  const savedSecret = (id: string) =>
    store.secret(id).catch((error: unknown) => {
      log.warn(`the saved secret of connection ${id} could not be read; testing without it`, error)
      return null
    })

  router.addHandler('connections.test', async (input) => {
    if ('secret' in input) rememberSecret(input.secret)
    if (!('name' in input)) {
      const profile = store.require(input.id)
      const secret = await savedSecret(input.id)
      const verdict = await testConnection(profile, secret, net)
      if (secret !== null)
        monitor.report(input.id, verdict.reachable, verdict.reachable ? null : verdict.message)
      return verdict
    }
    // An unsaved form: its own secret, or the saved one only where it was entered (the same
    // identity, endpoint or region, IAM URL and project). Anywhere else it tests without one.
    const saved = input.id ? store.get(input.id) : null
    const secret =
      input.secret ??
      (saved && input.id && secretStaysWith(saved, input) ? await savedSecret(input.id) : null)
    return testConnection(input, secret, net)
  })

  router.addHandler('connections.findProjects', async (form) => {
    rememberSecret(form.secret)
    // The saved secret goes to IAM only where it was entered (the project is what we look for).
    const saved = form.id ? store.get(form.id) : null
    const secret =
      form.secret ??
      (saved && form.id && secretStaysWith(saved, { ...form, projectId: saved.projectId })
        ? await store.secret(form.id)
        : null)
    if (secret === null)
      throw new TagdeckError({
        code: 'invalid_input',
        message:
          'Enter the secret key or password first: IAM lists projects only to a signed-in user.'
      })
    return { projects: await findProjects(form, secret, net) }
  })

  router.addHandler('connections.demo', async () => {
    const demo = await readDemo(ctx.demoFile)
    return demo ? demoProfile(demo) : null
  })

  router.addHandler('connections.addDemo', async () => {
    const demo = await readDemo(ctx.demoFile)
    if (!demo)
      throw new TagdeckError({
        code: 'not_found',
        message: 'No local demo service is running: start Tagdeck with `npm start`'
      })
    return save(demoInput(demo))
  })

  router.addHandler('secrets.status', async () => ({
    encryptionAvailable: await cipher.isAvailable(),
    backend: cipher.backend,
    osProtected: cipher.osProtected
  }))
}
