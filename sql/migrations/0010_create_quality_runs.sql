-- Every run started by `via-pipeline run`, failed or not, one row per run (docs/data-dictionary.md).
-- Written when the run holds the warehouse write lease, updated when it ends; a row left
-- 'started' by a process that died is set to 'failed' by the next run or `status` on that host.
-- Times are UTC without zone.
CREATE TABLE quality.runs (
    run_id TEXT PRIMARY KEY,
    job_name TEXT NOT NULL,
    partition TEXT,
    started_by TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('started', 'succeeded', 'failed')),
    cause TEXT,
    log_file TEXT
);
