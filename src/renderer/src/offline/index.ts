/**
 * The offline layer's one door: code outside this folder imports from here only (a lint rule
 * keeps it so). How the rooms behind it fit together: README.md.
 */
export { createOffline, type Offline, type OfflineOptions, type ViewRequest } from './create'
export {
  narrows,
  NEAR_DUPLICATES,
  SORT_KEYS,
  type LocalSearch,
  type ProblemFilter
} from './replica/search'
export { PROBLEM_KINDS, type ProblemKind } from './replica/problems'
export type { SampleProblems } from './replica/problem-report'
export type { SearchCounts } from './replica/replica'
export { getOffline, appContext } from './runtime'
export { getDb } from './store/db'
export { isUnreachable, notAvailableOffline } from './errors'
export { EditInFlight } from './edits/edits'
export type { PageRequest, PageView } from './reads/pages'
export type { SyncStatus } from './sync/sync-status'
export type { QueueResult, RemoveResult, PendingCounts, PanelRow } from './outbox/outbox'
export type { OfflineProgress, DownloadEstimate, DownloadOptions } from './downloads/job'
export type { Cached, CachedSample } from './reads/job-data'
export type { OutboxRow, OutboxStatus, JobKey, EditRow, EditStatus } from './store/db'
export type { EvictResult, StorageUsage } from './store/evict'
export {
  countReport,
  sittingEntries,
  REPORT_STATES,
  type ReportCounts,
  type ReportEntry,
  type ReportState
} from './report/report'
export type { LabelSummary } from './report/summary'
