-- The letter's partner tables: progress per theme and who reported, per reporting year.
-- Documented in docs/data-dictionary.md (letter.*). Portable DDL (DuckDB and PostgreSQL).
CREATE TABLE letter.theme_progress (
    reporting_year INTEGER NOT NULL,
    theme TEXT NOT NULL,
    theme_title TEXT NOT NULL,
    theme_order INTEGER NOT NULL,
    partners_reporting INTEGER NOT NULL CHECK (partners_reporting >= 0),
    action_count INTEGER NOT NULL CHECK (action_count >= 0),
    actions_planned INTEGER NOT NULL CHECK (actions_planned >= 0),
    actions_ongoing INTEGER NOT NULL CHECK (actions_ongoing >= 0),
    actions_completed INTEGER NOT NULL CHECK (actions_completed >= 0),
    actions_stopped INTEGER NOT NULL CHECK (actions_stopped >= 0),
    people_reached BIGINT NOT NULL CHECK (people_reached >= 0),
    employers_reached BIGINT NOT NULL CHECK (employers_reached >= 0),
    PRIMARY KEY (reporting_year, theme)
);

CREATE TABLE letter.partner_reporting (
    reporting_year INTEGER NOT NULL,
    partner_id TEXT NOT NULL,
    partner_name TEXT NOT NULL,
    has_accepted_submission BOOLEAN NOT NULL,
    accepted_received_at TIMESTAMP,
    action_count INTEGER NOT NULL CHECK (action_count >= 0),
    rejected_submission_count INTEGER NOT NULL CHECK (rejected_submission_count >= 0),
    PRIMARY KEY (reporting_year, partner_id)
);
