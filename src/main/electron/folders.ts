import { shell } from 'electron'

/** Opens a folder in the system's file manager; false when the OS says it could not. */
export async function openFolder(dir: string): Promise<boolean> {
  // openPath answers an error message, or '' on success.
  return (await shell.openPath(dir)) === ''
}
