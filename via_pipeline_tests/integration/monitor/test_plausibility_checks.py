"""Guards the plausibility checks as Dagster runs them, on both engines, with 82809NED served by
the replay server holding CBS's published figures (support/published.py): a jump added in the
test makes both checks' pages and the run output name it, as a warning that blocks nothing
(monitor.gaps is still built, the run succeeds); the published figures alone pass."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from via_pipeline.cli.check_lines import check_verdict, warning_summary
from via_pipeline.cli.instance import describe_event, print_run_summary
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline.defs.cbs.assets import cbs_tables_and_observations, monitor_indicators
from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.monitor.assets import monitor_gaps
from via_pipeline.defs.monitor.plausibility import (
    rates_within_plausible_bounds,
    year_to_year_moves_within_limits,
)
from via_pipeline.defs.warehouse.resources import Warehouse
from via_pipeline_tests.support.cbs_replay import CbsReplayServer
from via_pipeline_tests.support.cbs_tables import table_85456
from via_pipeline_tests.support.published import published_82809, set_cell, with_empty

MOVES = "year_to_year_moves_within_limits"
RATES = "rates_within_plausible_bounds"
JUMP_LINES = [
    "CBS 82809NED Werkloosheidspercentage, Totaal (hele bevolking 15 tot 75 jaar): "
    "2019 → 2020: 3,4 → 7,9 (4,5 procentpunten hoger in één jaar; meer dan 3,0 procentpunten)",
    "CBS 82809NED Werkloosheidspercentage, Totaal (hele bevolking 15 tot 75 jaar): "
    "2020 → 2021: 7,9 → 4,2 (3,7 procentpunten lager in één jaar; meer dan 3,0 procentpunten)",
]


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[CbsReplayServer]:
    with CbsReplayServer(with_empty(published_82809(), table_85456())) as server:
        monkeypatch.setenv("VIA_CBS_CATALOG_URL", server.catalog_url)
        monkeypatch.setenv("VIA_CBS_USE_HTTPS", "false")
        monkeypatch.setenv("VIA_CBS_SOURCE", "live")
        yield server


def run(
    store: WarehouseStore, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [
            cbs_tables_and_observations,
            monitor_indicators,
            monitor_gaps,
            year_to_year_moves_within_limits,
            rates_within_plausible_bounds,
        ],
        resources={
            "warehouse": Warehouse(url=store.url),
            "cbs": CbsStatLine(timeout_seconds=2.0, retries=1, backoff_seconds=0.01),
        },
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def evaluation(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    (found,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return found


def test_a_jump_warns_on_the_check_page_and_blocks_nothing(
    store: WarehouseStore, replay: CbsReplayServer
) -> None:
    set_cell(replay.recording, "Totaal", 2020, "Werkloosheidspercentage_21", 7.9)
    result = run(store)
    assert result.success
    moves = evaluation(result, MOVES)
    assert (moves.passed, moves.severity, moves.blocking) == (
        False,
        dg.AssetCheckSeverity.WARN,
        False,
    )
    assert moves.metadata["findings"].value == 2
    assert moves.metadata["warning_lines"].value == "\n".join(JUMP_LINES)
    page = moves.metadata["findings_table"].value
    assert "3,4 → 7,9" in page and "7,9 → 4,2" in page and "2019 → 2020" in page
    rates = evaluation(result, RATES)
    assert rates.passed and rates.metadata["findings_table"].value == "Geen bevindingen."
    # Nothing waits on a warning: the gaps are built from the same indicators.
    built = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "monitor/gaps" in built
    assert store.read("SELECT count(*) AS n FROM monitor.gaps").n.iloc[0] > 0
    recorded = store.read(
        "SELECT check_name, success, unexpected_count, details FROM quality.validation_results "
        "WHERE asset_key = 'monitor/indicators' ORDER BY check_name"
    )
    found = recorded[recorded.check_name == MOVES].iloc[0]
    assert (bool(found.success), int(found.unexpected_count)) == (False, 2)
    assert found.details == "; ".join(JUMP_LINES)
    assert bool(recorded[recorded.check_name == RATES].iloc[0].success)


def test_the_run_output_gives_one_warning_line_per_finding(
    store: WarehouseStore, replay: CbsReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    set_cell(replay.recording, "Totaal", 2020, "Werkloosheidspercentage_21", 7.9)
    instance = dg.DagsterInstance.ephemeral()
    result = run(store, instance)
    records = instance.get_records_for_run(result.run_id).records
    progress = [describe_event(record.event_log_entry, dg) for record in records]
    assert f"   check monitor/indicators {MOVES}: warning" in progress
    assert f"   check monitor/indicators {RATES}: passed" in progress
    print_run_summary(result, store)
    out = capsys.readouterr().out.splitlines()
    assert "check failed" not in "\n".join(out)
    start = out.index(f"warning: monitor/indicators {MOVES}:")
    assert out[start + 1 : start + 3] == [f"  {line}" for line in JUMP_LINES]
    assert len(out) == start + 3


def test_the_published_figures_pass(store: WarehouseStore, replay: CbsReplayServer) -> None:
    result = run(store)
    assert result.success
    for name in (MOVES, RATES):
        check = evaluation(result, name)
        assert check.passed, check.metadata
        assert check.metadata["findings"].value == 0
        assert check.metadata["warning_lines"].value == ""


def test_the_code_location_declares_both_on_monitor_indicators_non_blocking() -> None:
    from via_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    for name in (MOVES, RATES):
        spec = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey(["monitor", "indicators"]), name))
        assert spec.blocking is False
        assert spec.description and spec.description.startswith("Warning, not blocking: ")


def test_every_warning_check_is_a_warning_and_a_failed_error_check_stays_failed() -> None:
    """The run output's wording for any check: a WARN check without warning lines (the letter's
    suites) is named with a pointer to its page; an ERROR check that failed is FAILED, and left
    to the summary's `check failed:` line."""
    key = dg.AssetKey(["letter", "theme_progress"])
    warned = dg.AssetCheckEvaluation(
        asset_key=key,
        check_name="status_counts_add_up",
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
    )
    failed = dg.AssetCheckEvaluation(asset_key=key, check_name="blocking_one", passed=False)
    assert (check_verdict(warned), check_verdict(failed)) == ("warning", "FAILED")
    assert warning_summary([warned, failed]) == [
        "warning: letter/theme_progress status_counts_add_up (see the check's page)"
    ]
