-- The letter as sent (issue 22): each approval of a reporting year's annex is a release,
-- append-only. letter.releases holds who approved what and when; letter.release_inputs what it
-- was built from (each CBS table's version, each partner file's sha256, each config file with
-- its content, so `letter reproduce` can rebuild it); letter.release_files every file sent
-- (path relative to its folder under <VIA_DATA_DIR>/sent/, size, SHA-256); letter.release_figures
-- each figure the letter states, as sent. letter.revisions holds, after each build, every sent
-- figure whose current value differs. `programme` is 'via' (room for other programmes).
-- Times are UTC without zone.
CREATE TABLE letter.releases (
    programme TEXT NOT NULL DEFAULT 'via',
    reporting_year INTEGER NOT NULL,
    release_number INTEGER NOT NULL CHECK (release_number >= 1),
    approved_at TIMESTAMP NOT NULL,
    approved_by TEXT NOT NULL,
    note TEXT,
    supersede_reason TEXT,
    run_id TEXT NOT NULL,
    code_version TEXT NOT NULL,
    config_version TEXT NOT NULL,
    sent_dir TEXT NOT NULL,
    PRIMARY KEY (programme, reporting_year, release_number),
    CHECK (release_number = 1 OR supersede_reason IS NOT NULL)
);

CREATE TABLE letter.release_inputs (
    programme TEXT NOT NULL DEFAULT 'via',
    reporting_year INTEGER NOT NULL,
    release_number INTEGER NOT NULL,
    input_kind TEXT NOT NULL CHECK (input_kind IN ('cbs_table', 'partner_file', 'config_file')),
    input_name TEXT NOT NULL,
    version TEXT NOT NULL,
    modified TIMESTAMP,
    detail TEXT,
    content TEXT,
    PRIMARY KEY (programme, reporting_year, release_number, input_kind, input_name)
);

CREATE TABLE letter.release_files (
    programme TEXT NOT NULL DEFAULT 'via',
    reporting_year INTEGER NOT NULL,
    release_number INTEGER NOT NULL,
    path TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    PRIMARY KEY (programme, reporting_year, release_number, path)
);

CREATE TABLE letter.release_figures (
    programme TEXT NOT NULL DEFAULT 'via',
    reporting_year INTEGER NOT NULL,
    release_number INTEGER NOT NULL,
    figure_key TEXT NOT NULL,
    figure_label TEXT NOT NULL,
    period INTEGER NOT NULL,
    value DOUBLE PRECISION,
    source_table TEXT,
    source_version TEXT,
    provisional BOOLEAN,
    PRIMARY KEY (programme, reporting_year, release_number, figure_key, period)
);

CREATE TABLE letter.revisions (
    programme TEXT NOT NULL DEFAULT 'via',
    reporting_year INTEGER NOT NULL,
    release_number INTEGER NOT NULL,
    figure_key TEXT NOT NULL,
    figure_label TEXT NOT NULL,
    period INTEGER NOT NULL,
    sent_value DOUBLE PRECISION,
    current_value DOUBLE PRECISION,
    sent_source_version TEXT,
    current_source_version TEXT,
    cause TEXT NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    PRIMARY KEY (programme, reporting_year, release_number, figure_key, period)
);
