"""A past year's partner actions changed: the later letters that makes stale, and the lines."""

from __future__ import annotations

from via_pipeline.core.letter.late_files import (
    late_file_line,
    later_letters_built,
    later_letters_line,
)

YEARS = [2022, 2023, 2024, 2025]


def test_only_later_years_with_a_built_letter_count() -> None:
    assert later_letters_built(2022, YEARS, {"2022", "2024", "2025"}) == [2024, 2025]
    assert later_letters_built(2023, YEARS, ["2023"]) == []
    assert later_letters_built(2025, YEARS, {"2022", "2023", "2024", "2025"}) == []


def test_the_sensors_line_names_the_year_and_the_later_letters() -> None:
    assert late_file_line("abu_2022.csv", 2022, 2024, []) == (
        "abu_2022.csv is for past reporting year 2022 (running year 2024): its run rebuilds "
        "the letter of 2022 too"
    )
    assert late_file_line("fnv_2022.xlsx", 2022, 2025, [2023, 2025]).endswith(
        "; then the letter of 2023, 2025 (built already; its progress across years reads "
        "2022's actions)"
    )


def test_the_cli_line_names_each_command() -> None:
    assert later_letters_line(2022, []) is None
    assert later_letters_line(2022, [2023, 2024]) == (
        "the letter of 2023, 2024 (built already) reads 2022's actions in its progress across "
        "years: rebuild it with `via-pipeline run --year 2023` and `via-pipeline run --year 2024`"
    )
