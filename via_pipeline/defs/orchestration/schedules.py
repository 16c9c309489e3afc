"""The calendar: a weekly CBS change check and the yearly build ahead of the letter.

Times come from config/orchestration.yaml (timezone, weekday, month), read when the code
location loads; a change there takes effect when the code location is reloaded.
"""

from __future__ import annotations

import dagster as dg

from via_pipeline.defs.jobs import cbs_refresh_job, via_yearly_build_job
from via_pipeline.defs.orchestration.automation import orchestration_config
from via_pipeline.defs.partitions import reporting_year_partitions

ORCHESTRATION = orchestration_config()

# CBS assets download a table again only when TableInfos.Modified changed, so a weekly tick
# is cheap when nothing changed and picks up a revision within a week when something did.
cbs_refresh_schedule = dg.ScheduleDefinition(
    name="cbs_refresh_schedule",
    job=cbs_refresh_job,
    cron_schedule=ORCHESTRATION.cbs_change_check_cron,
    execution_timezone=ORCHESTRATION.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Weekly: refresh the CBS tables whose Modified date changed, then monitor.*",
)


def reporting_year_for_tick(context: dg.ScheduleEvaluationContext) -> str:
    """The running year at the tick, in the schedule's timezone: the year the letter reports on."""
    return str(context.scheduled_execution_time.year)


@dg.schedule(
    name="via_yearly_build_schedule",
    job=via_yearly_build_job,
    cron_schedule=ORCHESTRATION.yearly_build_cron,
    execution_timezone=ORCHESTRATION.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Yearly, ahead of the letter: the whole build for the running reporting year.",
)
def via_yearly_build_schedule(
    context: dg.ScheduleEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    year = reporting_year_for_tick(context)
    known = reporting_year_partitions.get_partition_keys(
        current_time=context.scheduled_execution_time
    )
    if year not in known:
        return dg.SkipReason(
            f"reporting year {year} is not a partition (known: {', '.join(known)})"
        )
    # The run key makes a second tick for the same year (a daemon restart) a no-op.
    return dg.RunRequest(run_key=f"yearly_build_{year}", partition_key=year)
