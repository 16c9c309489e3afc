"""Settings: offline defaults, and one clear message naming the variable for each bad value."""

from pathlib import Path

import pytest

from via_pipeline.core.paths import REPO_ROOT
from via_pipeline.core.settings import ConfigurationError, load_settings, redact_url


def test_defaults_work_offline() -> None:
    settings = load_settings({})
    assert settings.data_dir == REPO_ROOT / "data"
    assert settings.warehouse_url == f"duckdb:///{REPO_ROOT / 'data' / 'warehouse.duckdb'}"
    assert (settings.cbs_source, settings.cbs_catalog_url, settings.cbs_use_https) == (
        "auto",
        "opendata.cbs.nl",
        True,
    )
    assert settings.dagster_home == REPO_ROOT / ".dagster"
    assert settings.inbox_dir == REPO_ROOT / "data" / "inbox"


def test_data_dir_moves_the_default_warehouse(tmp_path: Path) -> None:
    settings = load_settings({"VIA_DATA_DIR": str(tmp_path)})
    assert settings.warehouse_url == f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    assert settings.output_dir == tmp_path / "output"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"VIA_WAREHOUSE_URL": "not a url"}, "VIA_WAREHOUSE_URL: cannot parse"),
        (
            {"VIA_WAREHOUSE_URL": "mysql://u@h/db"},
            "VIA_WAREHOUSE_URL: unsupported database 'mysql'",
        ),
        ({"VIA_WAREHOUSE_URL": "duckdb://"}, "VIA_WAREHOUSE_URL: a DuckDB URL needs a file path"),
        (
            {"VIA_CBS_SOURCE": "internet"},
            "VIA_CBS_SOURCE: expected one of live, snapshot, auto, got 'internet'",
        ),
        ({"VIA_CBS_USE_HTTPS": "maybe"}, "VIA_CBS_USE_HTTPS: expected true or false, got 'maybe'"),
        (
            {"VIA_CBS_CATALOG_URL": "https://opendata.cbs.nl"},
            "VIA_CBS_CATALOG_URL: give host[:port] only",
        ),
    ],
)
def test_bad_settings_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings(environ)
    assert str(raised.value).startswith(message)


def test_bad_url_message_hides_the_password() -> None:
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"VIA_WAREHOUSE_URL": "mysql://analyst:s3cr3t@db.example/warehouse"})
    assert "s3cr3t" not in str(raised.value)
    assert "analyst:***@db.example" in str(raised.value)


def test_redact_url() -> None:
    assert (
        redact_url("postgresql+psycopg2://u:pw@h:5432/d") == "postgresql+psycopg2://u:***@h:5432/d"
    )
    assert redact_url("duckdb:////tmp/w.duckdb") == "duckdb:////tmp/w.duckdb"
