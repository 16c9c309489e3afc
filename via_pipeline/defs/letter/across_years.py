"""Progress across years: what became of last year's actions, per action, theme and partner,
and the agenda as a whole. Thin: the year's partition -> via_pipeline.core.letter.across_years.
"""

from collections.abc import Iterator

import dagster as dg

from via_pipeline.core.letter.check_names import ACTION_PROGRESS_CHECK
from via_pipeline.core.letter.config import load_themes
from via_pipeline.core.settings.environment import load_settings
from via_pipeline.defs.letter.assets import (
    ACTION_PROGRESS_KEY,
    AGENDA_PROGRESS_KEY,
    PARTNERS_ACTIONS_KEY,
    PROGRESS_MOVEMENTS_KEY,
    suite_check,
)
from via_pipeline.defs.metadata import file_metadata, table_metadata
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline.defs.warehouse.resources import Warehouse

KINDS = {"duckdb", "postgres", "pandas"}
OWNERS = ["team:via-data"]


@dg.multi_asset(
    name="letter_progress_across_years",
    group_name="letter",
    specs=[
        dg.AssetSpec(
            ACTION_PROGRESS_KEY,
            deps=[PARTNERS_ACTIONS_KEY],
            kinds=KINDS,
            owners=OWNERS,
            description=(
                "One row per partner action reported in the reporting year or the year before, "
                "matched on (partner_id, actie_id): both statuses, the kind of movement (new, "
                "continued, advanced, completed, stopped, not reported again, ...), the latest "
                "theme and title, people and employers reached in both years. A partner without "
                "a file in one of the years is marked as not reported. A rerun replaces the year."
            ),
        ),
        dg.AssetSpec(
            PROGRESS_MOVEMENTS_KEY,
            deps=[PARTNERS_ACTIONS_KEY],
            kinds=KINDS,
            owners=OWNERS,
            description=(
                "Counts of each movement per theme of the letter and per partner, with the "
                "letter's Dutch sentence per theme (config/action_progress.yaml). A rerun "
                "replaces the year."
            ),
        ),
        dg.AssetSpec(
            AGENDA_PROGRESS_KEY,
            deps=[PARTNERS_ACTIONS_KEY],
            kinds=KINDS,
            owners=OWNERS,
            description=(
                "The agenda as a whole from its first year (config) to the reporting year: per "
                "theme, every action ever reported by its last reported status. A rerun replaces "
                "the year."
            ),
        ),
    ],
    partitions_def=reporting_year_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            ACTION_PROGRESS_CHECK,
            asset=ACTION_PROGRESS_KEY,
            description="One row per partner action; a known movement; a status only for a year "
            "in which the partner sent a file.",
        )
    ],
)
def letter_progress_across_years(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Compare the reporting year's partner actions with the year before; write the three letter
    tables and quality.action_warnings in one transaction, and a warnings file per partner file
    with warnings (a *waarschuwing*: the file stays accepted) under feedback/."""
    from via_pipeline.core.letter.across_years.tables import (
        ACTION_PROGRESS_TABLE,
        ACTION_WARNINGS_TABLE,
        AGENDA_PROGRESS_TABLE,
        PROGRESS_MOVEMENTS_TABLE,
        write_progress_tables,
    )
    from via_pipeline.core.letter.across_years.warnings import write_warning_files
    from via_pipeline.core.letter.across_years.wording import load_progress_wording
    from via_pipeline.core.letter.quality import (
        ACTION_PROGRESS_EXPECTATIONS,
        action_progress_for_checks,
    )
    from via_pipeline.core.partners.registry import load_partners

    year = int(context.partition_key)
    wording = load_progress_wording()
    tables = write_progress_tables(
        warehouse.migrated_store(),
        load_themes(),
        [partner.partner_id for partner in load_partners()],
        wording,
        year,
    )
    files = write_warning_files(load_settings().feedback_dir, tables.warnings)
    if not tables.warnings.empty:
        context.log.warning(
            f"{len(tables.warnings)} warning(s) on partner files of {year} (title changed or "
            f"status backwards): see {ACTION_WARNINGS_TABLE} and the _waarschuwingen files"
        )
    themes = tables.movements[tables.movements["scope"] == "theme"]
    per_programme = {
        f"actions_{code}": int(count)
        for code, count in tables.action_progress.groupby("programme").size().items()
    }
    yield dg.MaterializeResult(
        asset_key=ACTION_PROGRESS_KEY,
        metadata=table_metadata(
            ACTION_PROGRESS_TABLE,
            tables.action_progress,
            reporting_year=year,
            warnings=len(tables.warnings),
            **per_programme,
            **file_metadata(files),
        ),
    )
    yield dg.MaterializeResult(
        asset_key=PROGRESS_MOVEMENTS_KEY,
        metadata=table_metadata(
            PROGRESS_MOVEMENTS_TABLE,
            tables.movements,
            reporting_year=year,
            sentences=dg.MetadataValue.md(
                "\n\n".join(
                    f"**{p} / {k}**: {s}"
                    for p, k, s in zip(
                        themes["programme"], themes["scope_key"], themes["sentence_nl"], strict=True
                    )
                )
            ),
        ),
    )
    yield suite_check(
        context,
        warehouse,
        ACTION_PROGRESS_KEY,
        ACTION_PROGRESS_CHECK,
        action_progress_for_checks(tables.action_progress),
        ACTION_PROGRESS_EXPECTATIONS,
        dg.AssetCheckSeverity.WARN,
    )
    yield dg.MaterializeResult(
        asset_key=AGENDA_PROGRESS_KEY,
        metadata=table_metadata(AGENDA_PROGRESS_TABLE, tables.agenda, reporting_year=year),
    )
