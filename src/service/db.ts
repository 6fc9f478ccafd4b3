import Database from 'better-sqlite3'
import { randomBytes } from 'node:crypto'

export type Db = Database.Database

/**
 * The schema. Counters (samples, tagged, deleted per dataset; count and sample_count per label)
 * are kept in the same transaction as every write, so stats and `sample_count` never count rows.
 * Indexes serve each ListSamples filter in (time, id) order: everything, tagged/untagged, by label.
 */
const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  domain TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_keys (
  ak TEXT PRIMARY KEY,
  sk TEXT NOT NULL,
  project_id TEXT NOT NULL REFERENCES projects(id)
) WITHOUT ROWID;

CREATE TABLE users (
  domain TEXT NOT NULL,
  name TEXT NOT NULL,
  id TEXT NOT NULL UNIQUE,
  salt TEXT NOT NULL,
  hash TEXT NOT NULL,
  project_id TEXT NOT NULL REFERENCES projects(id),
  PRIMARY KEY (domain, name)
) WITHOUT ROWID;

CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  project_id TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tokens_by_expiry ON tokens(expires_at);

CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  type INTEGER NOT NULL CHECK (type IN (0, 1)),
  create_time INTEGER NOT NULL,
  sample_count INTEGER NOT NULL DEFAULT 0,
  tagged_count INTEGER NOT NULL DEFAULT 0,
  deleted_count INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX datasets_by_project ON datasets(project_id, create_time, id);

CREATE TABLE labels (
  dataset_id TEXT NOT NULL REFERENCES datasets(id),
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  color TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  sample_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dataset_id, name)
) WITHOUT ROWID;
CREATE UNIQUE INDEX labels_in_order ON labels(dataset_id, position);

CREATE TABLE samples (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  dataset_id TEXT NOT NULL REFERENCES datasets(id),
  name TEXT NOT NULL,
  time INTEGER NOT NULL,
  tagged INTEGER NOT NULL CHECK (tagged IN (0, 1)),
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  size INTEGER,
  format TEXT NOT NULL CHECK (format IN ('jpg', 'png', 'webp')),
  labels TEXT NOT NULL,
  recipe TEXT
);
CREATE INDEX samples_by_time ON samples(dataset_id, time, id);
CREATE INDEX samples_by_state ON samples(dataset_id, tagged, time, id);

CREATE TABLE sample_labels (
  dataset_id TEXT NOT NULL,
  label TEXT NOT NULL,
  time INTEGER NOT NULL,
  sample_id TEXT NOT NULL,
  PRIMARY KEY (dataset_id, label, time, sample_id)
) WITHOUT ROWID;
`

/**
 * Today's cloud: datasets belong to a workspace (`0` is every account's default) and are of the
 * old version (v1: the labeling type is the dataset's) or the new one (v2: made by data type,
 * labeled through tasks). A labeling (workforce) task covers some of its dataset's samples;
 * its membership mirrors `samples` and `sample_labels`, so its listings are served by indexes
 * in (time, id) order like the dataset's.
 */
const SCHEMA_V2 = `
ALTER TABLE datasets ADD COLUMN workspace_id TEXT NOT NULL DEFAULT '0';
ALTER TABLE datasets ADD COLUMN version TEXT NOT NULL DEFAULT 'v1' CHECK (version IN ('v1', 'v2'));
CREATE INDEX datasets_by_workspace ON datasets(project_id, workspace_id, create_time, id);

CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects(id),
  name TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX workspaces_by_project ON workspaces(project_id, name);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  dataset_id TEXT NOT NULL REFERENCES datasets(id),
  name TEXT NOT NULL,
  type INTEGER NOT NULL CHECK (type IN (0, 1)),
  status INTEGER NOT NULL,
  create_time INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX tasks_by_dataset ON tasks(dataset_id, create_time, id);

CREATE TABLE task_samples (
  task_id TEXT NOT NULL,
  tagged INTEGER NOT NULL CHECK (tagged IN (0, 1)),
  time INTEGER NOT NULL,
  sample_id TEXT NOT NULL,
  PRIMARY KEY (task_id, time, sample_id)
) WITHOUT ROWID;
CREATE INDEX task_samples_by_state ON task_samples(task_id, tagged, time, sample_id);
CREATE INDEX task_samples_by_sample ON task_samples(sample_id);

CREATE TABLE task_sample_labels (
  task_id TEXT NOT NULL,
  label TEXT NOT NULL,
  time INTEGER NOT NULL,
  sample_id TEXT NOT NULL,
  PRIMARY KEY (task_id, label, time, sample_id)
) WITHOUT ROWID;
CREATE INDEX task_sample_labels_by_sample ON task_sample_labels(sample_id);
`

/**
 * Review (ReviewSamples) and acceptance (AcceptSamples) of a task's samples: `review` is 0 not
 * reviewed, 1 accepted, 2 rejected, with its comment, score and worker; `check_accept` is null
 * until the owner's acceptance, then 1 or 0. A task's review states are filters of its listing,
 * served in (time, id) order by their own index.
 */
const SCHEMA_V3 = `
ALTER TABLE task_samples ADD COLUMN review INTEGER NOT NULL DEFAULT 0 CHECK (review IN (0, 1, 2));
ALTER TABLE task_samples ADD COLUMN review_comment TEXT;
ALTER TABLE task_samples ADD COLUMN review_score TEXT;
ALTER TABLE task_samples ADD COLUMN worker_id TEXT;
ALTER TABLE task_samples ADD COLUMN check_accept INTEGER CHECK (check_accept IN (0, 1));
ALTER TABLE task_samples ADD COLUMN check_comment TEXT;
ALTER TABLE task_samples ADD COLUMN check_score TEXT;
CREATE INDEX task_samples_by_review ON task_samples(task_id, review, time, sample_id);
`

const MIGRATIONS = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3]

export function openDatabase(file: string): Db {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  // FULL: a delete the client was told about survives a power cut, not only a crash.
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}

function migrate(db: Db): void {
  const version = Number(db.pragma('user_version', { simple: true }))
  if (version > MIGRATIONS.length)
    throw new Error(
      `The data folder was written by a newer Tagdeck service (schema ${version}); refusing to open it`
    )
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] ?? '')
    db.pragma(`user_version = ${MIGRATIONS.length}`)
  })()
  // The key that signs image URLs: made once, so URLs handed out survive a restart.
  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('url_secret', ?)`).run(
    randomBytes(32).toString('hex')
  )
}

export function getMeta(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key)
  return typeof row === 'string' ? row : null
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
  ).run(key, value)
}
