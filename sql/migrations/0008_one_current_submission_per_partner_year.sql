-- partners.submissions (issue 13): at most one current version per partner-year, by constraint,
-- and the size and modification time of each file as it lay in the inbox.
-- The same bytes arriving as abu_2023.csv and ABU_2023.CSV were both current. DuckDB has no
-- partial index, so the unique index is on an expression that is NULL for rows not current
-- (NULLs never clash); PostgreSQL enforces it the same way.
-- size_bytes, file_modified_at: NULL for files recorded before this migration. A file rejected
-- as too large is recorded without being read; its name, size and modification time let later
-- runs pass it by without reading it again.
-- The table is rebuilt rather than updated: DuckDB cannot create an index in a transaction that
-- updated the table, and a warehouse holding two current rows must be repaired first (the row
-- processed last stays current).
ALTER TABLE partners.submissions RENAME TO submissions_before_0008;

CREATE TABLE partners.submissions (
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    partner_id TEXT,
    reporting_year INTEGER,
    received_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    problem_count INTEGER NOT NULL CHECK (problem_count >= 0),
    action_count INTEGER NOT NULL CHECK (action_count >= 0),
    supersedes_sha256 TEXT,
    is_current BOOLEAN NOT NULL,
    archive_path TEXT NOT NULL,
    size_bytes BIGINT CHECK (size_bytes >= 0),
    file_modified_at TIMESTAMP,
    PRIMARY KEY (sha256, file_name),
    CHECK (length(sha256) = 64),
    CHECK (status = 'accepted' OR NOT is_current),
    CHECK (status = 'accepted' OR problem_count > 0)
);

INSERT INTO partners.submissions (
    sha256, file_name, partner_id, reporting_year, received_at, processed_at, status,
    problem_count, action_count, supersedes_sha256, is_current, archive_path
)
SELECT
    s.sha256, s.file_name, s.partner_id, s.reporting_year, s.received_at, s.processed_at,
    s.status, s.problem_count, s.action_count, s.supersedes_sha256,
    s.is_current AND NOT EXISTS (
        SELECT 1 FROM partners.submissions_before_0008 AS later
        WHERE later.is_current
          AND later.partner_id = s.partner_id
          AND later.reporting_year = s.reporting_year
          AND (later.processed_at > s.processed_at
               OR (later.processed_at = s.processed_at AND later.file_name > s.file_name))
    ),
    s.archive_path
FROM partners.submissions_before_0008 AS s;

DROP TABLE partners.submissions_before_0008;

-- DuckDB refuses ALTER TABLE on a table with an index: a later migration that alters
-- partners.submissions drops this index first and creates it again after.
CREATE UNIQUE INDEX submissions_one_current_per_partner_year ON partners.submissions (
    (CASE WHEN is_current THEN partner_id || '/' || CAST(reporting_year AS TEXT) END)
);
