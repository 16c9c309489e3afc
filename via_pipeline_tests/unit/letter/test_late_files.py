"""A past year's partner actions changed: the letters built already that makes stale, and the lines."""

from __future__ import annotations

from via_pipeline.core.letter.late_files import late_file_line, stale_letters, stale_letters_line

YEARS = [2022, 2023, 2024, 2025]


def test_the_years_letter_and_later_built_letters_are_stale_less_those_rebuilt() -> None:
    built = {"2022", "2024", "2025"}
    assert stale_letters(2022, YEARS, built) == [2022, 2024, 2025]
    assert stale_letters(2022, YEARS, built, rebuilt=(2022,)) == [2024, 2025]
    assert stale_letters(2022, YEARS, built, rebuilt=(2024,)) == [2022, 2025]
    assert stale_letters(2023, YEARS, ["2022", "2023"], rebuilt=(2023,)) == []
    assert stale_letters(2025, YEARS, {"2022", "2023", "2024"}) == []


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
    assert stale_letters_line(2022, []) is None
    assert stale_letters_line(2022, [2022, 2024]) == (
        "the letter of 2022, 2024 (built already) reads 2022's actions, rebuilt just now: "
        "rebuild it with `via-pipeline run --year 2022` and `via-pipeline run --year 2024`"
    )
