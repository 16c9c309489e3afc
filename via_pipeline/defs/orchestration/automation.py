"""What holds for every asset of a domain: declarative automation and freshness policies.

Applied in via_pipeline/definitions.py with Definitions.map_asset_specs, so the domain modules
stay free of scheduling concerns. A condition or policy an asset sets itself is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cache

import dagster as dg

from via_pipeline.core.settings.orchestration import OrchestrationConfig, load_orchestration_config

# Groups rebuilt by automation when their inputs change: the monitor tables follow cbs.*, the
# letter tables follow monitor.* and partners.*. CBS itself follows the weekly schedule, partner
# files the inbox sensor.
AUTOMATED_GROUPS = frozenset({"monitor", "letter"})
CBS_FRESHNESS_GROUPS = frozenset({"cbs"})
LETTER_GROUPS = frozenset({"letter"})

# A blocking check that failed on an input means the input is not fit to build on: wait until
# it is fixed and rematerialised instead of spreading it.
UPSTREAM_BLOCKING_CHECK_FAILED = dg.AutomationCondition.any_deps_match(
    dg.AutomationCondition.any_checks_match(
        dg.AutomationCondition.check_failed(), blocking_only=True
    )
).with_label("any_deps_blocking_check_failed")

# Eager: materialise when missing or when an input was updated, never while an input is
# missing or running; for reporting-year assets only the running year's partition.
REBUILD_WHEN_INPUTS_CHANGED = (
    dg.AutomationCondition.eager() & ~UPSTREAM_BLOCKING_CHECK_FAILED
).with_label("rebuild when inputs changed and their blocking checks passed")


@cache
def orchestration_config() -> OrchestrationConfig:
    """config/orchestration.yaml, parsed once per process (policies, schedules and sensors share it)."""
    return load_orchestration_config()


def cbs_freshness_policy(config: OrchestrationConfig) -> dg.FreshnessPolicy:
    """CBS data not refreshed for cbs_warn_after_days warns, for cbs_fail_after_days fails."""
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(days=config.cbs_fail_after_days),
        warn_window=timedelta(days=config.cbs_warn_after_days),
    )


def letter_freshness_policy(config: OrchestrationConfig) -> dg.FreshnessPolicy:
    """The letter must be built within letter_build_window_days before the yearly deadline.

    Dagster evaluates a partitioned asset on its latest materialisation of any partition; the
    yearly build materialises the running year, so in practice this is that year's letter.
    """
    return dg.FreshnessPolicy.cron(
        deadline_cron=config.letter_deadline_cron,
        lower_bound_delta=timedelta(days=config.letter_build_window_days),
        timezone=config.timezone,
    )


def apply_orchestration_policies(
    config: OrchestrationConfig | None = None,
) -> Callable[[dg.AssetSpec], dg.AssetSpec]:
    """The function for map_asset_specs: automation and freshness by the asset's group."""
    config = config or orchestration_config()
    cbs_policy = cbs_freshness_policy(config)
    letter_policy = letter_freshness_policy(config)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        group = spec.group_name or ""
        if group in AUTOMATED_GROUPS and spec.automation_condition is None:
            spec = spec.replace_attributes(automation_condition=REBUILD_WHEN_INPUTS_CHANGED)
        if group in CBS_FRESHNESS_GROUPS:
            spec = dg.apply_freshness_policy(spec, cbs_policy, overwrite_existing=False)
        if group in LETTER_GROUPS:
            spec = dg.apply_freshness_policy(spec, letter_policy, overwrite_existing=False)
        return spec

    return apply
