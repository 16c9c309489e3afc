"""Warehouse bulk load: WarehouseStore.insert against pandas to_sql and each engine's own bulk path.

The rows are cbs.observations rows (ten columns: text, integer, boolean, double, some NULL),
the table that would take municipal-level detail. Per engine three candidates, interleaved,
each into an emptied table:
- `warehouse`: `WarehouseStore.insert` (what every asset uses);
- `native`: DuckDB inserting from a registered frame on a raw connection / `psql -c "\\copy ... FROM
  file.csv"` from a CSV file written beforehand (not timed);
- `to_sql`: `DataFrame.to_sql(..., if_exists="append")` through SQLAlchemy, on a tenth of the rows
  (to_sql is slow: at 1,000,000 rows one repetition takes minutes) and extrapolated linearly.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from benchmarks.common import (
    BenchResult,
    BenchSize,
    format_ratio,
    interleave,
    load_conditions,
    median,
    postgres_available,
    profile_text,
    run_process,
    scratch_postgres_database,
    spread,
)

TABLE = "cbs.observations"
TO_SQL_TARGET = 20.0
NATIVE_TARGET = 2.0


def observation_rows(count: int) -> pd.DataFrame:
    """`count` distinct cbs.observations rows (4 tables x 25 years x 2 measures x groups)."""
    index = np.arange(count)
    table = index % 4
    year = 2000 + (index // 4) % 25
    measure = (index // 100) % 2
    group = index // 200
    units = np.array(["%", "x 1 000", ""], dtype=object)  # "" must arrive as NULL
    values = np.round((index % 1000) / 10.0, 1)
    frame = pd.DataFrame(
        {
            "table_id": pd.Series([f"8{t}809NED" for t in table], dtype="str"),
            "period_code": pd.Series([f"{y}JJ00" for y in year], dtype="str"),
            "year": year.astype("int64"),
            "provisional": year >= 2023,
            "population_group_key": pd.Series([f"GM{g:06d}" for g in group], dtype="str"),
            "population_group_title": pd.Series(
                [f"Gemeente {g}, herkomst" for g in group], dtype="str"
            ),
            "measure_key": pd.Series(
                np.where(measure == 0, "Werkloosheid_1", "NettoParticipatie_2"), dtype="str"
            ),
            "measure_title": pd.Series(
                np.where(measure == 0, "Werkloosheidspercentage", "Nettoarbeidsparticipatie"),
                dtype="str",
            ),
            "unit": pd.Series(units[index % 3], dtype="str"),
            "value": np.where(index % 97 == 0, np.nan, values),
        }
    )
    return frame


def _empty_table(store: object, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {TABLE}")


def _to_sql(frame: pd.DataFrame, engine: sa.Engine) -> None:
    schema, name = TABLE.split(".")
    frame.to_sql(name, engine, schema=schema, if_exists="append", index=False)


def _libpq_url(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _measure_engine(
    result: BenchResult,
    engine_name: str,
    url: str,
    frame: pd.DataFrame,
    to_sql_frame: pd.DataFrame,
    native: Callable[[], None],
    size: BenchSize,
) -> None:
    from via_pipeline.core.warehouse import WarehouseStore

    store = WarehouseStore(url)
    store.migrate()
    # to_sql gets a pooled engine of its own, as a pandas user would have.
    to_sql_engine = sa.create_engine(url)
    scale = len(frame) / len(to_sql_frame)
    candidates: dict[str, Callable[[], float | None]] = {
        "warehouse": lambda: (store.insert(TABLE, frame), None)[1],
        "native": lambda: (native(), None)[1],
        "to_sql": lambda: (_to_sql(to_sql_frame, to_sql_engine), None)[1],
    }
    repeat = 1 if size.is_tiny else max(size.repeat, 5)
    timings = interleave(candidates, repeat, setup=lambda _: _empty_table(store, store.engine))
    stored = store.count(TABLE)
    if stored != len(to_sql_frame):  # the last candidate was to_sql
        raise RuntimeError(
            f"{engine_name}: expected {len(to_sql_frame)} rows after to_sql, found {stored}"
        )
    _empty_table(store, store.engine)
    store.insert(TABLE, frame)
    stored = store.count(TABLE)
    if stored != len(frame):
        raise RuntimeError(
            f"{engine_name}: expected {len(frame)} rows after insert, found {stored}"
        )
    null_units = int(
        store.read(f"SELECT count(*) AS n FROM {TABLE} WHERE unit IS NULL")["n"].iloc[0]  # noqa: S608 (constants)
    )
    if null_units != int((frame["unit"] == "").sum()):
        raise RuntimeError(f"{engine_name}: empty units were not all stored as NULL ({null_units})")

    ours = median(timings["warehouse"])
    native_s = median(timings["native"])
    to_sql_s = median(timings["to_sql"]) * scale
    rows = len(frame)
    result.add(
        f"{engine_name}: WarehouseStore.insert, {rows:,} rows",
        f"{spread(timings['warehouse'])}; {rows / ours:,.0f} rows/s",
    )
    result.add(f"{engine_name}: engine's own bulk path, {rows:,} rows", spread(timings["native"]))
    result.add(
        f"{engine_name}: DataFrame.to_sql, {len(to_sql_frame):,} rows (x{scale:.0f} = {to_sql_s:.1f} s extrapolated)",
        spread(timings["to_sql"]),
    )
    speedup = to_sql_s / ours
    result.add(
        f"{engine_name}: speed-up over to_sql",
        format_ratio(speedup),
        f">= {TO_SQL_TARGET:.0f}x",
        speedup >= TO_SQL_TARGET,
    )
    slowdown = ours / native_s
    met = slowdown <= NATIVE_TARGET
    result.add(
        f"{engine_name}: time vs the engine's own path",
        format_ratio(slowdown),
        f"<= {NATIVE_TARGET:.0f}x",
        met,
    )
    if not met and not size.is_tiny:
        _empty_table(store, store.engine)
        profile = profile_text(lambda: store.insert(TABLE, frame))
        result.details += [
            f"Profile of one `WarehouseStore.insert` on {engine_name} (target missed):",
            "",
            "```",
            profile,
            "```",
            "",
        ]
    to_sql_engine.dispose()
    store.dispose()


def run(size: BenchSize) -> BenchResult:
    result = BenchResult("bulk_load", "Warehouse bulk load")
    frame = observation_rows(size.bulk_rows)
    to_sql_frame = frame.head(size.to_sql_rows)
    result.details.append(
        f"{len(frame):,} cbs.observations rows; to_sql timed on the first {len(to_sql_frame):,} and scaled "
        f"linearly (x{len(frame) / len(to_sql_frame):.0f}); {load_conditions()}."
    )
    columns = ", ".join(frame.columns)

    with tempfile.TemporaryDirectory(prefix="via_bench_bulk_") as folder:
        database = Path(folder) / "warehouse.duckdb"
        url = f"duckdb:///{database}"

        # The raw DuckDB connection comes through duckdb-engine only because DuckDB refuses a
        # second in-process connection to one file with a different configuration.
        raw_engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

        def duckdb_native() -> None:
            wrapper = raw_engine.raw_connection()
            try:
                connection = wrapper.driver_connection
                connection.register("bench_frame", frame)
                connection.execute(
                    f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM bench_frame"  # noqa: S608 (constants)
                )
                connection.unregister("bench_frame")
                wrapper.commit()
            finally:
                wrapper.close()

        _measure_engine(result, "DuckDB", url, frame, to_sql_frame, duckdb_native, size)

        if not postgres_available():
            result.add("PostgreSQL", "skipped: server unreachable", "", False)
            return result
        csv_path = Path(folder) / "rows.csv"
        from via_pipeline.core.warehouse.frames import normalise_frame

        normalise_frame(frame).to_csv(csv_path, index=False, header=False, na_rep="")
        with scratch_postgres_database() as pg_url:
            copy = f"\\copy {TABLE} ({columns}) FROM '{csv_path}' WITH (FORMAT csv)"

            def psql_copy() -> None:
                run_process(["psql", _libpq_url(pg_url), "-v", "ON_ERROR_STOP=1", "-q", "-c", copy])

            _measure_engine(result, "PostgreSQL", pg_url, frame, to_sql_frame, psql_copy, size)
    return result
