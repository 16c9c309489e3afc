"""Where the repository's own files live (config, SQL, snapshots), found from this file."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2]
REPO_ROOT = PACKAGE_DIR.parent
CONFIG_DIR = PACKAGE_DIR / "config"
SNAPSHOT_DIR = PACKAGE_DIR / "snapshots" / "cbs"
SQL_DIR = REPO_ROOT / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
