"""The plan's one line per reason for rebuilding assets whose inputs did not change."""

from via_pipeline.cli.plan import BuildPlan, say_rebuilt

VERSIONS = {"monitor/gaps": "a", "monitor/trends": "b", "letter/key_figures": "c"}


def _said(plan: BuildPlan) -> list[str]:
    lines: list[str] = []
    say_rebuilt(plan, lines.append)
    return lines


def test_a_new_warehouse_is_one_line_for_every_asset() -> None:
    plan = BuildPlan(
        versions=VERSIONS,
        to_run=tuple(VERSIONS),
        unchanged={},
        rebuilt=dict.fromkeys(VERSIONS, "the warehouse is new"),
    )
    assert _said(plan) == ["the warehouse is new: rebuilding every asset"]


def test_table_reasons_name_their_assets() -> None:
    plan = BuildPlan(
        versions=VERSIONS,
        to_run=("monitor/gaps", "monitor/trends"),
        unchanged={"letter/key_figures": "3f24ab12-5c4a-4ad9-99aa-1aaee756398d"},
        rebuilt={
            "monitor/gaps": "the warehouse lacks monitor.gaps",
            "monitor/trends": "monitor.trends holds 0 rows where its last build wrote 96",
        },
    )
    assert _said(plan) == [
        "the warehouse lacks monitor.gaps: rebuilding monitor/gaps",
        "monitor.trends holds 0 rows where its last build wrote 96: rebuilding monitor/trends",
    ]


def test_nothing_rebuilt_says_nothing() -> None:
    plan = BuildPlan(versions=VERSIONS, to_run=(), unchanged=dict.fromkeys(VERSIONS, "r"))
    assert _said(plan) == []
