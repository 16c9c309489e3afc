-- Runs that failed, one row per run, written by the run-failure sensor (docs/operations.md).
-- failed_at is UTC without zone; notified says whether the alert webhook accepted the message.
CREATE TABLE quality.run_failures (
    run_id TEXT PRIMARY KEY,
    job_name TEXT NOT NULL,
    partition TEXT,
    failed_at TIMESTAMP NOT NULL,
    failed_steps TEXT,
    error_message TEXT,
    notified BOOLEAN NOT NULL
);
