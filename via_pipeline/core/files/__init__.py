"""Files on disk: atomic writes and spreadsheet safety."""
