-- monitor.trends: a series whose own baseline cell is empty (CBS published no figure for the
-- group or the reference group in its table's baseline year) has no baseline gap, so no
-- catch-up verdict can be given. Its row keeps gap_first_pp NULL and structural_catch_up NULL
-- ("no verdict", neither true nor false), and reason_nl says why (docs/methodology.md).
ALTER TABLE monitor.trends ALTER COLUMN gap_first_pp DROP NOT NULL;
ALTER TABLE monitor.trends ALTER COLUMN structural_catch_up DROP NOT NULL;
