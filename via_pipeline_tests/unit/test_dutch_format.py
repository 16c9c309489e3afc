"""Dutch formatting of the letter's numbers and dates: what parliament reads must be exact."""

from datetime import date

import pytest

from via_pipeline.core.dutch import (
    format_date,
    format_decimal,
    format_integer,
    format_pp,
    format_year_span,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (3.2, 1, "3,2"),
        (2.9, 1, "2,9"),
        (3.0, 1, "3,0"),
        (2.85, 1, "2,9"),
        (2.849, 1, "2,8"),
        (1234.56, 1, "1.234,6"),
        (1234567.0, 0, "1.234.567"),
        (-0.44, 1, "-0,4"),
        (-0.04, 1, "0,0"),
        (0.05, 1, "0,1"),
        (67.9, 1, "67,9"),
        (12.345, 2, "12,35"),
    ],
)
def test_format_decimal(value: float, decimals: int, expected: str) -> None:
    assert format_decimal(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (21, "21"),
        (999, "999"),
        (1234, "1.234"),
        (1000000, "1.000.000"),
        (-1234, "-1.234"),
    ],
)
def test_format_integer(value: int, expected: str) -> None:
    assert format_integer(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 11, 27), "27 november 2023"),
        (date(2022, 3, 1), "1 maart 2022"),
        (date(2021, 12, 16), "16 december 2021"),
    ],
)
def test_format_date(value: date, expected: str) -> None:
    assert format_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.2, "3,2 procentpunten"),
        (-0.4, "0,4 procentpunten"),
        (1.0, "1,0 procentpunt"),
        (-1.04, "1,0 procentpunt"),
        (0.0, "0,0 procentpunten"),
    ],
)
def test_format_pp_has_no_sign(value: float, expected: str) -> None:
    assert format_pp(value) == expected


def test_numpy_floats_from_pandas_format_like_floats() -> None:
    """Values read from the warehouse arrive as numpy float64, whose repr is not a number."""
    import numpy as np

    assert format_decimal(np.float64(3.2)) == "3,2"
    assert format_decimal(np.float64(-10.0)) == "-10,0"
    assert format_pp(np.float64(-0.44)) == "0,4 procentpunten"


def test_a_span_of_one_year_is_that_year() -> None:
    assert format_year_span(2022, 2024) == "2022-2024"
    assert format_year_span(2023, 2023) == "2023"
