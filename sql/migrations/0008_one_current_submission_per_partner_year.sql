-- partners.submissions (issue 13): at most one current version per partner-year, by constraint,
-- and the size and modification time of each file as it lay in the inbox.
-- The same bytes arriving as abu_2023.csv and ABU_2023.CSV were both current. DuckDB has no
-- partial index, so the unique index is on an expression that is NULL for rows not current
-- (NULLs never clash); PostgreSQL enforces it the same way.
-- size_bytes, file_modified_at: NULL for files recorded before this migration. A file rejected
-- as too large is recorded without being read; its name, size and modification time let later
-- runs pass it by without reading it again.
ALTER TABLE partners.submissions ADD COLUMN size_bytes BIGINT;
ALTER TABLE partners.submissions ADD COLUMN file_modified_at TIMESTAMP;

-- Warehouses that already hold two current rows keep the one processed last.
UPDATE partners.submissions SET is_current = FALSE
WHERE is_current AND EXISTS (
    SELECT 1 FROM partners.submissions AS later
    WHERE later.is_current
      AND later.partner_id = partners.submissions.partner_id
      AND later.reporting_year = partners.submissions.reporting_year
      AND (later.processed_at > partners.submissions.processed_at
           OR (later.processed_at = partners.submissions.processed_at
               AND later.file_name > partners.submissions.file_name))
);

-- Created last: DuckDB refuses ALTER TABLE on a table with an index (a later migration that
-- alters partners.submissions drops and recreates this index around it).
CREATE UNIQUE INDEX submissions_one_current_per_partner_year ON partners.submissions (
    (CASE WHEN is_current THEN partner_id || '/' || CAST(reporting_year AS TEXT) END)
);
