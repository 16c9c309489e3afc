-- Whether each CBS table was read live or from the bundled snapshot: a trend's reason sentence
-- says an empty baseline cell is the snapshot's, not CBS's, when it was the snapshot.
SELECT table_id, source
FROM cbs.tables
