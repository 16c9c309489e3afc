-- The version of each CBS table the warehouse held at a moment: its last take at or before
-- :as_of (UTC). A table first taken after :as_of has no row.
SELECT table_id, source_version, source, title, modified, taken_at, row_count
FROM (
    SELECT
        v.*,
        ROW_NUMBER() OVER (PARTITION BY v.table_id ORDER BY v.taken_at DESC) AS newest
    FROM cbs.table_versions AS v
    WHERE v.taken_at <= :as_of
) AS takes
WHERE newest = 1
ORDER BY table_id
