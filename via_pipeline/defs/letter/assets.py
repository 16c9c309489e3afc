"""Letter assets: what the progress letter quotes, per reporting year, ready to paste.

Thin: each asset takes its partition's year, calls via_pipeline.core.letter and reports
metadata. The annex renderers (python-docx, openpyxl, matplotlib) load only when it runs.
"""

from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.dutch import format_decimal
from via_pipeline.core.files.markdown import markdown_frame
from via_pipeline.core.letter.check_names import (
    KEY_FIGURES_CHECK,
    PARTNER_REPORTING_CHECK,
    REVISION_SIZE_CHECK,
    SENT_FILES_CHECK,
    THEME_PROGRESS_CHECK,
)
from via_pipeline.core.letter.config import KeyFigureConfig, load_key_figure_config, load_themes
from via_pipeline.core.settings.environment import load_settings
from via_pipeline.defs.letter.sent import (
    release_metadata,
    revision_size_check,
    sent_files_check,
)
from via_pipeline.defs.metadata import file_metadata, table_metadata
from via_pipeline.defs.partitions import reporting_year_partitions
from via_pipeline.defs.quality import check_result_from_suite
from via_pipeline.defs.warehouse.resources import Warehouse

if TYPE_CHECKING:
    import pandas as pd

    from via_pipeline.core.quality.expectations import Expectation

KEY_FIGURES_KEY = dg.AssetKey(["letter", "key_figures"])
THEME_PROGRESS_KEY = dg.AssetKey(["letter", "theme_progress"])
PARTNER_REPORTING_KEY = dg.AssetKey(["letter", "partner_reporting"])
ANNEX_KEY = dg.AssetKey(["letter", "annex"])
ACTION_PROGRESS_KEY = dg.AssetKey(["letter", "action_progress"])
PROGRESS_MOVEMENTS_KEY = dg.AssetKey(["letter", "progress_movements"])
AGENDA_PROGRESS_KEY = dg.AssetKey(["letter", "agenda_progress"])

CBS_TABLES_KEY = dg.AssetKey(["cbs", "tables"])
MONITOR_GAPS_KEY = dg.AssetKey(["monitor", "gaps"])
MONITOR_INDICATORS_KEY = dg.AssetKey(["monitor", "indicators"])
MONITOR_QUARTERLY_GAPS_KEY = dg.AssetKey(["monitor", "quarterly_gaps"])
PARTNERS_REGISTRY_KEY = dg.AssetKey(["partners", "registry"])
PARTNERS_SUBMISSIONS_KEY = dg.AssetKey(["partners", "submissions"])
PARTNERS_ACTIONS_KEY = dg.AssetKey(["partners", "actions"])


def suite_check(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    asset_key: dg.AssetKey,
    check_name: str,
    frame: "pd.DataFrame",
    expectations: "tuple[Expectation, ...]",
    severity: dg.AssetCheckSeverity,
) -> dg.AssetCheckResult:
    """Run the suite on the rows just written; the outcomes go to quality.validation_results."""
    from via_pipeline.core.quality.expectations import validate_frame

    return check_result_from_suite(
        warehouse.migrated_store(),
        context.run.run_id,
        check_name,
        validate_frame(frame, f"letter_{check_name}", expectations),
        asset_key,
        partition=context.partition_key,
        severity=severity,
    )


def programme_metadata(frame: "pd.DataFrame", column: str, name: str) -> dict[str, int]:
    """Per programme, the sum of a count column: `actions_via`, `actions_statushouders`; the
    plain `name` (all programmes) stays for the run page's history."""
    totals = frame.groupby("programme")[column].sum()
    return {
        name: int(frame[column].sum()),
        **{f"{name}_{code}": int(total) for code, total in totals.items()},
    }


def key_figures_markdown(frame: "pd.DataFrame", config: KeyFigureConfig) -> str:
    """The key figures as the run page shows them: statement (title and key), year, gap,
    sentence."""
    import pandas as pd

    if frame.empty:
        return "_no key figures configured_"
    table = pd.DataFrame(
        {
            "kerncijfer": frame["figure_key"].map(config.figure_title),
            "code": frame["figure_key"],
            "jaar": frame["year"].astype(int),
            "verschil (pp)": [
                "n.b." if pd.isna(value) else format_decimal(float(value))
                for value in frame["value"]
            ],
            "zin": frame["text_nl"],
        }
    )
    return markdown_frame(table)


@dg.asset(
    key=KEY_FIGURES_KEY,
    group_name="letter",
    kinds={"duckdb", "postgres", "pandas"},
    owners=["team:via-data"],
    deps=[MONITOR_GAPS_KEY, MONITOR_INDICATORS_KEY, CBS_TABLES_KEY],
    partitions_def=reporting_year_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            KEY_FIGURES_CHECK,
            asset=KEY_FIGURES_KEY,
            blocking=True,
            description="Blocking: every sentence and source present, no signed number in prose, "
            "gaps within -100..100, one row per statement and year.",
        )
    ],
)
def letter_key_figures(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The letter's key-figure sentences (config/key_figures.yaml) for one reporting year.

    Grain: one row per statement and year quoted (baseline and latest), with the gap in
    percentage points (empty when CBS has not published that year: never filled in), the full
    Dutch sentence and its source (CBS table, title, Modified date, snapshot or live).
    Source: monitor.gaps, monitor.indicators (the years each table has) and cbs.tables.
    A rerun replaces the reporting year's rows.
    """
    from via_pipeline.core.letter.build import KEY_FIGURES_TABLE, write_key_figures
    from via_pipeline.core.letter.quality import KEY_FIGURE_EXPECTATIONS

    year = int(context.partition_key)
    config = load_key_figure_config()
    frame = write_key_figures(warehouse.migrated_store(), config, year)
    return dg.MaterializeResult(
        metadata=table_metadata(
            KEY_FIGURES_TABLE,
            frame,
            reporting_year=year,
            key_figures=dg.MetadataValue.md(key_figures_markdown(frame, config)),
            unavailable_figures=int(frame["value"].isna().sum()),
            **release_metadata(warehouse.migrated_store(), year),
        ),
        check_results=[
            suite_check(
                context,
                warehouse,
                KEY_FIGURES_KEY,
                KEY_FIGURES_CHECK,
                frame,
                KEY_FIGURE_EXPECTATIONS,
                dg.AssetCheckSeverity.ERROR,
            )
        ],
    )


@dg.asset(
    key=THEME_PROGRESS_KEY,
    group_name="letter",
    kinds={"sql", "duckdb", "postgres"},
    owners=["team:via-data"],
    deps=[PARTNERS_ACTIONS_KEY],
    partitions_def=reporting_year_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            THEME_PROGRESS_CHECK,
            asset=THEME_PROGRESS_KEY,
            description="Actions by status add up to the actions; one row per theme.",
        )
    ],
)
def letter_theme_progress(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Progress per theme of the letter in one reporting year: partners reporting, actions by
    status (gepland, lopend, afgerond, gestopt), people and employers reached.

    Grain: one row per theme of config/themes.yaml (zeros when nothing was reported). Source:
    partners.actions through sql/build_letter_theme_progress.sql. A rerun replaces the year.
    """
    from via_pipeline.core.letter.build import THEME_PROGRESS_TABLE, write_theme_progress
    from via_pipeline.core.letter.quality import (
        THEME_PROGRESS_EXPECTATIONS,
        theme_progress_for_checks,
    )

    year = int(context.partition_key)
    frame = write_theme_progress(warehouse.migrated_store(), load_themes(), year)
    return dg.MaterializeResult(
        metadata=table_metadata(
            THEME_PROGRESS_TABLE,
            frame,
            reporting_year=year,
            **programme_metadata(frame, "action_count", "actions"),
        ),
        check_results=[
            suite_check(
                context,
                warehouse,
                THEME_PROGRESS_KEY,
                THEME_PROGRESS_CHECK,
                theme_progress_for_checks(frame),
                THEME_PROGRESS_EXPECTATIONS,
                dg.AssetCheckSeverity.WARN,
            )
        ],
    )


@dg.asset(
    key=PARTNER_REPORTING_KEY,
    group_name="letter",
    kinds={"sql", "duckdb", "postgres"},
    owners=["team:via-data"],
    deps=[PARTNERS_REGISTRY_KEY, PARTNERS_SUBMISSIONS_KEY, PARTNERS_ACTIONS_KEY],
    partitions_def=reporting_year_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            PARTNER_REPORTING_CHECK,
            asset=PARTNER_REPORTING_KEY,
            description="One row per partner; a receipt date exactly when a file was accepted; "
            "actions only with an accepted file.",
        )
    ],
)
def letter_partner_reporting(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Which partners reported in one reporting year: every partner of the registry taking part
    that year, whether an accepted submission exists, when it was received, how many actions it
    holds and how many files were rejected.

    Grain: one row per registry partner and year. Source: partners.registry, submissions and
    actions through sql/build_letter_partner_reporting.sql. A rerun replaces the year.
    """
    from via_pipeline.core.letter.build import PARTNER_REPORTING_TABLE, write_partner_reporting
    from via_pipeline.core.letter.progress import reporting_summary_nl
    from via_pipeline.core.letter.quality import (
        PARTNER_REPORTING_EXPECTATIONS,
        partner_reporting_for_checks,
    )

    year = int(context.partition_key)
    frame = write_partner_reporting(warehouse.migrated_store(), year)
    # Whether a partner sent a file is the same for every programme: counted once.
    files = frame.drop_duplicates("partner_id")
    reported = int(files["has_accepted_submission"].sum())
    return dg.MaterializeResult(
        metadata=table_metadata(
            PARTNER_REPORTING_TABLE,
            frame,
            reporting_year=year,
            partners_reported=reported,
            summary=reporting_summary_nl(reported, len(files)),
            **programme_metadata(frame, "action_count", "actions"),
        ),
        check_results=[
            suite_check(
                context,
                warehouse,
                PARTNER_REPORTING_KEY,
                PARTNER_REPORTING_CHECK,
                partner_reporting_for_checks(frame),
                PARTNER_REPORTING_EXPECTATIONS,
                dg.AssetCheckSeverity.WARN,
            )
        ],
    )


@dg.asset(
    key=ANNEX_KEY,
    group_name="letter",
    kinds={"docx", "xlsx", "markdown"},
    owners=["team:via-data"],
    deps=[
        KEY_FIGURES_KEY,
        THEME_PROGRESS_KEY,
        PARTNER_REPORTING_KEY,
        MONITOR_GAPS_KEY,
        MONITOR_QUARTERLY_GAPS_KEY,  # issue 24: the quarterly sentences, chart and sheet
        PARTNERS_ACTIONS_KEY,
        ACTION_PROGRESS_KEY,
        PROGRESS_MOVEMENTS_KEY,
        AGENDA_PROGRESS_KEY,
    ],
    partitions_def=reporting_year_partitions,
    check_specs=[
        dg.AssetCheckSpec(
            SENT_FILES_CHECK,
            asset=ANNEX_KEY,
            description="Non-blocking: the files of the year's sent letter "
            "(<VIA_DATA_DIR>/sent/<year>/) are still those recorded at approval "
            "(`via-pipeline letter verify`).",
        ),
        dg.AssetCheckSpec(
            REVISION_SIZE_CHECK,
            asset=ANNEX_KEY,
            description="Non-blocking: no figure of a sent letter (this year's, or the one "
            "before) revised by config/monitor.yaml's revision_warning_pp or more.",
        ),
    ],
)
def letter_annex(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The annex files of one reporting year in <VIA_DATA_DIR>/output/<year>/: the Word annex
    (voortgang_via_<year>_bijlage.docx), the workbook of every letter table
    (voortgang_via_<year>_tabellen.xlsx), the same annex as Markdown, the gap charts and the
    chart of action status per year and theme (PNG), with the progress since the year before.
    One such letter per programme running in the year (config/programmes.yaml), each with its
    own file prefix and only its own actions: voortgang_statushouders_<year>_bijlage.docx and
    so on, with the progress part only (no CBS key figures). The run page lists them per
    programme (`programmes`, `programme_<code>`).

    Source: the letter.* tables of the year as stored, monitor.gaps and partners.actions.
    A rerun overwrites the year's files.
    """
    from via_pipeline.core.letter.build import KEY_FIGURES_TABLE, write_programme_annexes
    from via_pipeline.core.letter.releases.report import annex_revisions

    year = int(context.partition_key)
    store = warehouse.migrated_store()
    config = load_key_figure_config()
    sent = annex_revisions(store, config, year)
    for warning in sent.warnings:
        context.log.warning(warning)
    written = write_programme_annexes(
        store,
        config,
        load_themes(),
        year,
        load_settings().output_dir,
        after_key_figures={code: (section,) for code, section in sent.sections.items()},
    )
    key_figures = store.read_table(KEY_FIGURES_TABLE, {"reporting_year": year})
    return dg.MaterializeResult(
        metadata={
            "reporting_year": year,
            # One letter per programme running in the year (config/programmes.yaml).
            "programmes": ", ".join(written),
            **{
                f"programme_{code}": dg.MetadataValue.md(
                    f"**{annex.annex.title}**: "
                    + ", ".join(f"`{path.name}`" for path in annex.files.all())
                )
                for code, annex in written.items()
            },
            "output_dir": dg.MetadataValue.path(str(load_settings().output_dir / str(year))),
            "key_figures": dg.MetadataValue.md(key_figures_markdown(key_figures, config)),
            **file_metadata([path for annex in written.values() for path in annex.paths()]),
            **release_metadata(store, year),
            "revised_since_sent": len(sent.own),
            "revision_warnings": dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in sent.warnings) or "_none_"
            ),
        },
        check_results=[
            sent_files_check(store, year, ANNEX_KEY),
            revision_size_check(sent, ANNEX_KEY),
        ],
    )
