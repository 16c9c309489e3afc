"""Settings read from the environment once, validated, with defaults that work offline.

Every problem is raised as ConfigurationError whose message names the variable, so the CLI
can print one clear line instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from via_pipeline.core.settings.paths import REPO_ROOT

# SQLAlchemy's URL parser is imported where a URL is parsed, not with this module: the code
# location imports core.settings and must load without SQLAlchemy (docs/performance.md).
if TYPE_CHECKING:
    from sqlalchemy.engine import URL

CBS_SOURCES = ("live", "snapshot", "auto")
SUPPORTED_WAREHOUSE_DIALECTS = ("duckdb", "postgresql")
# `postgresql://` alone means psycopg 3 to SQLAlchemy 2.1, which is not installed: the URL is
# read with the driver the project ships (design brief, "Known traps").
DEFAULT_POSTGRES_DRIVER = "postgresql+psycopg2"
LOCK_WAIT_VARIABLE = "VIA_WAREHOUSE_LOCK_WAIT_SECONDS"
DEFAULT_LOCK_WAIT_SECONDS = 600.0


class ConfigurationError(ValueError):
    """A setting is missing, malformed or points at something unusable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    warehouse_url: str
    cbs_source: str
    cbs_catalog_url: str
    cbs_use_https: bool
    dagster_home: Path
    # A partner file is taken only once unchanged this long (docs/operations.md, safe copy).
    inbox_quiet_seconds: float = 10.0
    # How long `via-pipeline run` waits for a file still changing before it skips it.
    inbox_max_wait_seconds: float = 60.0
    # How long a run waits for another run's warehouse write lease before it gives up.
    warehouse_lock_wait_seconds: float = DEFAULT_LOCK_WAIT_SECONDS

    @property
    def inbox_dir(self) -> Path:
        return self.data_dir / "inbox"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def feedback_dir(self) -> Path:
        return self.data_dir / "feedback"

    @property
    def output_dir(self) -> Path:
        return self.data_dir / "output"


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, safe for logs and error messages."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return "<unparsable URL>"


def parse_warehouse_url(url: str, variable: str = "VIA_WAREHOUSE_URL") -> URL:
    """Parse and check a warehouse URL; the error names the variable, never the password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigurationError(
            f"{variable}: cannot parse {redact_url(url)!s} as an SQLAlchemy URL "
            "(expected duckdb:///path/to/file.duckdb or postgresql+psycopg2://user@host/db)"
        ) from None
    if parsed.get_backend_name() not in SUPPORTED_WAREHOUSE_DIALECTS:
        raise ConfigurationError(
            f"{variable}: unsupported database {parsed.get_backend_name()!r} in "
            f"{redact_url(url)}; use duckdb or postgresql"
        )
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername=DEFAULT_POSTGRES_DRIVER)
    if parsed.get_backend_name() == "duckdb" and not parsed.database:
        raise ConfigurationError(
            f"{variable}: a DuckDB URL needs a file path, e.g. duckdb:///data/warehouse.duckdb"
        )
    return parsed


def _parse_bool(variable: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{variable}: expected true or false, got {raw!r}")


def _parse_seconds(variable: str, raw: str | None, default: float) -> float:
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 <= value < 86_400:
        raise ConfigurationError(
            f"{variable}: expected a number of seconds from 0 to 86400, got {raw!r}"
        )
    return value


def _check_dagster_home(path: Path) -> Path:
    """DAGSTER_HOME must be a folder (or not exist yet, then the CLI creates it)."""
    if path.exists() and not path.is_dir():
        raise ConfigurationError(f"DAGSTER_HOME: {path} is a file, not a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigurationError(
                    f"DAGSTER_HOME: {path} cannot be created, {parent} is a file"
                )
            break
    return path


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate every VIA_* setting (and DAGSTER_HOME) from the environment."""
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("VIA_DATA_DIR") or REPO_ROOT / "data").expanduser().resolve()
    warehouse_url = env.get("VIA_WAREHOUSE_URL") or f"duckdb:///{data_dir / 'warehouse.duckdb'}"
    parse_warehouse_url(warehouse_url)

    cbs_source = (env.get("VIA_CBS_SOURCE") or "auto").strip().lower()
    if cbs_source not in CBS_SOURCES:
        raise ConfigurationError(
            f"VIA_CBS_SOURCE: expected one of {', '.join(CBS_SOURCES)}, got {env.get('VIA_CBS_SOURCE')!r}"
        )
    catalog_url = (env.get("VIA_CBS_CATALOG_URL") or "opendata.cbs.nl").strip()
    if "://" in catalog_url or catalog_url.endswith("/"):
        raise ConfigurationError(
            f"VIA_CBS_CATALOG_URL: give host[:port] only, without scheme or trailing slash, got {catalog_url!r}"
        )
    use_https = _parse_bool("VIA_CBS_USE_HTTPS", env.get("VIA_CBS_USE_HTTPS") or "true")
    dagster_home = _check_dagster_home(
        Path(env.get("DAGSTER_HOME") or REPO_ROOT / ".dagster").expanduser().resolve()
    )
    lock_wait = _parse_seconds(
        LOCK_WAIT_VARIABLE, env.get(LOCK_WAIT_VARIABLE), DEFAULT_LOCK_WAIT_SECONDS
    )
    return Settings(
        data_dir=data_dir,
        warehouse_url=warehouse_url,
        cbs_source=cbs_source,
        cbs_catalog_url=catalog_url,
        cbs_use_https=use_https,
        dagster_home=dagster_home,
        inbox_quiet_seconds=_parse_seconds(
            "VIA_INBOX_QUIET_SECONDS", env.get("VIA_INBOX_QUIET_SECONDS"), 10.0
        ),
        inbox_max_wait_seconds=_parse_seconds(
            "VIA_INBOX_MAX_WAIT_SECONDS", env.get("VIA_INBOX_MAX_WAIT_SECONDS"), 60.0
        ),
        warehouse_lock_wait_seconds=lock_wait,
    )
