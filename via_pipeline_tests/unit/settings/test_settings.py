"""Settings: offline defaults, and one clear message naming the variable for each bad value."""

from pathlib import Path

import pytest

from via_pipeline.core.settings.environment import (
    LOCK_WAIT_VARIABLE,
    ConfigurationError,
    load_settings,
    parse_warehouse_url,
    redact_url,
)
from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline.core.warehouse import WarehouseStore


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


def test_postgresql_url_without_driver_is_read_with_the_shipped_driver() -> None:
    parsed = parse_warehouse_url("postgresql://analyst:s3cr3t@127.0.0.1/warehouse")
    assert parsed.drivername == "postgresql+psycopg2"
    assert (parsed.username, parsed.password, parsed.database) == (
        "analyst",
        "s3cr3t",
        "warehouse",
    )
    assert parse_warehouse_url("postgresql+psycopg2://u@h/db").drivername == "postgresql+psycopg2"


def test_a_driver_that_is_not_installed_is_one_line_naming_the_fix() -> None:
    with pytest.raises(ConfigurationError) as raised:
        WarehouseStore("postgresql+psycopg://analyst:s3cr3t@127.0.0.1/warehouse")
    message = str(raised.value)
    assert message.startswith(
        "VIA_WAREHOUSE_URL: the database driver of "
        "postgresql+psycopg://analyst:***@127.0.0.1/warehouse is not installed"
    )
    assert message.endswith("use duckdb:///path or postgresql+psycopg2://user@host/db")
    assert "s3cr3t" not in message


def test_dagster_home_that_is_a_file_is_named(tmp_path: Path) -> None:
    a_file = tmp_path / "dagster_home"
    a_file.write_text("not a folder", encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"DAGSTER_HOME": str(a_file)})
    assert str(raised.value) == f"DAGSTER_HOME: {a_file} is a file, not a folder"
    with pytest.raises(ConfigurationError) as below:
        load_settings({"DAGSTER_HOME": str(a_file / "home")})
    assert str(below.value) == (
        f"DAGSTER_HOME: {a_file / 'home'} cannot be created, {a_file} is a file"
    )


def test_lock_wait_is_seconds_from_the_environment() -> None:
    assert load_settings({}).warehouse_lock_wait_seconds == 600.0
    assert load_settings({LOCK_WAIT_VARIABLE: "2.5"}).warehouse_lock_wait_seconds == 2.5
    for bad in ("-1", "soon", "inf", "nan"):
        with pytest.raises(ConfigurationError) as raised:
            load_settings({LOCK_WAIT_VARIABLE: bad})
        assert str(raised.value) == (
            f"VIA_WAREHOUSE_LOCK_WAIT_SECONDS: expected a number of seconds from 0 to 86400, got {bad!r}"
        )
