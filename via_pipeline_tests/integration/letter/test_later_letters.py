"""`via-pipeline run --year 2022` after a late 2022 file: one line naming the later letters built
already and the runs that rebuild them (cli/late_years.py on a Dagster instance)."""

from __future__ import annotations

import dagster as dg

from via_pipeline.cli.late_years import say_later_letters
from via_pipeline.defs.letter.assets import ANNEX_KEY


def annex_built(instance: dg.DagsterInstance, *years: str) -> None:
    for year in years:
        instance.report_runless_asset_event(dg.AssetMaterialization(ANNEX_KEY, partition=year))


def test_a_past_years_intake_names_the_later_letters_built() -> None:
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        annex_built(instance, "2022", "2024")
        say_later_letters(instance, 2022, ("partners/actions", "letter/annex"), lines.append)
    assert lines == [
        "the letter of 2024 (built already) reads 2022's actions in its progress across years: "
        "rebuild it with `via-pipeline run --year 2024`"
    ]


def test_no_line_when_the_actions_did_not_change_or_no_later_letter_is_built() -> None:
    lines: list[str] = []
    with dg.instance_for_test() as instance:
        annex_built(instance, "2023")
        say_later_letters(instance, 2022, ("letter/annex",), lines.append)  # actions unchanged
        say_later_letters(instance, 2023, ("partners/actions",), lines.append)  # none after 2023
    assert lines == []
