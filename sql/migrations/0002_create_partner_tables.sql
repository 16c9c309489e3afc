-- Partner submissions (docs/data-dictionary.md, section partners.*). Portable DDL (DuckDB, PostgreSQL).
-- Keys make concurrent intake safe by constraint: the same file (hash + name) is recorded once,
-- and each partner-year's versions are numbered 1, 2, ... with a primary key, so two runs that
-- both accept a new version for the same partner-year cannot both commit.
CREATE TABLE partners.registry (
    partner_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER,
    CHECK (last_year IS NULL OR last_year >= first_year)
);

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
    PRIMARY KEY (sha256, file_name),
    CHECK (length(sha256) = 64),
    CHECK (status = 'accepted' OR NOT is_current),
    CHECK (status = 'accepted' OR problem_count > 0)
);

-- One row each time a submission became the current version of its partner-year; the highest
-- version is current. Append-only: the history of which file counted when.
CREATE TABLE partners.versions (
    partner_id TEXT NOT NULL,
    reporting_year INTEGER NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    accepted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, reporting_year, version)
);

CREATE TABLE partners.actions (
    partner_id TEXT NOT NULL,
    reporting_year INTEGER NOT NULL,
    action_id TEXT NOT NULL,
    theme TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('gepland', 'lopend', 'afgerond', 'gestopt')),
    start_date DATE,
    end_date DATE,
    people_reached INTEGER CHECK (people_reached >= 0),
    employers_reached INTEGER CHECK (employers_reached >= 0),
    explanation TEXT,
    source_row INTEGER NOT NULL,
    submission_sha256 TEXT NOT NULL,
    PRIMARY KEY (partner_id, reporting_year, action_id),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);

CREATE TABLE partners.rejections (
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    partner_id TEXT,
    reporting_year INTEGER,
    row_number INTEGER,
    column_name TEXT,
    rule TEXT NOT NULL,
    message_nl TEXT NOT NULL,
    value TEXT,
    rejected_at TIMESTAMP NOT NULL
);
