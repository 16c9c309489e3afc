-- How the catalogue resolved against the table version in cbs.tables (rewritten with it, in
-- the same transaction): each configured measure with the precision CBS publishes it in
-- (DataProperties.Decimals, used to round monitor.gaps), and the category every dimension
-- other than the population group was held at (by cbs_tables.yaml or the total rule).
CREATE TABLE cbs.measures (
    table_id TEXT NOT NULL,
    measure_key TEXT NOT NULL,
    measure_title TEXT NOT NULL,
    indicator TEXT NOT NULL,
    unit TEXT,
    decimals INTEGER CHECK (decimals >= 0),
    PRIMARY KEY (table_id, measure_key)
);

CREATE TABLE cbs.held_dimensions (
    table_id TEXT NOT NULL,
    dimension_key TEXT NOT NULL,
    dimension_title TEXT NOT NULL,
    category_key TEXT NOT NULL,
    category_title TEXT NOT NULL,
    chosen_by TEXT NOT NULL CHECK (chosen_by IN ('catalogue', 'total_rule')),
    PRIMARY KEY (table_id, dimension_key)
);
