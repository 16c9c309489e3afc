"""Runs the via-pipeline CLI while recording resident memory over time, for peak-by-phase reports.

`python -m benchmarks.phase_probe SAMPLES -- run --year 2023`: a thread writes `t rss_kib` every
20 ms to SAMPLES, and marks (`mark t name start|end`) when Great Expectations is imported and
a suite is validated. bench_full_run lays the Dagster event log's step windows over the samples.
Product code is not changed: the probe wraps two module attributes of core.quality.expectations.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

INTERVAL_S = 0.02
EXPECTATIONS = "via_pipeline.core.quality.expectations"
GREAT_EXPECTATIONS = "great_expectations"


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Recorder:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def write(self, line: str) -> None:
        with self.lock:
            self.out.write(line + "\n")

    def sample(self) -> None:
        while not self.stopped.is_set():
            self.write(f"{time.time():.3f} {_status_kib('VmRSS')}")
            self.stopped.wait(INTERVAL_S)

    def marked(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.write(f"mark {time.time():.3f} {name} start")
            try:
                return function(*args, **kwargs)
            finally:
                self.write(f"mark {time.time():.3f} {name} end {_status_kib('VmRSS')}")

        return wrapper


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Marks the import of great_expectations and wraps core.quality.expectations when the run first
    imports them (importing them here would load pandas at start and blur the start phase)."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.waiting = {GREAT_EXPECTATIONS, EXPECTATIONS}

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in self.waiting:
            return None
        self.waiting.discard(name)
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if self.waiting:
                sys.meta_path.insert(0, self)
        loader = spec.loader if spec else None
        if spec is None or loader is None:
            return spec
        exec_module, recorder = loader.exec_module, self.recorder
        if name == GREAT_EXPECTATIONS:
            loader.exec_module = recorder.marked("ge_import", exec_module)  # type: ignore[method-assign]
            return spec

        def patched(module: Any) -> None:
            exec_module(module)
            # Module globals validate_frame looks up on each call: wrapping them marks every
            # suite, whoever imported validate_frame.
            module._ephemeral_context = recorder.marked("ge_context", module._ephemeral_context)
            module._validate = recorder.marked("validation", module._validate)

        loader.exec_module = patched  # type: ignore[method-assign]
        return spec


def main(argv: list[str]) -> int:
    samples, cli_args = Path(argv[0]), argv[argv.index("--") + 1 :]
    with samples.open("w", encoding="utf-8") as out:
        recorder = Recorder(out)
        recorder.write(f"mark {time.time():.3f} process start")
        thread = threading.Thread(target=recorder.sample, daemon=True)
        thread.start()
        sys.meta_path.insert(0, _PatchOnImport(recorder))
        from via_pipeline.cli import main as cli_main

        recorder.write(f"mark {time.time():.3f} cli start")
        code: int = 1
        try:
            code = cli_main(cli_args) or 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
        finally:
            recorder.stopped.set()
            thread.join()
            recorder.write(f"hwm {_status_kib('VmHWM')}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
