"""CBS domain: the StatLine resource, the ingest assets and the monitor.indicators they feed."""
