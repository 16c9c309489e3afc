"""Partner submissions: the registry, the inbox sensor and the intake of partner files."""
