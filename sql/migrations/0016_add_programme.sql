-- Programmes (issue 27): Werkagenda VIA and "Statushouders aan het werk" get a letter each.
-- partners.actions says which programme an action is for (the file's column `programma`,
-- empty = via); the letter tables hold one slice per programme, `programme` part of their key.
-- Every row written before this migration is via's: the pipeline knew one programme.
-- Documented in docs/data-dictionary.md ("Programmes (migration 0016)").
-- The tables are rebuilt rather than altered: neither engine can change a primary key in
-- place the same way, and DuckDB cannot add a NOT NULL column to an existing table. The
-- DEFAULT 'via' keeps a writer that does not know programmes (older code, a script) working,
-- with its rows counted as via's, as before.

ALTER TABLE partners.actions RENAME TO actions_before_0016;
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
    programme TEXT NOT NULL DEFAULT 'via',
    PRIMARY KEY (partner_id, reporting_year, action_id),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
INSERT INTO partners.actions (
    partner_id, reporting_year, action_id, theme, title, status, start_date, end_date,
    people_reached, employers_reached, explanation, source_row, submission_sha256, programme
)
SELECT
    partner_id, reporting_year, action_id, theme, title, status, start_date, end_date,
    people_reached, employers_reached, explanation, source_row, submission_sha256, 'via'
FROM partners.actions_before_0016;
DROP TABLE partners.actions_before_0016;

ALTER TABLE letter.theme_progress RENAME TO theme_progress_before_0016;
CREATE TABLE letter.theme_progress (
    reporting_year INTEGER NOT NULL,
    programme TEXT NOT NULL DEFAULT 'via',
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
    PRIMARY KEY (reporting_year, programme, theme)
);
INSERT INTO letter.theme_progress (
    reporting_year, programme, theme, theme_title, theme_order, partners_reporting, action_count,
    actions_planned, actions_ongoing, actions_completed, actions_stopped, people_reached,
    employers_reached
)
SELECT
    reporting_year, 'via', theme, theme_title, theme_order, partners_reporting, action_count,
    actions_planned, actions_ongoing, actions_completed, actions_stopped, people_reached,
    employers_reached
FROM letter.theme_progress_before_0016;
DROP TABLE letter.theme_progress_before_0016;

ALTER TABLE letter.partner_reporting RENAME TO partner_reporting_before_0016;
CREATE TABLE letter.partner_reporting (
    reporting_year INTEGER NOT NULL,
    programme TEXT NOT NULL DEFAULT 'via',
    partner_id TEXT NOT NULL,
    partner_name TEXT NOT NULL,
    has_accepted_submission BOOLEAN NOT NULL,
    accepted_received_at TIMESTAMP,
    action_count INTEGER NOT NULL CHECK (action_count >= 0),
    rejected_submission_count INTEGER NOT NULL CHECK (rejected_submission_count >= 0),
    PRIMARY KEY (reporting_year, programme, partner_id)
);
INSERT INTO letter.partner_reporting (
    reporting_year, programme, partner_id, partner_name, has_accepted_submission,
    accepted_received_at, action_count, rejected_submission_count
)
SELECT
    reporting_year, 'via', partner_id, partner_name, has_accepted_submission,
    accepted_received_at, action_count, rejected_submission_count
FROM letter.partner_reporting_before_0016;
DROP TABLE letter.partner_reporting_before_0016;

ALTER TABLE letter.action_progress RENAME TO action_progress_before_0016;
CREATE TABLE letter.action_progress (
    reporting_year INTEGER NOT NULL,
    programme TEXT NOT NULL DEFAULT 'via',
    partner_id TEXT NOT NULL,
    action_id TEXT NOT NULL,
    partner_reported_previous BOOLEAN NOT NULL,
    partner_reported_current BOOLEAN NOT NULL,
    previous_status TEXT CHECK (previous_status IN ('gepland', 'lopend', 'afgerond', 'gestopt')),
    current_status TEXT CHECK (current_status IN ('gepland', 'lopend', 'afgerond', 'gestopt')),
    movement TEXT NOT NULL CHECK (movement IN (
        'new', 'continued', 'advanced', 'completed', 'stopped', 'not_reported_again',
        'closed_before', 'moved_back', 'partner_absent_previous', 'partner_absent_current'
    )),
    theme TEXT NOT NULL,
    previous_theme TEXT,
    theme_changed BOOLEAN NOT NULL,
    title TEXT NOT NULL,
    previous_title TEXT,
    title_changed BOOLEAN NOT NULL,
    people_reached_previous INTEGER,
    people_reached_current INTEGER,
    employers_reached_previous INTEGER,
    employers_reached_current INTEGER,
    PRIMARY KEY (reporting_year, programme, partner_id, action_id),
    CHECK (previous_status IS NOT NULL OR current_status IS NOT NULL)
);
INSERT INTO letter.action_progress (
    reporting_year, programme, partner_id, action_id, partner_reported_previous,
    partner_reported_current, previous_status, current_status, movement, theme, previous_theme,
    theme_changed, title, previous_title, title_changed, people_reached_previous,
    people_reached_current, employers_reached_previous, employers_reached_current
)
SELECT
    reporting_year, 'via', partner_id, action_id, partner_reported_previous,
    partner_reported_current, previous_status, current_status, movement, theme, previous_theme,
    theme_changed, title, previous_title, title_changed, people_reached_previous,
    people_reached_current, employers_reached_previous, employers_reached_current
FROM letter.action_progress_before_0016;
DROP TABLE letter.action_progress_before_0016;

ALTER TABLE letter.progress_movements RENAME TO progress_movements_before_0016;
CREATE TABLE letter.progress_movements (
    reporting_year INTEGER NOT NULL,
    programme TEXT NOT NULL DEFAULT 'via',
    scope TEXT NOT NULL CHECK (scope IN ('theme', 'partner')),
    scope_key TEXT NOT NULL,
    open_previous INTEGER NOT NULL CHECK (open_previous >= 0),
    new INTEGER NOT NULL CHECK (new >= 0),
    continued INTEGER NOT NULL CHECK (continued >= 0),
    advanced INTEGER NOT NULL CHECK (advanced >= 0),
    completed INTEGER NOT NULL CHECK (completed >= 0),
    stopped INTEGER NOT NULL CHECK (stopped >= 0),
    not_reported_again INTEGER NOT NULL CHECK (not_reported_again >= 0),
    closed_before INTEGER NOT NULL CHECK (closed_before >= 0),
    moved_back INTEGER NOT NULL CHECK (moved_back >= 0),
    partner_absent_previous INTEGER NOT NULL CHECK (partner_absent_previous >= 0),
    partner_absent_current INTEGER NOT NULL CHECK (partner_absent_current >= 0),
    sentence_nl TEXT,
    PRIMARY KEY (reporting_year, programme, scope, scope_key)
);
INSERT INTO letter.progress_movements (
    reporting_year, programme, scope, scope_key, open_previous, new, continued, advanced,
    completed, stopped, not_reported_again, closed_before, moved_back, partner_absent_previous,
    partner_absent_current, sentence_nl
)
SELECT
    reporting_year, 'via', scope, scope_key, open_previous, new, continued, advanced,
    completed, stopped, not_reported_again, closed_before, moved_back, partner_absent_previous,
    partner_absent_current, sentence_nl
FROM letter.progress_movements_before_0016;
DROP TABLE letter.progress_movements_before_0016;

ALTER TABLE letter.agenda_progress RENAME TO agenda_progress_before_0016;
CREATE TABLE letter.agenda_progress (
    reporting_year INTEGER NOT NULL,
    programme TEXT NOT NULL DEFAULT 'via',
    theme TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    actions_reported INTEGER NOT NULL CHECK (actions_reported >= 0),
    actions_started INTEGER NOT NULL CHECK (actions_started >= 0),
    actions_planned INTEGER NOT NULL CHECK (actions_planned >= 0),
    actions_running INTEGER NOT NULL CHECK (actions_running >= 0),
    actions_completed INTEGER NOT NULL CHECK (actions_completed >= 0),
    actions_stopped INTEGER NOT NULL CHECK (actions_stopped >= 0),
    PRIMARY KEY (reporting_year, programme, theme)
);
INSERT INTO letter.agenda_progress (
    reporting_year, programme, theme, first_year, actions_reported, actions_started,
    actions_planned, actions_running, actions_completed, actions_stopped
)
SELECT
    reporting_year, 'via', theme, first_year, actions_reported, actions_started,
    actions_planned, actions_running, actions_completed, actions_stopped
FROM letter.agenda_progress_before_0016;
DROP TABLE letter.agenda_progress_before_0016;
