"""CBS StatLine ingest: the table catalogue, live and snapshot clients, and the mapping of
StatLine answers to cbs.observations and monitor.indicators rows. No dagster import here."""
