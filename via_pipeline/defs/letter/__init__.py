"""The progress letter: key figures, partner progress tables and the annex files."""
