"""CLI processes for the end-to-end tests that run several at once (or kill one)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "via_pipeline.cli"]
# Keeps a warehouse write lease as run OTHER_RUN until a line arrives on stdin.
LEASE_HOLDER = (
    "import sys; from via_pipeline.core.runs.lease import write_lease; "
    "from via_pipeline.core.warehouse import WarehouseStore; "
    "store = WarehouseStore(sys.argv[1]); "
    "lease = write_lease(store, sys.argv[2], 0); lease.__enter__(); "
    "print('ready', flush=True); sys.stdin.readline(); lease.__exit__(None, None, None)"
)
OTHER_RUN = "3f24ab12-5c4a-4ad9-99aa-1aaee756398d"


def cli_env(tmp_path: Path, warehouse_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "VIA_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "VIA_CBS_SOURCE": "snapshot",
        **extra,
    }
    if warehouse_url:
        env["VIA_WAREHOUSE_URL"] = warehouse_url
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)


class CliProcess:
    """A CLI command running in the background; its stdout lines collected as they come."""

    def __init__(self, *args: str, env: dict[str, str], command: list[str] | None = None) -> None:
        self.process = subprocess.Popen(
            [*(command or CLI), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """The first stdout line containing `text`; fails the test after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = next((line for line in list(self.lines) if text in line), None)
            if found is not None:
                return found
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"no line with {text!r}; got:\n" + "\n".join(self.lines))

    def send_line(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 300) -> tuple[int, str, str]:
        """Exit code, stdout and stderr once it has ended."""
        code = self.process.wait(timeout)
        self._reader.join(10)
        assert self.process.stderr is not None
        return code, "\n".join(self.lines), self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def lease_holder(warehouse_url: str, run_id: str = OTHER_RUN) -> CliProcess:
    """A process holding the warehouse write lease as `run_id` until send_line()."""
    holder = CliProcess(
        warehouse_url, run_id, env=dict(os.environ), command=[sys.executable, "-c", LEASE_HOLDER]
    )
    holder.wait_for("ready", timeout=60)
    return holder


def duckdb_lock_holder(path: Path) -> CliProcess:
    """A plain process with the DuckDB file open (a notebook, a BI tool), until send_line()."""
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = CliProcess(
        str(path),
        env=dict(os.environ),
        command=[
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "sys.stdin.readline()",
        ],
    )
    holder.wait_for("ready", timeout=60)
    return holder
