-- Progress across years (issue 14): what became of last year's actions, per action, per theme
-- and partner, over the whole agenda, and the partners' mistakes the data shows.
-- Documented in docs/data-dictionary.md (letter.action_progress and below). Portable DDL.
CREATE TABLE letter.action_progress (
    reporting_year INTEGER NOT NULL,
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
    PRIMARY KEY (reporting_year, partner_id, action_id),
    CHECK (previous_status IS NOT NULL OR current_status IS NOT NULL)
);

-- Counts of each movement per theme (scope 'theme', key the theme code) and per partner
-- (scope 'partner', key the partner_id); sentence_nl is the letter's sentence (themes only).
CREATE TABLE letter.progress_movements (
    reporting_year INTEGER NOT NULL,
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
    PRIMARY KEY (reporting_year, scope, scope_key)
);

-- The agenda as a whole, from its first year (config/action_progress.yaml) up to the
-- reporting year: per theme, every action ever reported, by its last reported status.
CREATE TABLE letter.agenda_progress (
    reporting_year INTEGER NOT NULL,
    theme TEXT NOT NULL,
    first_year INTEGER NOT NULL,
    actions_reported INTEGER NOT NULL CHECK (actions_reported >= 0),
    actions_started INTEGER NOT NULL CHECK (actions_started >= 0),
    actions_planned INTEGER NOT NULL CHECK (actions_planned >= 0),
    actions_running INTEGER NOT NULL CHECK (actions_running >= 0),
    actions_completed INTEGER NOT NULL CHECK (actions_completed >= 0),
    actions_stopped INTEGER NOT NULL CHECK (actions_stopped >= 0),
    PRIMARY KEY (reporting_year, theme)
);

-- Mistakes the two years' files show (a warning, never a rejection): an actie_id whose title
-- is completely different, a status going backwards. One row per action and rule.
CREATE TABLE quality.action_warnings (
    reporting_year INTEGER NOT NULL,
    partner_id TEXT NOT NULL,
    action_id TEXT NOT NULL,
    rule TEXT NOT NULL CHECK (rule IN ('title_changed', 'status_backwards')),
    previous_value TEXT NOT NULL,
    current_value TEXT NOT NULL,
    message_nl TEXT NOT NULL,
    submission_sha256 TEXT NOT NULL,
    PRIMARY KEY (reporting_year, partner_id, action_id, rule)
);
