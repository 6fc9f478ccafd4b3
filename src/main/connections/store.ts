import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { log } from '../log'
import { isMissing } from '../log/fs-errors'
import { rememberSecret } from '../log/secrets'
import { z } from 'zod'
import {
  ConnectionAuth,
  ConnectionTarget,
  Id,
  ProjectId,
  type ConnectionInput,
  type ConnectionProfile
} from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import { secretStaysWith } from '../../shared/secret-scope'
import type { SecretCipher } from './cipher'

/**
 * Connection profiles in `<userData>/connections.json`. The secret (SK or password) is stored
 * only as the cipher's ciphertext; where the OS cannot encrypt, it is refused, or kept in memory
 * for this session when the user chose so. Nothing here hands a secret to the renderer:
 * `secret()` is for main's API clients only.
 */
const StoredProfile = z.object({
  id: Id,
  name: z.string(),
  target: ConnectionTarget,
  projectId: ProjectId,
  auth: ConnectionAuth,
  /** base64 of the cipher's output; never the secret itself. */
  encryptedSecret: z.string().nullable()
})
type StoredProfile = z.infer<typeof StoredProfile>

const StoreFile = z.object({ version: z.literal(1), profiles: z.array(StoredProfile) })

export const PROFILES_FILE = 'connections.json'

export type StoreChange = { id: string; kind: 'saved' | 'removed' }

export class ConnectionStore {
  private profiles = new Map<string, StoredProfile>()
  private readonly sessionSecrets = new Map<string, string>()
  private readonly decrypted = new Map<string, string>()
  private readonly listeners = new Set<(change: StoreChange) => void>()
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly file: string,
    private readonly cipher: SecretCipher
  ) {}

  static async open(dir: string, cipher: SecretCipher): Promise<ConnectionStore> {
    const store = new ConnectionStore(path.join(dir, PROFILES_FILE), cipher)
    await store.load()
    return store
  }

  get secretCipher(): SecretCipher {
    return this.cipher
  }

  onChange(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  list(): ConnectionProfile[] {
    return [...this.profiles.values()].map((p) => this.toProfile(p))
  }

  get(id: string): ConnectionProfile | null {
    const stored = this.profiles.get(id)
    return stored ? this.toProfile(stored) : null
  }

  require(id: string): ConnectionProfile {
    const profile = this.get(id)
    if (!profile) throw new TagdeckError({ code: 'not_found', message: `No connection "${id}"` })
    return profile
  }

  /** One change at a time, so two saves never build on the same old snapshot. */
  save(input: ConnectionInput): Promise<ConnectionProfile> {
    return this.exclusive(() => this.saveNow(input))
  }

  remove(id: string): Promise<boolean> {
    return this.exclusive(() => this.removeNow(id))
  }

  private async saveNow(input: ConnectionInput): Promise<ConnectionProfile> {
    const id = input.id ?? randomUUID()
    const existing = this.profiles.get(id)
    let encryptedSecret: string | null = null
    let sessionSecret: string | null = null
    if (input.secret !== undefined) {
      if (await this.cipher.isAvailable()) {
        rememberSecret(input.secret)
        encryptedSecret = (await this.cipher.encrypt(input.secret)).toString('base64')
      } else if (input.allowSessionOnlySecret) {
        sessionSecret = input.secret
      } else {
        throw new TagdeckError({
          code: 'secret_storage',
          message:
            `This system cannot encrypt saved secrets (${this.cipher.backend}). ` +
            'Keep the secret for this session only, or do not save it.'
        })
      }
    } else if (existing && secretStaysWith(existing, input)) {
      encryptedSecret = existing.encryptedSecret
      sessionSecret = this.sessionSecrets.get(id) ?? null
    } else if (existing && (existing.encryptedSecret || this.sessionSecrets.has(id))) {
      // A secret is never carried to another identity or place, nor silently dropped.
      throw new TagdeckError({
        code: 'invalid_input',
        message:
          `Enter the ${input.auth.kind === 'aksk' ? 'secret key' : 'password'} again: ` +
          `"${existing.name}" now points elsewhere or signs in as someone else, and a saved ` +
          'secret is only ever sent to the service it was entered for.'
      })
    }
    const stored: StoredProfile = {
      id,
      name: input.name,
      target: input.target,
      projectId: input.projectId,
      auth: input.auth,
      encryptedSecret
    }
    const next = new Map(this.profiles).set(id, stored)
    await this.persist(next)
    this.profiles = next
    this.decrypted.delete(id)
    this.sessionSecrets.delete(id)
    if (sessionSecret !== null) this.sessionSecrets.set(id, sessionSecret)
    this.notify({ id, kind: 'saved' })
    return this.toProfile(stored)
  }

  private async removeNow(id: string): Promise<boolean> {
    if (!this.profiles.has(id)) return false
    const next = new Map(this.profiles)
    next.delete(id)
    await this.persist(next)
    this.profiles = next
    this.decrypted.delete(id)
    this.sessionSecrets.delete(id)
    this.notify({ id, kind: 'removed' })
    return true
  }

  /** For main's API clients only. Null when none is stored (or it was session-only and we restarted). */
  async secret(id: string): Promise<string | null> {
    const session = this.sessionSecrets.get(id)
    if (session !== undefined) return session
    const cached = this.decrypted.get(id)
    if (cached !== undefined) return cached
    const stored = this.profiles.get(id)
    if (!stored?.encryptedSecret) return null
    let result: { value: string; stale: boolean }
    try {
      result = await this.cipher.decrypt(Buffer.from(stored.encryptedSecret, 'base64'))
    } catch {
      throw new TagdeckError({
        code: 'secret_storage',
        message: `The saved secret of "${stored.name}" cannot be decrypted any more: enter it again`
      })
    }
    this.decrypted.set(id, result.value)
    rememberSecret(result.value)
    if (result.stale) await this.reencrypt(id, result.value)
    return result.value
  }

  private reencrypt(id: string, value: string): Promise<void> {
    return this.exclusive(async () => {
      const stored = this.profiles.get(id)
      if (!stored?.encryptedSecret) return
      const encryptedSecret = (await this.cipher.encrypt(value)).toString('base64')
      const next = new Map(this.profiles).set(id, { ...stored, encryptedSecret })
      await this.persist(next)
      this.profiles = next
    })
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn)
    // The caller gets `run`'s rejection; the queue only has to go on after it.
    // eslint-disable-next-line no-restricted-syntax -- the caller awaits `run` itself
    this.queue = run.catch(() => undefined)
    return run
  }

  private toProfile(stored: StoredProfile): ConnectionProfile {
    const session = this.sessionSecrets.has(stored.id)
    const keeping = session ? 'session' : stored.encryptedSecret ? 'encrypted' : 'none'
    return {
      id: stored.id,
      name: stored.name,
      target: stored.target,
      projectId: stored.projectId,
      auth: stored.auth,
      hasSecret: keeping !== 'none',
      secretKeeping: keeping
    }
  }

  private notify(change: StoreChange): void {
    for (const listener of this.listeners) listener(change)
  }

  private async load(): Promise<void> {
    let raw: string
    try {
      raw = await readFile(this.file, 'utf8')
    } catch (error) {
      if (!isMissing(error)) log.error(`the connections file ${this.file} could not be read`, error)
      return // no profiles yet
    }
    const parsed = StoreFile.safeParse(safeJson(raw))
    if (parsed.success) {
      this.profiles = new Map(parsed.data.profiles.map((p) => [p.id, p]))
      return
    }
    // Keep the unreadable file for the user to recover rather than overwrite it on next save.
    const kept = `${this.file}.unreadable-${Date.now()}`
    log.error(`the connections file was unreadable: kept as ${kept}, starting with none`)
    await rename(this.file, kept)
  }

  /** Whole-file writes via a temp file and rename, so a crash leaves the old or the new file. */
  private async persist(profiles: Map<string, StoredProfile>): Promise<void> {
    const body = JSON.stringify({ version: 1, profiles: [...profiles.values()] }, null, 2)
    await mkdir(path.dirname(this.file), { recursive: true })
    const temp = `${this.file}.${process.pid}.tmp`
    await writeFile(temp, body, { mode: 0o600 })
    await rename(temp, this.file)
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
    // eslint-disable-next-line no-restricted-syntax -- null fails the schema below, which keeps the file and logs it
  } catch {
    return null
  }
}
