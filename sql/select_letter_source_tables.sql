-- The CBS tables as the key figures' footnotes name them: id, title, Modified date and whether
-- the figures came live from CBS or from the bundled snapshot.
SELECT table_id, title, modified, source
FROM cbs.tables
