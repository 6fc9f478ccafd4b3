import { z } from 'zod'
import type { ChannelName, EventName } from './channels'

export type { ChannelName, EventName }
import {
  ConnectionInput,
  ConnectionProfile,
  ConnectionVerdict,
  Connectivity,
  Dataset,
  DeleteOutcome,
  Id,
  ImageVariant,
  JobStats,
  Label,
  LabelingTask,
  ProjectId,
  Sample,
  SamplePage,
  TagFilter,
  ConnectionTarget,
  ConnectionAuth,
  Workspace
} from './domain'
import { UpdateState } from './updates'
import { LabelEdit, LabelEditOutcome, Verdict, VerdictOutcome, VerdictStage } from './labels'

/**
 * The IPC contract: every channel the renderer may call, with the schema of its one argument
 * and of its result. Main parses the argument before any handler runs (src/main/ipc/router.ts).
 * This file is the one place the channels are documented.
 */
const channel = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) => ({
  input,
  output,
  doc
})

const NoInput = z.undefined()
const Job = z.object({ connectionId: Id, jobId: Id })
const SampleRef = Job.extend({ sampleId: Id })
const SampleIds = z.array(Id).min(1).max(1000)
/** A thumbnail's near-duplicate signature (48 numbers; null for a flat image). */
const ThumbSignature = z.object({
  sampleId: z.string(),
  signature: z.array(z.number()).length(48).nullable()
})

export const contract = {
  'app.version': channel(
    NoInput,
    z.object({ version: z.string(), shell: z.enum(['electron', 'browser']), platform: z.string() }),
    'The app version and which shell runs it.'
  ),
  'app.ping': channel(
    z.object({ nonce: z.string().min(1).max(64) }),
    z.object({ nonce: z.string(), receivedAt: z.number() }),
    'Echoes the nonce: proves the renderer -> main path end to end.'
  ),
  'app.setLocale': channel(
    z.object({ locale: z.enum(['en', 'zh-CN']) }),
    z.object({ locale: z.enum(['en', 'zh-CN']) }),
    'Tells main which language the user chose, for menus and native dialogs.'
  ),
  'app.reportPending': channel(
    z.object({
      deletions: z.number().int().min(0).max(10_000_000),
      /** A sync is sending deletions now (absent: not known, counted as not). */
      syncing: z.boolean().optional()
    }),
    z.object({ deletions: z.number() }),
    'The renderer tells main how many deletions wait in the outbox and whether a sync runs, for the quit warning and the update install (which waits for both).'
  ),
  'app.log': channel(
    z.object({
      level: z.enum(['warn', 'error']),
      message: z.string().min(1).max(2_000),
      /** The error, as text (name, message, stack): main redacts it before writing. */
      detail: z.string().max(16_000).optional()
    }),
    z.object({ written: z.boolean() }),
    "A renderer warning or error, written to main's log. Rate-limited (a burst of 50, then 2 a second): past that, lines are counted, not written."
  ),
  'app.openLogsFolder': channel(
    NoInput,
    z.object({ path: z.string(), opened: z.boolean() }),
    "Opens the log folder in the system's file manager (Electron); the browser shell cannot, and answers its path."
  ),
  'connections.list': channel(NoInput, z.array(ConnectionProfile), 'Saved connection profiles.'),
  'connections.save': channel(
    ConnectionInput,
    ConnectionProfile,
    'Creates or updates a profile. The secret is write-only: nothing returns it.'
  ),
  'connections.remove': channel(
    z.object({ id: Id }),
    z.object({ removed: z.boolean() }),
    'Deletes a profile and its secret.'
  ),
  'connections.test': channel(
    // strict: a form that carries its profile's id (an edit) is tested as the form, not the saved profile
    z.union([z.object({ id: Id }).strict(), ConnectionInput]),
    ConnectionVerdict,
    'Checks a saved profile, or an unsaved form: reachable, auth, project, clock skew.'
  ),
  'connections.findProjects': channel(
    z.object({
      /** A saved profile whose secret may be used, where the form still points where it was entered. */
      id: Id.optional(),
      target: ConnectionTarget,
      auth: ConnectionAuth,
      secret: z.string().min(1).max(1024).optional()
    }),
    z.object({ projects: z.array(z.object({ id: ProjectId, name: z.string() })) }),
    "The project ids IAM lists for a form's credentials: a region's own project, or all of them."
  ),
  'connections.demo': channel(
    NoInput,
    z
      .object({
        name: z.string(),
        target: ConnectionTarget,
        projectId: ProjectId,
        auth: ConnectionAuth
      })
      .nullable(),
    'The local demo service started by `npm start`, if any (without its secret).'
  ),
  'connections.addDemo': channel(
    NoInput,
    ConnectionProfile,
    'Saves the demo service as a profile.'
  ),
  'secrets.status': channel(
    NoInput,
    z.object({
      encryptionAvailable: z.boolean(),
      backend: z.string(),
      /** False for the browser shell's key file: encrypted, but the key sits beside the data. */
      osProtected: z.boolean()
    }),
    'Whether the OS can encrypt secrets (Linux `basic_text` cannot).'
  ),
  'jobs.list': channel(
    z.object({ connectionId: Id, workspaceId: Workspace.shape.id.optional() }),
    z.array(Dataset),
    "Image datasets (jobs) of a connection's workspace (the default one, `0`, unless named)."
  ),
  'jobs.workspaces': channel(
    z.object({ connectionId: Id }),
    z.array(Workspace),
    "The account's workspaces, the default one first."
  ),
  'jobs.tasks': channel(
    z.object({ connectionId: Id, datasetId: Id }),
    z.array(LabelingTask),
    "A dataset's labeling tasks, each opened as a job by its id (`<dataset>~<task>`)."
  ),
  'jobs.get': channel(Job, Dataset, 'One dataset.'),
  'jobs.labels': channel(Job, z.array(Label), "A job's labels with colors."),
  'jobs.stats': channel(Job, JobStats, "A job's label and sample counts."),
  'samples.page': channel(
    Job.extend({
      filter: TagFilter,
      page: z.number().int().min(1).max(1_000_000),
      perPage: z.number().int().min(1).max(100)
    }),
    SamplePage,
    'show_images_by_tag: one page of a filter, page from 1.'
  ),
  'samples.get': channel(
    SampleRef,
    Sample,
    "get_image_info_by_id: one image's tags, boxes and size."
  ),
  'samples.delete': channel(
    Job.extend({ sampleIds: SampleIds }),
    z.array(DeleteOutcome),
    'delete_samples: per-id outcome (deleted / gone / failed), in request order.'
  ),
  'samples.updateLabels': channel(
    Job.extend({ edits: z.array(LabelEdit).min(1).max(100) }),
    z.array(LabelEditOutcome),
    'UpdateSamples, never over a colleague: each image read again and the edit merged with ' +
      'what it holds (shared/label-merge.ts); one outcome per edit, in order.'
  ),
  'samples.judge': channel(
    Job.extend({ stage: VerdictStage, verdicts: z.array(Verdict).min(1).max(100) }),
    z.array(VerdictOutcome),
    'ReviewSamples (stage review) or AcceptSamples (acceptance) on a task; a task in the ' +
      'wrong state parks them (not an error); one outcome per verdict, in order.'
  ),
  'images.prefetch': channel(
    Job.extend({
      taskId: Id,
      sampleIds: SampleIds,
      variant: ImageVariant,
      signatures: z.boolean().optional()
    }),
    z.object({
      done: z.number(),
      failed: z.number(),
      bytes: z.number(),
      cancelled: z.boolean(),
      diskError: z
        .object({ code: z.string(), message: z.string(), freeBytes: z.number().nullable() })
        .optional(),
      signatures: z
        .object({
          sampleIds: z.array(z.string()).max(1000),
          values: z.string().max(1000 * 48 * 4 * 2)
        })
        .optional()
    }),
    "Downloads images into the disk cache and answers once they are fsynced there (`done` counts only those); while it runs (past 250 ms), progress arrives as `images.progress` events. A write failure (disk full) stops it: `diskError` with the bytes free on that disk. With `signatures` (thumbnails only), main works out each thumbnail's near-duplicate signature (shared/thumb-signature.ts) from the bytes just cached, and the answer carries those of the job worked out by then, without waiting for the rest (this chunk's or earlier ones'; the last ones come from `images.collectSignatures`): the ids, and 48 float32 values each, one after another, as base64 (all zero for a flat image), at most 1,000; one that could not be read is left out (and logged)."
  ),
  'images.signatures': channel(
    Job.extend({ sampleIds: SampleIds }),
    z.array(z.union([ThumbSignature, z.object({ sampleId: z.string(), error: z.string() })])),
    'Near-duplicate signatures of thumbnails the disk cache already holds (cached before signatures came with `images.prefetch`, or left out then), one answer per id in order: the signature, or why there is none (not cached, not an image). Never downloads.'
  ),
  'images.collectSignatures': channel(
    Job,
    z.object({
      signatures: z.object({
        sampleIds: z.array(z.string()).max(1000),
        values: z.string().max(1000 * 48 * 4 * 2)
      }),
      more: z.boolean()
    }),
    "The near-duplicate signatures of a job's thumbnails that its download's chunks (`images.prefetch` with `signatures`) were answered without, once every one is worked out: no chunk waits for them. Packed as a chunk's (ids, then 48 float32 values each as base64), at most 1,000 an answer; `more`: ask again."
  ),
  'images.present': channel(
    Job.extend({ variant: ImageVariant, sampleIds: z.array(Id).min(1).max(5_000) }),
    z.object({ present: z.number(), missing: z.array(z.string()) }),
    "Which of a job's images the disk cache holds (an index lookup, no file read): the count, and the ids it lacks. At most 5,000 ids a call (the browser shell's 1 MiB frame); a big job asks in batches."
  ),
  'images.cancelPrefetch': channel(
    z.object({ taskId: Id }),
    z.object({ cancelled: z.boolean() }),
    'Stops a prefetch.'
  ),
  'images.cacheInfo': channel(
    NoInput,
    z.object({ bytes: z.number(), entries: z.number(), capBytes: z.number() }),
    'Disk image cache size.'
  ),
  'connectivity.get': channel(NoInput, z.array(Connectivity), 'Reachability of every connection.'),
  'updates.state': channel(
    NoInput,
    UpdateState,
    "Where the app's own update stands (`unavailable` for builds without a release feed)."
  ),
  'updates.configure': channel(
    z.object({ enabled: z.boolean() }),
    UpdateState,
    'The Settings switch "Check for updates", told at start and on change: main checks only while it is on.'
  ),
  'updates.respond': channel(
    z.object({ install: z.boolean() }),
    UpdateState,
    "The user's answer to a downloaded update: install (once no deletion waits and no sync runs) or not now."
  )
} satisfies Record<ChannelName, { input: z.ZodType; output: z.ZodType; doc: string }>

export const events = {
  connectivity: Connectivity,
  'images.progress': z.object({
    taskId: Id,
    done: z.number(),
    failed: z.number(),
    total: z.number(),
    bytes: z.number()
  }),
  'updates.state': UpdateState
} satisfies Record<EventName, z.ZodType>

export type Contract = typeof contract
export type ChannelInput<C extends ChannelName> = z.infer<Contract[C]['input']>
export type ChannelOutput<C extends ChannelName> = z.infer<Contract[C]['output']>
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>
