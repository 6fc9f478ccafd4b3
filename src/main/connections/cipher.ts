import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { log } from '../log'
import { isMissing } from '../log/fs-errors'

/**
 * Encrypts secrets for the profile file. Electron's adapter (src/main/electron/secrets.ts) wraps
 * safeStorage; plain Node hosts use one of the ciphers below.
 */
export interface SecretCipher {
  /** Names the backend for the UI: `keychain`, `dpapi`, `gnome_libsecret`, `basic_text`, ... */
  readonly backend: string
  /** Whether the key is protected by the OS (a login keychain), not just a file beside the data. */
  readonly osProtected: boolean
  /** False where encrypting would mean plaintext in disguise (Linux basic_text). */
  isAvailable(): Promise<boolean>
  encrypt(plain: string): Promise<Buffer>
  /** `stale`: the OS asks for the value to be encrypted again (key rotation). */
  decrypt(data: Buffer): Promise<{ value: string; stale: boolean }>
}

/** No encryption at all: profiles keep secrets for the session only (tests, basic_text). */
export class UnavailableCipher implements SecretCipher {
  readonly osProtected = false
  constructor(readonly backend = 'none') {}
  async isAvailable(): Promise<boolean> {
    return false
  }
  async encrypt(): Promise<Buffer> {
    throw new Error('No secret encryption on this system')
  }
  async decrypt(): Promise<{ value: string; stale: boolean }> {
    throw new Error('No secret encryption on this system')
  }
}

const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * AES-256-GCM with a random key in a file (mode 0600) in the user-data folder: for the browser
 * shell and tests, where no OS keychain is reachable. It keeps secrets out of the profile file
 * and out of backups of it, but anyone who can read the user-data folder can read the key.
 * It is NOT OS-protected, and says so (`osProtected: false`).
 */
export class KeyFileCipher implements SecretCipher {
  readonly backend = 'key-file'
  readonly osProtected = false
  private key: Promise<Buffer> | null = null

  constructor(private readonly keyFile: string) {}

  async isAvailable(): Promise<boolean> {
    return true
  }

  async encrypt(plain: string): Promise<Buffer> {
    const key = await this.loadKey()
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body])
  }

  async decrypt(data: Buffer): Promise<{ value: string; stale: boolean }> {
    const key = await this.loadKey()
    const iv = data.subarray(0, IV_BYTES)
    const tag = data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES)
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([
      decipher.update(data.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final()
    ])
    return { value: plain.toString('utf8'), stale: false }
  }

  private loadKey(): Promise<Buffer> {
    this.key ??= this.readOrCreateKey()
    return this.key
  }

  private async readOrCreateKey(): Promise<Buffer> {
    try {
      const key = await readFile(this.keyFile)
      if (key.length === KEY_BYTES) return key
      log.warn(
        `the key file ${this.keyFile} has a wrong size: a new key is made (saved secrets must be entered again)`
      )
    } catch (error) {
      // first run: create it below
      if (!isMissing(error)) log.warn(`the key file ${this.keyFile} could not be read`, error)
    }
    const key = randomBytes(KEY_BYTES)
    await mkdir(path.dirname(this.keyFile), { recursive: true })
    // 'wx': never overwrite a key another process just wrote (that would orphan its secrets).
    try {
      await writeFile(this.keyFile, key, { mode: 0o600, flag: 'wx' })
      return key
    } catch {
      const existing = await readFile(this.keyFile)
      if (existing.length !== KEY_BYTES) throw new Error(`Unreadable key file ${this.keyFile}`)
      return existing
    }
  }
}
