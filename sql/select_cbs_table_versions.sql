-- Every take of a CBS table version (cbs.table_versions), oldest first per table.
SELECT table_id, source_version, source, title, modified, taken_at, row_count
FROM cbs.table_versions
ORDER BY table_id, taken_at
