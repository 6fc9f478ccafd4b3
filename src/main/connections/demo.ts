import { readFile } from 'node:fs/promises'
import { log } from '../log'
import { isMissing } from '../log/fs-errors'
import { z } from 'zod'
import { ProjectId, type ConnectionInput, type ConnectionProfile } from '../../shared/domain'

/**
 * The local demo service (`npm start`) writes demo.json with its endpoint and throwaway
 * credentials. Main reads it itself, so the renderer never handles the demo secret either.
 */
const DemoFile = z.object({
  endpoint: z.url({ protocol: /^https?$/ }),
  projectId: ProjectId,
  ak: z.string().min(1).max(128),
  sk: z.string().min(1).max(1024)
})
export type DemoFile = z.infer<typeof DemoFile>

/** The demo profile keeps one id, so re-adding it (a new port each run) updates it in place. */
export const DEMO_CONNECTION_ID = 'local-demo'
export const DEMO_NAME = 'Local demo service'

export async function readDemo(file: string | null): Promise<DemoFile | null> {
  if (!file) return null
  try {
    const parsed = DemoFile.safeParse(JSON.parse(await readFile(file, 'utf8')))
    if (!parsed.success) log.warn(`the demo file ${file} is not what the local service writes`)
    return parsed.success ? parsed.data : null
  } catch (error) {
    // No demo service running (no file) is the usual case; anything else is worth a line.
    if (!isMissing(error)) log.warn(`the demo file ${file} could not be read`, error)
    return null
  }
}

export function demoProfile(demo: DemoFile) {
  return {
    name: DEMO_NAME,
    target: { kind: 'endpoint' as const, url: demo.endpoint },
    projectId: demo.projectId,
    auth: { kind: 'aksk' as const, ak: demo.ak }
  }
}

/**
 * Saved like any profile. Its secret is a local throwaway already in clear in demo.json, so
 * where the OS cannot encrypt, keeping it for the session loses nothing.
 */
export function demoInput(demo: DemoFile): ConnectionInput {
  return {
    id: DEMO_CONNECTION_ID,
    ...demoProfile(demo),
    secret: demo.sk,
    allowSessionOnlySecret: true
  }
}

/**
 * At start-up: a saved demo profile follows the demo service (a new port each run) and gets its
 * secret back when it was kept for the session only. Profiles the user made are not touched.
 */
export async function syncDemoProfile(
  store: {
    get(id: string): ConnectionProfile | null
    save(input: ConnectionInput): Promise<unknown>
  },
  file: string | null
): Promise<void> {
  const saved = store.get(DEMO_CONNECTION_ID)
  if (!saved) return
  const demo = await readDemo(file)
  if (!demo) return
  const current =
    saved.hasSecret &&
    saved.projectId === demo.projectId &&
    saved.target.kind === 'endpoint' &&
    saved.target.url === demo.endpoint &&
    saved.auth.kind === 'aksk' &&
    saved.auth.ak === demo.ak
  if (!current) await store.save({ ...demoInput(demo), name: saved.name })
}
