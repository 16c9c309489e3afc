"""`via-pipeline run` after a late file for a past year: one line naming the letters built
already that read its actions and the runs that rebuild them (cli/late_years.py on an instance)."""

from __future__ import annotations

import dagster as dg

from via_pipeline.cli.late_years import say_stale_letters
from via_pipeline.defs.letter.assets import ANNEX_KEY


def annex_built(instance: dg.DagsterInstance, *years: str) -> None:
    for year in years:
        instance.report_runless_asset_event(dg.AssetMaterialization(ANNEX_KEY, partition=year))


def test_run_year_2022_names_the_later_letters_built() -> None:
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        annex_built(instance, "2022", "2024")
        say_stale_letters(
            instance, 2022, ("partners/actions", "letter/annex"), lines.append, rebuilt=(2022,)
        )
    assert lines == [
        "the letter of 2024 (built already) reads 2022's actions, rebuilt just now: rebuild it "
        "with `via-pipeline run --year 2024`"
    ]


def test_run_year_2023_taking_in_2022_first_names_2022s_own_letter() -> None:
    """`run --year 2023` takes 2022's new files in first and rebuilds 2023 after: 2022's letter
    and 2025's are left, and named."""
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        annex_built(instance, "2022", "2023", "2025")
        say_stale_letters(instance, 2022, ("partners/actions",), lines.append, rebuilt=(2023,))
    assert lines == [
        "the letter of 2022, 2025 (built already) reads 2022's actions, rebuilt just now: rebuild "
        "it with `via-pipeline run --year 2022` and `via-pipeline run --year 2025`"
    ]


def test_no_line_when_the_actions_did_not_change_or_no_other_letter_is_built() -> None:
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        annex_built(instance, "2023")
        say_stale_letters(instance, 2022, ("letter/annex",), lines.append)  # actions unchanged
        say_stale_letters(instance, 2023, ("partners/actions",), lines.append, rebuilt=(2023,))
    assert lines == []
