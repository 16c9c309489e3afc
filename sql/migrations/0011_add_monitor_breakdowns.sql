-- Breakdowns (issue 16): a population group can be one cell across several dimensions of a
-- table (second generation of an origin outside Europe, women of an origin outside Europe,
-- without a start qualification), each compared only with the reference groups of its own
-- breakdown. monitor.comparisons holds which group is compared with which, written from
-- config/population_groups.yaml and monitor.yaml at every monitor.gaps build; monitor.gaps and
-- monitor.trends say the breakdown of each row ('none' for a whole origin group).
CREATE TABLE monitor.comparisons (
    population_group TEXT NOT NULL,
    reference_group TEXT NOT NULL,
    breakdown TEXT NOT NULL,
    PRIMARY KEY (population_group, reference_group)
);
ALTER TABLE monitor.gaps ADD COLUMN breakdown TEXT DEFAULT 'none';
ALTER TABLE monitor.trends ADD COLUMN breakdown TEXT DEFAULT 'none';
