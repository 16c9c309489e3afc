-- The warehouse's identity: one UUID, made when this migration runs (on a new warehouse with
-- the others, on an existing one when it is upgraded) and never changed afterwards.
-- Each CLI run records it on its Dagster run (tag via/warehouse_id); `via-pipeline run` holds
-- an asset unchanged only when the warehouse is still the one its last build wrote
-- (docs/architecture.md). created_at is UTC without zone.
CREATE TABLE meta.warehouse_identity (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    warehouse_id TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

INSERT INTO meta.warehouse_identity (singleton, warehouse_id, created_at)
SELECT TRUE, CAST(gen_random_uuid() AS TEXT), CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP);
