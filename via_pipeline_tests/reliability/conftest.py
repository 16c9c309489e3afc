"""Fixtures for the reliability suite: child processes that write to the warehouse and get killed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from via_pipeline.core.settings.paths import REPO_ROOT
from via_pipeline_tests.support.postgres import scratch_database


class Child:
    """A Python child process whose stdout lines the test waits for."""

    def __init__(self, args: list[str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def wait_for(self, word: str, timeout: float = 60.0) -> None:
        """Block until the child prints `word` on a line of its own; fail with its stderr if it dies."""
        assert self.process.stdout is not None
        while True:
            line = self.process.stdout.readline()
            if not line:
                self.process.wait(timeout)
                stderr = self.process.stderr.read() if self.process.stderr else ""
                pytest.fail(f"child ended (rc {self.process.returncode}) before {word!r}: {stderr}")
            if line.strip() == word:
                return

    def kill(self) -> int:
        self.process.kill()  # SIGKILL: no cleanup handlers, no rollback from the client side
        return self.process.wait(30)

    def finish(self, timeout: float = 120.0) -> tuple[int, str, str]:
        stdout, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, stdout, stderr


@pytest.fixture
def spawn() -> Iterator[type[Child]]:
    """Start children; any still running when the test ends are killed."""
    started: list[Child] = []

    class Tracked(Child):
        def __init__(self, args: list[str]) -> None:
            super().__init__(args)
            started.append(self)

    yield Tracked
    for child in started:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait(30)
        for stream in (child.process.stdout, child.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty warehouses on the same engine: the one under test and an undisturbed reference."""
    if request.param == "duckdb":
        yield (
            f"duckdb:///{tmp_path / 'warehouse.duckdb'}",
            f"duckdb:///{tmp_path / 'reference.duckdb'}",
        )
        return
    first = request.getfixturevalue("postgres_url")
    with scratch_database(first) as second:
        yield first, second
