"""Loading the code location stays light: every run worker and UI reload imports it."""

import subprocess
import sys

HEAVY_MODULES = ("pandas", "sqlalchemy", "great_expectations", "matplotlib", "docx", "openpyxl")


def test_definitions_import_no_heavy_libraries() -> None:
    probe = (
        "import sys, via_pipeline.definitions; "
        f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


# Counts every file opened while the code location loads (after dagster itself is imported).
OPEN_PROBE = """
import builtins, io, sys
import dagster
opened = []
real_open = io.open
def counting_open(file, *args, **kwargs):
    opened.append(str(file))
    return real_open(file, *args, **kwargs)
builtins.open = io.open = counting_open
import via_pipeline.definitions
builtins.open = io.open = real_open
print("\\n".join(opened))
"""


def test_definitions_import_reads_only_orchestration_yaml_once() -> None:
    """Schedules and freshness need config/orchestration.yaml; no other file (pyproject.toml,
    other config, every installed package's entry points) is read to build the graph."""
    result = subprocess.run(
        [sys.executable, "-c", OPEN_PROBE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    opened = [line for line in result.stdout.splitlines() if not line.endswith(".pyc")]
    assert [path.rsplit("/", 2)[-2:] for path in opened] == [["config", "orchestration.yaml"]]


def test_alert_webhook_timeout_default_matches_core() -> None:
    from via_pipeline.core.runs.alerts import DEFAULT_TIMEOUT_SECONDS
    from via_pipeline.defs.orchestration.resources import AlertWebhook

    assert AlertWebhook().timeout_seconds == DEFAULT_TIMEOUT_SECONDS == 5.0
