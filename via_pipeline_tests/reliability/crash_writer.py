"""A warehouse writer run as a child process, so a test can SIGKILL it in the middle of a write.

    python -m via_pipeline_tests.reliability.crash_writer URL VERSION ROWS MODE

MODE: `write` (replace cbs.observations and exit), `pause` (replace inside a transaction, print
WRITTEN and hang before the commit), `hang-after-commit` (commit, print COMMITTED and hang with
the DuckDB database still open, so the change lives only in the write-ahead log).
The rows of a VERSION are a pure function of (VERSION, ROWS), so two runs write the same data.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from via_pipeline.core.warehouse import WarehouseStore

TABLE = "cbs.observations"


def observation_frame(version: int, rows: int) -> pd.DataFrame:
    """ROWS observations tagged with VERSION in measure_title, values depending on VERSION."""
    index = np.arange(rows)
    return pd.DataFrame(
        {
            "table_id": "85456NED",
            "period_code": [f"{2000 + i % 25}JJ00" for i in range(rows)],
            "year": 2000 + index % 25,
            "provisional": index % 7 == 0,
            "population_group_key": [f"G{i // 25:07d}" for i in range(rows)],
            "population_group_title": "groep",
            "measure_key": "M001",
            "measure_title": f"v{version}",
            "unit": "%",
            "value": (index % 1000) / 10.0 + version,
        }
    )


def main(argv: list[str]) -> int:
    url, version, rows, mode = argv[0], int(argv[1]), int(argv[2]), argv[3]
    store = WarehouseStore(url)
    store.migrate()
    frame = observation_frame(version, rows)
    print("READY", flush=True)
    if mode == "write":
        store.replace(TABLE, frame)
        print("COMMITTED", flush=True)
    elif mode == "pause":
        with store.transaction() as conn:
            store.replace(TABLE, frame, conn=conn)
            print("WRITTEN", flush=True)
            time.sleep(600)
    elif mode == "hang-after-commit":
        # A second open connection keeps the DuckDB instance alive, so closing the writer's
        # connection does not checkpoint: the committed rows are only in the .wal file.
        with store.engine.connect() as keep_open:
            keep_open.exec_driver_sql("SELECT 1")
            store.replace(TABLE, frame)
            print("COMMITTED", flush=True)
            time.sleep(600)
    else:
        raise SystemExit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
