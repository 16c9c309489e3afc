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
