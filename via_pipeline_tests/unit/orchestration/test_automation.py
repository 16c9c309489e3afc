"""Guards declarative automation and freshness: which assets rebuild after which inputs changed
(and not after a failed blocking check, nor when nothing changed), and which freshness policy
each group gets from config/orchestration.yaml."""

from datetime import timedelta

import dagster as dg
import pytest

from via_pipeline.core.settings.orchestration import load_orchestration_config
from via_pipeline.defs.orchestration.automation import (
    REBUILD_WHEN_INPUTS_CHANGED,
    apply_orchestration_policies,
)


class UpstreamConfig(dg.Config):
    check_passes: bool = True


@dg.asset(
    key=["cbs", "observations"],
    group_name="cbs",
    check_specs=[
        dg.AssetCheckSpec("values_within_bounds", asset=["cbs", "observations"], blocking=True)
    ],
)
def observations(config: UpstreamConfig) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(check_name="values_within_bounds", passed=config.check_passes)
        ]
    )


@dg.asset(
    key=["monitor", "indicators"],
    group_name="monitor",
    deps=[observations],
    automation_condition=REBUILD_WHEN_INPUTS_CHANGED,
)
def indicators() -> None:
    return None


def materialize_observations(instance: dg.DagsterInstance, check_passes: bool) -> None:
    dg.materialize(
        [observations],
        instance=instance,
        run_config=dg.RunConfig({"cbs__observations": UpstreamConfig(check_passes=check_passes)}),
        raise_on_error=False,
    )


def test_rebuilds_after_a_good_input_and_only_then() -> None:
    instance = dg.DagsterInstance.ephemeral()
    defs = dg.Definitions(assets=[observations, indicators])

    # Nothing materialised yet: the input is missing, so nothing is requested.
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert result.total_requested == 0

    # A new input that passed its blocking check: the indicators are rebuilt.
    materialize_observations(instance, check_passes=True)
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=result.cursor)
    assert result.total_requested == 1
    assert result.get_num_requested(indicators.key) == 1

    # Nothing new since that request: nothing is requested again.
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=result.cursor)
    assert result.total_requested == 0


def test_a_build_that_ran_both_asks_for_nothing_more() -> None:
    # After the yearly build (inputs and outputs in one run) automation must not rebuild again.
    instance = dg.DagsterInstance.ephemeral()
    defs = dg.Definitions(assets=[observations, indicators])
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    dg.materialize([observations, indicators], instance=instance)
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=result.cursor)
    assert result.total_requested == 0


def test_input_that_failed_its_blocking_check_is_not_built_on() -> None:
    instance = dg.DagsterInstance.ephemeral()
    defs = dg.Definitions(assets=[observations, indicators])
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance)

    materialize_observations(instance, check_passes=False)
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=result.cursor)
    assert result.total_requested == 0


def spec(group: str, **attributes: object) -> dg.AssetSpec:
    return dg.AssetSpec([group, "thing"], group_name=group, **attributes)  # type: ignore[arg-type]


def test_cbs_data_older_than_configured_is_flagged() -> None:
    config = load_orchestration_config()
    mapped = apply_orchestration_policies(config)(spec("cbs"))
    policy = mapped.freshness_policy
    assert isinstance(policy, dg.FreshnessPolicy)
    assert policy.fail_window.to_timedelta() == timedelta(days=config.cbs_fail_after_days)
    assert policy.warn_window is not None
    assert policy.warn_window.to_timedelta() == timedelta(days=config.cbs_warn_after_days)
    # CBS follows the weekly schedule, not automation.
    assert mapped.automation_condition is None


def test_letter_not_built_by_its_deadline_is_flagged() -> None:
    config = load_orchestration_config()
    mapped = apply_orchestration_policies(config)(spec("letter"))
    policy = mapped.freshness_policy
    assert policy is not None
    assert policy.deadline_cron == "0 0 1 12 *"  # type: ignore[attr-defined]
    assert policy.lower_bound_delta == timedelta(days=config.letter_build_window_days)  # type: ignore[attr-defined]
    assert policy.timezone == "Europe/Amsterdam"  # type: ignore[attr-defined]
    assert mapped.automation_condition is not None
    assert mapped.automation_condition.get_label() == REBUILD_WHEN_INPUTS_CHANGED.get_label()


@pytest.mark.parametrize("group", ["monitor", "letter"])
def test_monitor_and_letter_rebuild_automatically(group: str) -> None:
    mapped = apply_orchestration_policies()(spec(group))
    assert mapped.automation_condition is REBUILD_WHEN_INPUTS_CHANGED or (
        mapped.automation_condition is not None
        and mapped.automation_condition.get_label() == REBUILD_WHEN_INPUTS_CHANGED.get_label()
    )


def test_partner_assets_are_left_to_the_inbox_sensor() -> None:
    mapped = apply_orchestration_policies()(spec("partners"))
    assert mapped.automation_condition is None
    assert mapped.freshness_policy is None


def test_an_assets_own_choices_are_kept() -> None:
    own_condition = dg.AutomationCondition.on_cron("0 7 * * *")
    own_policy = dg.FreshnessPolicy.time_window(fail_window=timedelta(days=2))
    mapped = apply_orchestration_policies()(
        spec("letter", automation_condition=own_condition, freshness_policy=own_policy)
    )
    assert mapped.automation_condition is own_condition
    assert mapped.freshness_policy == own_policy
