-- cbs.tables.source_version: what identifies the content ingested, so an unchanged table is not
-- downloaded again: 'modified:<TableInfos.Modified ISO>' for live answers,
-- 'snapshot-sha256:<hash of the recorded files>' for the bundled snapshot (it has no Modified).
-- NULL: the version could not be told (CBS gave no Modified); such a table is always re-read.
ALTER TABLE cbs.tables ADD COLUMN source_version TEXT;
