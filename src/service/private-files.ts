import { closeSync, chmodSync, existsSync, openSync } from 'node:fs'
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * The data folder holds every SK, the demo password and the key that signs image URLs: what the
 * service writes there is its owner's only. Folders 0700, files 0600. Modes given at creation
 * are narrowed by the umask, never widened, so they hold whatever the umask; what an older
 * version left readable is narrowed on start. (On Windows the modes mean little: the user's
 * profile folder's ACLs protect it instead.)
 */
export const FOLDER_MODE = 0o700
export const FILE_MODE = 0o600

/** Makes `dir` (and missing parents) 0700; a folder that already exists is left as it is. */
export async function makePrivateFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: FOLDER_MODE })
}

/** Makes `dir` if missing, and narrows it to 0700 either way: a folder only the service uses. */
export async function ownFolder(dir: string): Promise<void> {
  await makePrivateFolder(dir)
  await chmod(dir, FOLDER_MODE)
}

/**
 * Before SQLite opens `file`: creates it 0600 if missing (SQLite makes new databases 0644, and
 * its -wal and -shm files take the database file's mode), and narrows it and any -wal, -shm or
 * -journal left from before to 0600.
 */
export function prepareDatabaseFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE))
  for (const name of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`])
    if (existsSync(name)) chmodSync(name, FILE_MODE)
}

/** Written 0600 to a temp name then renamed, so a reader never sees half a file. */
export async function writePrivateFile(file: string, bytes: Buffer | string, temp: string) {
  await makePrivateFolder(path.dirname(file))
  // A temp file left by a crash keeps its old mode when rewritten: start from nothing.
  await rm(temp, { force: true })
  await writeFile(temp, bytes, { mode: FILE_MODE })
  await rename(temp, file)
}
