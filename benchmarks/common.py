"""What every benchmark shares: sizes, timing in fresh processes, results, machine facts.

Timings on a shared machine are noisy, so candidates are interleaved (A B A B ...) within one
run and compared by the ratio of their medians, never against numbers from another run.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
POSTGRES_SERVER_VARIABLE = "VIA_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class BenchSize:
    """How big a benchmark run is: `full` for the numbers, `tiny` for CI's does-it-work run."""

    name: str
    repeat: int
    bulk_rows: int
    to_sql_rows: int
    submission_files: int
    submission_rows: int
    submission_small_files: int
    cbs_cells: int
    full_run_repeat: int

    @property
    def is_tiny(self) -> bool:
        return self.name == "tiny"


SIZES = {
    "full": BenchSize(
        name="full",
        repeat=7,
        bulk_rows=1_000_000,
        to_sql_rows=100_000,
        submission_files=2_000,
        submission_rows=1_000_000,
        submission_small_files=500,
        cbs_cells=120_000,
        full_run_repeat=5,
    ),
    # The full sizes where a run of each is long (to_sql, 2,000 files) cut to what a busy
    # 2-core machine finishes in about 40 minutes; the report names the size of each result.
    "medium": BenchSize(
        name="medium",
        repeat=5,
        bulk_rows=1_000_000,
        to_sql_rows=100_000,
        submission_files=600,
        submission_rows=300_000,
        submission_small_files=150,
        cbs_cells=120_000,
        full_run_repeat=3,
    ),
    "tiny": BenchSize(
        name="tiny",
        repeat=1,
        bulk_rows=2_000,
        to_sql_rows=500,
        submission_files=6,
        submission_rows=600,
        submission_small_files=3,
        cbs_cells=2_000,
        full_run_repeat=1,
    ),
}


def size_from_environment(default: str = "full") -> BenchSize:
    """BENCH_SIZE=tiny|full (the Makefile and the smoke test set it)."""
    name = (os.environ.get("BENCH_SIZE") or default).strip().lower()
    if name not in SIZES:
        raise SystemExit(f"BENCH_SIZE: expected one of {', '.join(SIZES)}, got {name!r}")
    return SIZES[name]


@dataclass(frozen=True)
class Measurement:
    """One line of the results table. `met` is None where there is no target."""

    benchmark: str
    metric: str
    value: str
    target: str = ""
    met: bool | None = None


@dataclass
class BenchResult:
    """What one benchmark reports: table lines, plus Markdown details (profiles, per-asset times)."""

    name: str
    title: str
    measurements: list[Measurement] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, metric: str, value: str, target: str = "", met: bool | None = None) -> None:
        self.measurements.append(Measurement(self.name, metric, value, target, met))


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def spread(values: Sequence[float]) -> str:
    """`median (min-max, n=N)` in seconds, to show how noisy a timing was."""
    return f"{median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"


def interleave(
    candidates: Mapping[str, Callable[[], float | None]],
    repeat: int,
    *,
    setup: Callable[[str], None] | None = None,
) -> dict[str, list[float]]:
    """Run the candidates round-robin `repeat` times; each returns its own seconds or None to be timed whole.

    Interleaving spreads the load of other processes evenly over the candidates.
    """
    timings: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, candidate in candidates.items():
            if setup is not None:
                setup(name)
            started = time.perf_counter()
            measured = candidate()
            elapsed = time.perf_counter() - started
            timings[name].append(measured if measured is not None else elapsed)
    return timings


def run_process(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    check: bool = True,
    timeout: float = 1800,
) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        list(command),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {completed.returncode}:\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return completed


def time_process(command: Sequence[str], *, env: Mapping[str, str] | None = None) -> float:
    started = time.perf_counter()
    run_process(command, env=env)
    return time.perf_counter() - started


def clean_environment(**overrides: str) -> dict[str, str]:
    """The current environment without VIA_* settings or proxies, plus `overrides`.

    Bytecode is cached as in a deployment (in a folder of its own, not the checkout): with
    PYTHONDONTWRITEBYTECODE, as on some CI machines, every process would compile our modules
    from source while Dagster's come precompiled from site-packages."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("VIA_")
        and name.lower() not in ("http_proxy", "https_proxy", "all_proxy")
        and name != "PYTHONDONTWRITEBYTECODE"
    }
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "via_bench_pycache"))
    env.update(overrides)
    return env


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_conditions() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"
    )


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_total() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return "unknown"


VERSIONED_PACKAGES = (
    "dagster",
    "pandas",
    "numpy",
    "pyarrow",
    "SQLAlchemy",
    "duckdb",
    "duckdb-engine",
    "psycopg2-binary",
    "great-expectations",
    "cbsodata",
)


def machine_facts() -> list[tuple[str, str]]:
    versions = []
    for package in VERSIONED_PACKAGES:
        try:
            versions.append(f"{package} {importlib_metadata.version(package)}")
        except importlib_metadata.PackageNotFoundError:
            continue
    facts = [
        ("machine", f"{_cpu_model()}, {os.cpu_count()} CPUs, {_memory_total()} RAM"),
        ("system", f"{platform.system()} {platform.release()}"),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(versions)),
        ("postgresql", postgres_server_version()),
    ]
    return facts


def postgres_server_url() -> str:
    return os.environ.get(POSTGRES_SERVER_VARIABLE) or DEFAULT_POSTGRES_SERVER


def postgres_server_version() -> str:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(
            postgres_server_url(), poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 5}
        )
        with engine.connect() as conn:
            version = str(conn.exec_driver_sql("SHOW server_version").scalar_one())
        engine.dispose()
        return f"PostgreSQL {version}"
    except Exception as error:  # a missing server is reported, not fatal
        return f"unreachable ({type(error).__name__})"


@contextlib.contextmanager
def scratch_postgres_database(prefix: str = "via_bench") -> Iterator[str]:
    """A new PostgreSQL database on the benchmark server, dropped afterwards; yields its URL."""
    from via_pipeline_tests.support.postgres import scratch_database

    with scratch_database(postgres_server_url(), prefix) as url:
        yield url


def postgres_available() -> bool:
    return not postgres_server_version().startswith("unreachable")


def format_ratio(value: float) -> str:
    return f"{value:.2f}x"


def format_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GiB"


def profile_text(function: Callable[[], object], *, limit_lines: int = 60) -> str:
    """A pyinstrument call tree of one call of `function` (text), or why there is none."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "(pyinstrument is not installed: `pip install -c constraints.txt pyinstrument`)"
    profiler = Profiler(interval=0.001)
    profiler.start()
    try:
        function()
    finally:
        profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[:limit_lines])
