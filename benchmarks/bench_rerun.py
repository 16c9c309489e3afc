"""No-change rerun: what a second `via-pipeline run` asks CBS and writes when nothing changed.

A first run reads CBS "live" from the replay server (the bundled snapshot, with a Modified date
set as CBS has one) into a scratch PostgreSQL warehouse, with the example submissions in the
inbox. Then the same run again, unchanged, (several times at full size). Counted per rerun:
- requests to the replay server per CBS table (metadata: table info, properties, code lists;
  data: TypedDataSet); the target is at most one metadata request per table and no data;
- rows inserted, updated and deleted per warehouse table, from PostgreSQL's own counters
  (pg_stat_user_tables, read after the run's process ended, so its statistics are flushed).
  quality.validation_results is an append-only log of check outcomes: new rows there are
  reported apart, as appended, not as rewritten.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.bench_full_run import fill_inbox, pipeline_environment, run_cli
from benchmarks.common import (
    BenchResult,
    BenchSize,
    load_conditions,
    postgres_available,
    scratch_postgres_database,
    spread,
)

APPEND_ONLY = ("quality.validation_results",)
MODIFIED = "2024-03-01T02:00:00"


def table_counters(url: str) -> dict[str, tuple[int, int, int]]:
    """(inserted, updated, deleted) rows so far per schema.table of the database at `url`."""
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            rows = conn.exec_driver_sql(
                "SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables"
            ).all()
    finally:
        engine.dispose()
    return {f"{r[0]}.{r[1]}": (int(r[2]), int(r[3]), int(r[4])) for r in rows}


def changes(
    before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]
) -> dict[str, tuple[int, int, int]]:
    found = {}
    for table, counts in after.items():
        previous = before.get(table, (0, 0, 0))
        delta = tuple(now - then for now, then in zip(counts, previous, strict=True))
        if any(delta):
            found[table] = (delta[0], delta[1], delta[2])
    return found


def settled_counters(url: str) -> dict[str, tuple[int, int, int]]:
    """Counters once they stop moving (a backend flushes its statistics when it exits)."""
    previous = table_counters(url)
    for _ in range(10):
        time.sleep(1.0)
        current = table_counters(url)
        if current == previous:
            return current
        previous = current
    return previous


def run(size: BenchSize) -> BenchResult:
    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline_tests.support.cbs_replay import CbsReplayServer

    result = BenchResult("rerun", "No-change rerun")
    if not postgres_available():
        result.add(
            "rerun", "skipped: PostgreSQL unreachable (its counters count the rows)", "", False
        )
        return result
    reruns = 1 if size.is_tiny else 3
    table_ids = [table.table_id for table in load_catalogue().tables]
    with (
        tempfile.TemporaryDirectory(prefix="via_bench_rerun_") as folder,
        scratch_postgres_database() as url,
        CbsReplayServer() as server,
    ):
        for table_id in table_ids:
            server.set_modified(table_id, MODIFIED)
        root = Path(folder)
        fill_inbox(root / "data" / "inbox")
        env = pipeline_environment(
            root,
            VIA_CBS_SOURCE="live",
            VIA_CBS_CATALOG_URL=server.catalog_url,
            VIA_CBS_USE_HTTPS="false",
            VIA_WAREHOUSE_URL=url,
        )
        first = run_cli(root, env)
        first_requests = Counter((r.table_id, r.entity) for r in server.requests)
        if first.returncode != 0:
            result.add("first run", f"FAILED (exit {first.returncode})", "succeeds", False)
            result.details += ["```", first.output_tail, "```"]
            return result

        rerun_walls: list[float] = []
        worst_metadata: Counter[str] = Counter()
        worst_data: Counter[str] = Counter()
        rewritten: dict[str, tuple[int, int, int]] = {}
        appended: dict[str, int] = {}
        statuses = []
        for _ in range(reruns):
            before = settled_counters(url)
            server.reset_log()
            measurement = run_cli(root, env)
            time.sleep(0.5)  # the server logs an answer after sending it
            requests = server.requests
            after = settled_counters(url)
            statuses.append(measurement.returncode)
            rerun_walls.append(measurement.wall_seconds)
            metadata = Counter(r.table_id for r in requests if r.entity != "TypedDataSet")
            data = Counter(r.table_id for r in requests if r.entity == "TypedDataSet")
            for table_id in table_ids:
                worst_metadata[table_id] = max(worst_metadata[table_id], metadata[table_id])
                worst_data[table_id] = max(worst_data[table_id], data[table_id])
            for table, delta in changes(before, after).items():
                if table in APPEND_ONLY and delta[1] == delta[2] == 0:
                    appended[table] = max(appended.get(table, 0), delta[0])
                else:
                    old = rewritten.get(table, (0, 0, 0))
                    rewritten[table] = (
                        max(old[0], delta[0]),
                        max(old[1], delta[1]),
                        max(old[2], delta[2]),
                    )

    result.add(
        "first run (live CBS from the replay server, PostgreSQL)", f"{first.wall_seconds:.1f} s"
    )
    result.add(f"no-change rerun wall time ({reruns}x)", spread(rerun_walls))
    result.add(
        "reruns that succeeded",
        f"{statuses.count(0)} of {len(statuses)}",
        "all",
        statuses.count(0) == len(statuses),
    )
    most_metadata = max(worst_metadata.values(), default=0)
    result.add(
        "CBS metadata requests per table in a rerun (most)",
        ", ".join(f"{t}: {worst_metadata[t]}" for t in table_ids),
        "<= 1 per table",
        most_metadata <= 1,
    )
    result.add(
        "CBS data requests (TypedDataSet) in a rerun",
        ", ".join(f"{t}: {worst_data[t]}" for t in table_ids),
        "0",
        sum(worst_data.values()) == 0,
    )
    rows_rewritten = sum(sum(delta) for delta in rewritten.values())
    result.add(
        "warehouse rows inserted + updated + deleted in a rerun",
        f"{rows_rewritten:,} in {len(rewritten)} table(s)"
        + (f"; appended to the check log: {sum(appended.values()):,}" if appended else ""),
        "0",
        rows_rewritten == 0,
    )
    result.details += [
        f"Replay server with the bundled snapshot (Modified {MODIFIED}), scratch PostgreSQL database, "
        f"{load_conditions()}.",
        "",
        "Requests in the first run: "
        + ", ".join(
            f"{table}/{entity or '(service)'}: {count}"
            for (table, entity), count in sorted(first_requests.items())
        ),
        "",
        "Rows written by a no-change rerun (most over the reruns; PostgreSQL n_tup_ins / n_tup_upd / n_tup_del):",
        "",
        "| table | inserted | updated | deleted |",
        "|---|---:|---:|---:|",
    ]
    for table, (inserted, updated, deleted) in sorted(rewritten.items()):
        result.details.append(f"| {table} | {inserted:,} | {updated:,} | {deleted:,} |")
    for table, inserted in sorted(appended.items()):
        result.details.append(f"| {table} (append-only log) | {inserted:,} | 0 | 0 |")
    if not rewritten and not appended:
        result.details.append("| (none) | 0 | 0 | 0 |")
    if rerun_walls:
        result.details.append(
            f"\nMedian rerun {statistics.median(rerun_walls):.1f} s vs first run {first.wall_seconds:.1f} s."
        )
    return result
