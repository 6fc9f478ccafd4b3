import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectionInput } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import { KeyFileCipher, UnavailableCipher } from './cipher'
import { ConnectionStore, PROFILES_FILE } from './store'

const SECRET = 'Sk-very-secret/Value+with=odd~chars'
const input: ConnectionInput = {
  name: 'Beijing',
  target: { kind: 'region', region: 'cn-north-4' },
  projectId: '0123456789abcdef0123456789abcdef',
  auth: { kind: 'aksk', ak: 'AKEXAMPLE' },
  secret: SECRET
}

/** Every way the secret could sit in a file in a readable form. */
function expectNoSecretIn(bytes: Buffer): void {
  for (const form of [
    Buffer.from(SECRET, 'utf8'),
    Buffer.from(SECRET, 'utf16le'),
    Buffer.from(Buffer.from(SECRET).toString('base64')),
    Buffer.from(Buffer.from(SECRET).toString('hex')),
    Buffer.from(JSON.stringify(SECRET).slice(1, -1))
  ])
    expect(bytes.includes(form)).toBe(false)
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-store-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ConnectionStore', () => {
  it('never writes the secret in clear, and reads it back after a restart', async () => {
    const cipher = () => new KeyFileCipher(path.join(dir, 'secret.key'))
    const store = await ConnectionStore.open(dir, cipher())
    const profile = await store.save(input)
    expect(profile).toMatchObject({ hasSecret: true, secretKeeping: 'encrypted' })
    expect(JSON.stringify(profile)).not.toContain(SECRET)

    for (const name of await readdir(dir)) expectNoSecretIn(await readFile(path.join(dir, name)))
    const onDisk = JSON.parse(await readFile(path.join(dir, PROFILES_FILE), 'utf8'))
    expect(onDisk.profiles[0].encryptedSecret).toMatch(/^[A-Za-z0-9+/]+=*$/)

    const reopened = await ConnectionStore.open(dir, cipher())
    expect(reopened.get(profile.id)).toEqual(profile)
    expect(await reopened.secret(profile.id)).toBe(SECRET)
  })

  it('refuses to save a secret it cannot encrypt unless the user chose session-only', async () => {
    const store = await ConnectionStore.open(dir, new UnavailableCipher('basic_text'))
    const refused = await store.save(input).then(
      () => null,
      (e: unknown) => e
    )
    expect(refused).toBeInstanceOf(TagdeckError)
    expect((refused as TagdeckError).code).toBe('secret_storage')
    expect((refused as TagdeckError).message).toMatch(/basic_text/)
    expect(store.list()).toEqual([])

    const kept = await store.save({ ...input, allowSessionOnlySecret: true })
    expect(kept).toMatchObject({ hasSecret: true, secretKeeping: 'session' })
    expect(await store.secret(kept.id)).toBe(SECRET)
    expectNoSecretIn(await readFile(path.join(dir, PROFILES_FILE)))

    const restarted = await ConnectionStore.open(dir, new UnavailableCipher('basic_text'))
    expect(restarted.get(kept.id)).toMatchObject({ hasSecret: false, secretKeeping: 'none' })
    expect(await restarted.secret(kept.id)).toBeNull()
  })

  it('keeps the secret when only the name changes; another identity or place needs it again', async () => {
    const store = await ConnectionStore.open(dir, new KeyFileCipher(path.join(dir, 'k')))
    const saved = await store.save(input)
    const { secret: _omit, ...withoutSecret } = input
    const renamed = await store.save({ ...withoutSecret, id: saved.id, name: 'Renamed' })
    expect(renamed).toMatchObject({ name: 'Renamed', hasSecret: true })
    expect(await store.secret(saved.id)).toBe(SECRET)

    for (const change of [
      { auth: { kind: 'aksk' as const, ak: 'OTHER' } },
      { target: { kind: 'endpoint' as const, url: 'http://listener.example:9999' } },
      { target: { kind: 'region' as const, region: 'cn-east-3' } },
      { projectId: 'f'.repeat(32) }
    ]) {
      const refused = await store.save({ ...withoutSecret, id: saved.id, ...change }).then(
        () => null,
        (e: unknown) => e
      )
      expect(refused, JSON.stringify(change)).toBeInstanceOf(TagdeckError)
      expect((refused as TagdeckError).message).toMatch(/again/)
    }
    // Nothing changed, nothing lost.
    expect(store.get(saved.id)).toMatchObject({ name: 'Renamed', target: input.target })
    expect(await store.secret(saved.id)).toBe(SECRET)

    const moved = await store.save({
      ...withoutSecret,
      id: saved.id,
      auth: { kind: 'aksk', ak: 'OTHER' },
      secret: 'other-secret'
    })
    expect(moved.hasSecret).toBe(true)
    expect(await store.secret(saved.id)).toBe('other-secret')
  })

  it('removes profiles and their secrets; concurrent saves all land', async () => {
    const store = await ConnectionStore.open(dir, new KeyFileCipher(path.join(dir, 'k')))
    const saved = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => store.save({ ...input, name }))
    )
    const reopened = await ConnectionStore.open(dir, new KeyFileCipher(path.join(dir, 'k')))
    expect(
      reopened
        .list()
        .map((p) => p.name)
        .sort()
    ).toEqual(['a', 'b', 'c', 'd'])
    expect(await store.remove(saved[0]?.id ?? '')).toBe(true)
    expect(await store.remove(saved[0]?.id ?? '')).toBe(false)
    expect(store.list()).toHaveLength(3)
  })

  it('sets an unreadable profile file aside instead of overwriting it', async () => {
    await writeFile(path.join(dir, PROFILES_FILE), '{not json')
    const store = await ConnectionStore.open(dir, new UnavailableCipher())
    expect(store.list()).toEqual([])
    expect((await readdir(dir)).some((n) => n.startsWith(`${PROFILES_FILE}.unreadable-`))).toBe(
      true
    )
  })

  it('says so when a stored secret cannot be decrypted any more', async () => {
    const store = await ConnectionStore.open(dir, new KeyFileCipher(path.join(dir, 'k1')))
    const saved = await store.save(input)
    const otherKey = await ConnectionStore.open(dir, new KeyFileCipher(path.join(dir, 'k2')))
    await expect(otherKey.secret(saved.id)).rejects.toMatchObject({ code: 'secret_storage' })
  })
})
