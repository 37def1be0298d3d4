/**
 * The store's schema, as numbered migrations. Opening a store runs those it has not had yet (its
 * `PRAGMA user_version` says how many), each in one transaction, so two processes opening a new store at
 * once migrate it once. A store written by a newer nncoach (a higher version) is refused, not damaged.
 */

/** Each entry moves the schema from version i to i + 1. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE studies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    command_json TEXT,
    source TEXT,
    metric TEXT,
    folder TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    heartbeat_at TEXT,
    pid INTEGER,
    host TEXT,
    summary_json TEXT
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    command_json TEXT,
    source TEXT,
    fingerprint TEXT,
    train_fingerprint TEXT,
    val_fingerprint TEXT,
    test_fingerprint TEXT,
    task TEXT,
    monitor TEXT,
    seed INTEGER,
    threads INTEGER,
    version TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    heartbeat_at TEXT,
    pid INTEGER,
    host TEXT,
    epochs_planned INTEGER,
    epochs_run INTEGER NOT NULL DEFAULT 0,
    plan_json TEXT,
    decisions_json TEXT,
    config_json TEXT,
    metrics_json TEXT NOT NULL DEFAULT '{}',
    extra_json TEXT NOT NULL DEFAULT '{}',
    stop_reason TEXT,
    folder TEXT
  );
  CREATE INDEX runs_study ON runs(study_id);
  CREATE INDEX runs_status ON runs(status);
  CREATE TABLE epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    metrics_json TEXT NOT NULL,
    lr REAL,
    health_json TEXT,
    PRIMARY KEY (run_id, epoch)
  );
  CREATE TABLE lr_finder (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    lrs_json TEXT NOT NULL,
    losses_json TEXT NOT NULL,
    smoothed_json TEXT,
    suggestion REAL NOT NULL,
    rule TEXT
  );
  CREATE TABLE findings (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    symptom TEXT NOT NULL,
    severity TEXT NOT NULL,
    confidence REAL,
    explanation TEXT,
    detail_json TEXT,
    PRIMARY KEY (run_id, position)
  );
  CREATE TABLE ledger_steps (
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    kept INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    reason TEXT NOT NULL,
    change_json TEXT NOT NULL,
    before_mean REAL,
    before_se REAL,
    after_mean REAL,
    after_se REAL,
    trials_json TEXT NOT NULL,
    detail_json TEXT,
    PRIMARY KEY (study_id, position)
  );
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT
  );
  CREATE INDEX artifacts_run ON artifacts(run_id);
  CREATE TABLE test_evaluations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL,
    run_id INTEGER,
    study_id INTEGER,
    at TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX test_evaluations_fp ON test_evaluations(fingerprint);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
