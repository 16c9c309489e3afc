"""Guards the example submissions: the good ones pass every rule, the faulty one fails as documented,
and every action is marked as an example.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.settings.paths import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples" / "submissions"
PARTNERS = load_partners()
THEMES = load_themes()


@pytest.mark.parametrize("name", ["abu_2023.csv", "vng_2023.csv", "uwv_2023.xlsx"])
def test_example_is_accepted_and_marked(name: str) -> None:
    evaluation = evaluate_submission((EXAMPLES / name).read_bytes(), name, PARTNERS, THEMES, [2023])
    assert evaluation.problems == ()
    assert len(evaluation.actions) == 3
    assert all(text.startswith("Voorbeeld: ") for text in evaluation.actions["explanation"])


def test_faulty_example_lists_all_its_problems() -> None:
    path: Path = EXAMPLES / "met_fouten" / "fnv_2023.csv"
    evaluation = evaluate_submission(path.read_bytes(), path.name, PARTNERS, THEMES, [2023])
    assert [(p.row_number, p.column_name, p.rule) for p in evaluation.problems] == [
        (2, "actie_id", "duplicate_action_id"),
        (2, "thema", "unknown_theme"),
        (2, "status", "unknown_status"),
        (2, "einddatum", "end_before_start"),
        (2, "bereikte_personen", "decimal_in_count"),
        (2, "bereikte_werkgevers", "negative_number"),
        (3, "actie_id", "duplicate_action_id"),
        (3, "bereikte_personen", "not_a_whole_number"),
    ]
    assert all(text.startswith("Voorbeeld: ") for text in evaluation.actions["explanation"])
