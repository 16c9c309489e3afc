"""What the code location must contain, shared by the definitions test and the webserver test."""

from __future__ import annotations

import dagster as dg

# The asset keys of docs (design brief, "Asset keys and groups"), by group. Every one must exist
# once its domain is built; test_definitions.py reports the missing ones by name.
EXPECTED_ASSET_GROUPS: dict[tuple[str, ...], str] = {
    ("cbs", "tables"): "cbs",
    ("cbs", "observations"): "cbs",
    ("monitor", "indicators"): "monitor",
    ("monitor", "gaps"): "monitor",
    ("monitor", "trends"): "monitor",
    ("partners", "registry"): "partners",
    ("partners", "submissions"): "partners",
    ("partners", "actions"): "partners",
    ("partners", "rejections"): "partners",
    ("letter", "key_figures"): "letter",
    ("letter", "theme_progress"): "letter",
    ("letter", "partner_reporting"): "letter",
    ("letter", "annex"): "letter",
}

EXPECTED_JOBS = frozenset(
    {"via_yearly_build_job", "cbs_refresh_job", "partners_submission_job", "warehouse_migrate_job"}
)
EXPECTED_SCHEDULES = frozenset({"cbs_refresh_schedule", "via_yearly_build_schedule"})
EXPECTED_SENSORS = frozenset(
    {
        "via_run_failure_sensor",
        "letter_deadline_sensor",
        "default_automation_condition_sensor",
        "dead_runs_sensor",
        "via_run_records_sensor",
    }
)


def defined_asset_specs(defs: dg.Definitions) -> list[dg.AssetSpec]:
    """The assets the code location materialises (not the stand-ins for deps defined nowhere)."""
    graph = defs.resolve_asset_graph()
    return [
        spec for spec in defs.resolve_all_asset_specs() if graph.get(spec.key).is_materializable
    ]


def asset_groups(defs: dg.Definitions) -> dict[tuple[str, ...], str | None]:
    """Every materialisable asset key of the code location with its group."""
    return {tuple(spec.key.path): spec.group_name for spec in defined_asset_specs(defs)}


def asset_check_names(defs: dg.Definitions) -> dict[tuple[str, ...], set[str]]:
    """The check names of every asset that has checks."""
    checks: dict[tuple[str, ...], set[str]] = {}
    for check_key in defs.resolve_asset_graph().asset_check_keys:
        checks.setdefault(tuple(check_key.asset_key.path), set()).add(check_key.name)
    return checks
