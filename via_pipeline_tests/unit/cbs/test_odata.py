"""Guards the OData $filter/$select the ingest sends, and the evaluator that answers them from
the snapshot and in the replay server: what CBS would return, or a clear refusal."""

from __future__ import annotations

import pytest

from via_pipeline.core.cbs.odata import ODataQueryError, apply_query, build_filter, compile_filter

ROWS = [
    {"Geslacht": "T001038   ", "Herkomst": "H1", "Perioden": "2019JJ00", "W": 3.7},
    {"Geslacht": "T001038   ", "Herkomst": "H2", "Perioden": "2019KW01", "W": 5.6},
    {"Geslacht": "3000", "Herkomst": "H1", "Perioden": "2019JJ00", "W": 7.5},
    {"Geslacht": "T001038", "Herkomst": "H3", "Perioden": "2020JJ00", "W": None},
]


def test_build_filter_text() -> None:
    text = build_filter(
        {"Geslacht": "T001038"}, {"Herkomst": ["H1", "O'Brien"]}, {"Perioden": "JJ"}
    )
    assert text == (
        "(Geslacht eq 'T001038') and (Herkomst eq 'H1' or Herkomst eq 'O''Brien') "
        "and substringof('JJ',Perioden)"
    )


def test_the_built_filter_selects_the_slice() -> None:
    text = build_filter({"Geslacht": "T001038"}, {"Herkomst": ["H1", "H3"]}, {"Perioden": "JJ"})
    assert apply_query(ROWS, text, "Herkomst,W") == [
        {"Herkomst": "H1", "W": 3.7},
        {"Herkomst": "H3", "W": None},
    ]


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("", [0, 1, 2, 3]),
        ("Herkomst ne 'H1'", [1, 3]),
        ("not (Herkomst eq 'H1')", [1, 3]),
        ("startswith(Perioden,'2019')", [0, 1, 2]),
        ("endswith(Perioden,'KW01')", [1]),
        ("Herkomst eq 'H1' or Herkomst eq 'H2' and Geslacht eq '3000'", [0, 2]),
        ("(Herkomst eq 'H1' or Herkomst eq 'H2') and Geslacht eq '3000'", [2]),
    ],
)
def test_filter_semantics(text: str, matches: list[int]) -> None:
    predicate = compile_filter(text)
    assert [i for i, row in enumerate(ROWS) if predicate(row)] == matches


@pytest.mark.parametrize(
    "text", ["W gt 3", "Herkomst eq", "length(Herkomst) eq 2", "Herkomst eq 'H1' xor"]
)
def test_unsupported_filters_are_refused(text: str) -> None:
    with pytest.raises(ODataQueryError):
        apply_query(ROWS, text)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ODataQueryError, match="Leeftijd"):
        apply_query(ROWS, "Leeftijd eq '52052'")
    with pytest.raises(ODataQueryError, match="Onbekend"):
        apply_query(ROWS, None, "Herkomst,Onbekend")
