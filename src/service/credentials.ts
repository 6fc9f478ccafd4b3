import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { z } from 'zod'
import type { Statement } from 'better-sqlite3'
import type { Db } from './db'
import { ConcurrencyLimit } from './concurrency-limit'
import { Statements } from './statements'
import * as ids from './ids'

/**
 * Who may call: projects, AK/SK pairs, IAM users (scrypt-hashed passwords) and the tokens issued
 * to them (stored as SHA-256 hashes, so the database never holds a usable token).
 */
export const TOKEN_LIFETIME_MS = 24 * 3600_000
/**
 * Password checks hashing at once: half the cores (at least one), so sign-ins never hold every
 * core; a few more may wait, and past that a check is refused (`Busy`) rather than queued.
 */
export const HASH_SLOTS = Math.max(1, Math.floor(availableParallelism() / 2))
export const HASH_QUEUE = 16

const Project = z.object({ id: z.string(), name: z.string(), domain: z.string() })
export type Project = z.infer<typeof Project>

const User = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string(),
  projectId: z.string()
})
export type User = z.infer<typeof User>

const UserRow = User.extend({ salt: z.string(), hash: z.string() })
const AccessKeyRow = z.object({ sk: z.string(), projectId: z.string() })
const TokenRecord = z.object({
  userId: z.string(),
  /** Empty for a token scoped to the user's domain (it can list projects, not call them). */
  projectId: z.string(),
  domain: z.string(),
  expiresAt: z.number()
})
export type TokenRecord = z.infer<typeof TokenRecord>

export interface HashedPassword {
  salt: string
  hash: string
}

const hashToken = (value: string): string => createHash('sha256').update(value).digest('hex')

function scryptHex(secret: string, salt: string): Promise<string> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, 32, (error, key) => (error ? reject(error) : resolve(key.toString('hex'))))
  )
}

export async function hashPassword(password: string): Promise<HashedPassword> {
  const salt = randomBytes(16).toString('hex')
  return { salt, hash: await scryptHex(password, salt) }
}

const maybe = <S extends z.ZodType>(schema: S, row: unknown): z.infer<S> | null =>
  row === undefined ? null : schema.parse(row)

export class Credentials {
  private readonly statements: Statements
  private readonly hashing = new ConcurrencyLimit(HASH_SLOTS, HASH_QUEUE)

  constructor(private readonly db: Db) {
    this.statements = new Statements(db)
  }

  /** Prepared once: a token is checked on every request. */
  private sql(text: string): Statement {
    return this.statements.get(text)
  }

  createProject(name: string, domain: string): Project {
    const project = { id: ids.hexId(), name, domain }
    this.sql('INSERT INTO projects (id, name, domain) VALUES (?, ?, ?)').run(
      project.id,
      name,
      domain
    )
    return project
  }

  project(id: string): Project | null {
    return maybe(Project, this.sql('SELECT id, name, domain FROM projects WHERE id = ?').get(id))
  }

  /** A domain's projects, by name (IAM's KeystoneListProjects), optionally only the one named. */
  projectsOf(domain: string, name: string | null): Project[] {
    const rows =
      name === null
        ? this.sql('SELECT id, name, domain FROM projects WHERE domain = ? ORDER BY name').all(
            domain
          )
        : this.sql('SELECT id, name, domain FROM projects WHERE domain = ? AND name = ?').all(
            domain,
            name
          )
    return rows.map((row) => Project.parse(row))
  }

  projectByName(name: string): Project | null {
    return maybe(
      Project,
      this.sql('SELECT id, name, domain FROM projects WHERE name = ?').get(name)
    )
  }

  createAccessKey(projectId: string): { ak: string; sk: string } {
    const key = { ak: ids.accessKey(), sk: ids.secretKey() }
    this.sql('INSERT INTO access_keys (ak, sk, project_id) VALUES (?, ?, ?)').run(
      key.ak,
      key.sk,
      projectId
    )
    return key
  }

  accessKey(ak: string): { sk: string; projectId: string } | null {
    return maybe(
      AccessKeyRow,
      this.sql('SELECT sk, project_id AS projectId FROM access_keys WHERE ak = ?').get(ak)
    )
  }

  /** Adds a user; the password is hashed first (`hashPassword`) so this can run in a transaction. */
  insertUser(input: {
    name: string
    domain: string
    projectId: string
    password: HashedPassword
  }): User {
    const user = {
      id: ids.hexId(),
      name: input.name,
      domain: input.domain,
      projectId: input.projectId
    }
    this.sql(
      'INSERT INTO users (domain, name, id, salt, hash, project_id) VALUES (?, ?, ?, ?, ?, ?)'
    ).run(
      input.domain,
      input.name,
      user.id,
      input.password.salt,
      input.password.hash,
      input.projectId
    )
    return user
  }

  /**
   * The user when name, domain and password are right; null otherwise (never says which).
   * Throws `Busy` when too many checks are already waiting for the hasher.
   */
  async checkPassword(domain: string, name: string, password: string): Promise<User | null> {
    const row = maybe(
      UserRow,
      this.sql(
        `SELECT id, name, domain, salt, hash, project_id AS projectId FROM users
           WHERE domain = ? AND name = ?`
      ).get(domain, name)
    )
    // Hash anyway for an unknown user, so timing does not tell which part was wrong.
    const hash = await this.hashing.run(() => scryptHex(password, row?.salt ?? 'no-such-user'))
    if (!row) return null
    if (!timingSafeEqual(Buffer.from(hash, 'hex'), Buffer.from(row.hash, 'hex'))) return null
    return { id: row.id, name: row.name, domain: row.domain, projectId: row.projectId }
  }

  issueToken(user: User, projectId: string, now: number): { token: string; expiresAt: number } {
    const token = ids.token()
    const expiresAt = now + TOKEN_LIFETIME_MS
    this.db.transaction(() => {
      // Tokens a day past expiry are no use even to say "expired": drop them.
      this.sql('DELETE FROM tokens WHERE expires_at < ?').run(now - TOKEN_LIFETIME_MS)
      this.sql(
        'INSERT INTO tokens (hash, user_id, project_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)'
      ).run(hashToken(token), user.id, projectId, now, expiresAt)
    })()
    return { token, expiresAt }
  }

  token(value: string): TokenRecord | null {
    return maybe(
      TokenRecord,
      this.sql(
        `SELECT user_id AS userId, tokens.project_id AS projectId, users.domain AS domain,
           expires_at AS expiresAt
           FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.hash = ?`
      ).get(hashToken(value))
    )
  }

  /** Test hook: every token issued so far is expired from `now` on. */
  expireAllTokens(now: number): void {
    this.sql('UPDATE tokens SET expires_at = ? WHERE expires_at >= ?').run(now - 1, now)
  }
}
