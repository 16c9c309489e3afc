-- The years each CBS table version has, empty cells included (the ingest keeps a row for every
-- year of the table's Perioden code list that CBS answers): a year not here is one the table
-- lacks, so only then may a key figure say CBS has published nothing for it.
SELECT DISTINCT source_table, year
FROM monitor.indicators
