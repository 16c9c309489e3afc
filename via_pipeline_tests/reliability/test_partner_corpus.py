"""Guards that every malformed or hostile partner file ends accepted or rejected with reasons.

The corpus (corpus.py, generated at test time) covers encodings, binary junk, renamed containers,
a zip bomb, a 200 MB CSV, 100,000 columns, formulas, control characters, SQL in text and names,
long strings, duplicate headers and impossible dates. Each file goes through the real checks and
the real intake; never an unhandled exception, never a partial write, limits from config enforced
before parsing.
"""

from __future__ import annotations

import csv
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from via_pipeline.core.partners import reading
from via_pipeline.core.partners.archive import ArchivedFile, sha256_of
from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.fileformat import parse_file_name
from via_pipeline.core.partners.intake import take_in
from via_pipeline.core.partners.limits import SubmissionLimits, load_limits
from via_pipeline.core.partners.problems import MESSAGES_NL
from via_pipeline.core.partners.reading import UnreadableSubmission, read_submission
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.reliability.corpus import CASES, Case
from via_pipeline_tests.reliability.dumps import dump_warehouse
from via_pipeline_tests.support.partners import csv_bytes, valid_rows

YEARS = list(range(2022, 2027))
# A message template placeholder left unfilled.
UNFILLED = re.compile(r"\{(value|expected|column)\}")
PARTNERS = load_partners()
THEMES = load_themes()
CASE_BY_ID = {case.case_id: case for case in CASES}
# Written by intake for a rejected file; everything else must stay exactly as it was.
REJECTION_TABLES = {"partners.rejections", "partners.submissions"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    directory = tmp_path_factory.mktemp("corpus")
    paths = {case.case_id: case.write(directory) for case in CASES}
    yield paths
    for path in paths.values():
        path.unlink(missing_ok=True)


def outcome_of(case: Case, content: bytes) -> tuple[str, set[str], list[str]]:
    evaluation = evaluate_submission(content, case.file_name, PARTNERS, THEMES, YEARS)
    status = "accepted" if evaluation.accepted else "rejected"
    return (
        status,
        {p.rule for p in evaluation.problems},
        [p.message_nl for p in evaluation.problems],
    )


def test_the_corpus_has_at_least_40_distinct_hostile_files() -> None:
    assert len(CASE_BY_ID) == len(CASES) >= 40
    assert sum(case.expect == "rejected" for case in CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_each_file_ends_accepted_or_rejected_with_reasons(
    case: Case, corpus: dict[str, Path]
) -> None:
    content = corpus[case.case_id].read_bytes()
    started = time.monotonic()
    status, rules, messages = outcome_of(case, content)
    elapsed = time.monotonic() - started
    if case.expect != "either":
        assert status == case.expect, f"{case.case_id}: {rules} {messages[:3]}"
    assert case.rules <= rules, f"{case.case_id}: expected {case.rules}, got {rules}"
    if status == "rejected":
        assert rules and rules <= set(MESSAGES_NL)
        assert all(message.strip() and not UNFILLED.search(message) for message in messages)
    assert elapsed < 10, f"{case.case_id} took {elapsed:.1f}s to judge"


def test_size_limits_are_enforced_before_any_parser_runs(
    corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser ran on a file over the size limit")

    monkeypatch.setattr(csv, "reader", no_parsing)
    monkeypatch.setattr(openpyxl, "load_workbook", no_parsing)
    for case_id in ("csv_200_mb", "xlsx_zip_bomb"):
        case = CASE_BY_ID[case_id]
        content = corpus[case_id].read_bytes()
        started = time.monotonic()
        status, rules, messages = outcome_of(case, content)
        assert (status, rules) == ("rejected", {"file_too_large"})
        assert "te groot" in messages[0]
        assert time.monotonic() - started < 5


def test_reading_stops_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    limits = SubmissionLimits(10**7, 10**8, max_rows=50, max_columns=100)
    consumed = 0
    real_reader = csv.reader

    def counting_reader(*args: object, **kwargs: object) -> Iterator[list[str]]:
        nonlocal consumed
        for record in real_reader(*args, **kwargs):  # type: ignore[call-overload]
            consumed += 1
            yield record

    monkeypatch.setattr(csv, "reader", counting_reader)
    with pytest.raises(UnreadableSubmission) as raised:
        read_submission(csv_bytes(valid_rows(count=5000)), "csv", limits)
    assert raised.value.problem.rule == "too_many_rows"
    assert consumed <= 50 + reading.HEADER_SEARCH_ROWS + 2


def test_limits_come_from_config(tmp_path: Path) -> None:
    (tmp_path / "submission_limits.yaml").write_text(
        "max_file_bytes: 2000\nmax_uncompressed_bytes: 1000\nmax_rows: 2\nmax_columns: 11\n",
        encoding="utf-8",
    )
    limits = load_limits(tmp_path)
    assert limits == SubmissionLimits(2000, 1000, 2, 11)
    cases = [
        (csv_bytes(valid_rows(count=40)), "file_too_large"),
        (csv_bytes(valid_rows(count=3)), "too_many_rows"),
        (
            csv_bytes([[*row, "x"] for row in valid_rows(count=1)], header=[*csv_header(), "x"]),
            "too_many_columns",
        ),
    ]
    for content, rule in cases:
        with pytest.raises(UnreadableSubmission) as raised:
            read_submission(content, "csv", limits)
        assert raised.value.problem.rule == rule
    assert read_submission(csv_bytes(valid_rows(count=2)), "csv", limits).rows

    (tmp_path / "submission_limits.yaml").write_text("max_file_bytes: 0\n", encoding="utf-8")
    load_limits.cache_clear()
    with pytest.raises(ConfigFileError, match=r"submission_limits\.yaml: `max_file_bytes`"):
        load_limits(tmp_path)
    load_limits.cache_clear()


def csv_header() -> list[str]:
    from via_pipeline_tests.support.partners import HEADER

    return list(HEADER)


def current_sha(store: WarehouseStore, partner_id: str | None, year: int | None) -> list[str]:
    current = store.read(
        "SELECT sha256 FROM partners.submissions WHERE partner_id = :p "
        "AND reporting_year = :y AND is_current",
        {"p": partner_id, "y": year},
    )
    return [str(sha) for sha in current["sha256"]]


@pytest.mark.slow
def test_every_corpus_file_through_intake_writes_all_or_nothing(
    store: WarehouseStore, corpus: dict[str, Path], tmp_path: Path
) -> None:
    """Rejected: only its submission row and rejection rows are added. Accepted: its partner-year."""
    url = store.url
    feedback_dir = tmp_path / "feedback"
    seed = CASE_BY_ID["valid_csv"]
    for case in [seed, *CASES]:
        path = corpus[case.case_id]
        content = path.read_bytes()
        archived = ArchivedFile(
            sha256_of(content), case.file_name, path, datetime(2026, 1, 1), content
        )
        before = dump_warehouse(url)
        name = parse_file_name(case.file_name)
        previous_current = (
            next(iter(current_sha(store, name.partner_id, name.reporting_year)), None)
            if name
            else None
        )
        outcome = take_in(store, archived, feedback_dir, PARTNERS, THEMES, YEARS, replay=True)
        after = dump_warehouse(url)
        changed = {table for table in before if before[table] != after[table]}
        if outcome.status == "rejected":
            assert changed <= REJECTION_TABLES, f"{case.case_id} changed {changed}"
            rejections = store.count(
                "partners.rejections", {"sha256": archived.sha256, "file_name": case.file_name}
            )
            assert rejections == len(outcome.problems) > 0
            assert set(before["partners.submissions"][1:]) - set(
                after["partners.submissions"][1:]
            ) <= set(row for row in before["partners.submissions"][1:] if archived.sha256 in row)
            assert outcome.feedback_files and all(f.exists() for f in outcome.feedback_files)
        else:
            assert outcome.status == "accepted", case.case_id
            assert changed <= {
                "partners.actions",
                "partners.submissions",
                "partners.versions",
                "partners.rejections",
            }
            stored = store.read_table(
                "partners.actions",
                {"partner_id": outcome.partner_id, "reporting_year": outcome.reporting_year},
            )
            assert len(stored) == outcome.action_count
            assert set(stored["submission_sha256"]) == {archived.sha256}
            # A new accepted file is exactly one new version, and then the only current one.
            new_versions = len(after["partners.versions"]) - len(before["partners.versions"])
            assert new_versions == (0 if previous_current == archived.sha256 else 1)
            assert current_sha(store, outcome.partner_id, outcome.reporting_year) == [
                archived.sha256
            ]
    # SQL in text and names did nothing but be stored as text: every table is still there.
    assert set(dump_warehouse(url)) == set(before)


def test_hostile_text_is_stored_verbatim_and_feedback_cells_never_run(
    store: WarehouseStore, corpus: dict[str, Path], tmp_path: Path
) -> None:
    expected_titles = {
        "sql_in_title": "x'); DROP TABLE partners.actions; --",
        "csv_cell_equals": "=1+1",
        "csv_cell_at": "@SUM(A1:A9)",
        "csv_cell_minus": "-2+3",
        "xlsx_formula_text": "=cmd|' /C calc'!A0",
        "control_chars_in_text": "bel\x07 esc\x1b[31m rood\x1b[0m",
    }
    for case_id, title in expected_titles.items():
        case = CASE_BY_ID[case_id]
        content = corpus[case_id].read_bytes()
        archived = ArchivedFile(
            sha256_of(content), case.file_name, corpus[case_id], datetime(2026, 1, 1), content
        )
        outcome = take_in(store, archived, tmp_path / "feedback", PARTNERS, THEMES, YEARS)
        assert outcome.status == "accepted", case_id
        stored = store.read_table("partners.actions", {"partner_id": "abu", "reporting_year": 2023})
        assert stored["title"].tolist() == [title]

    case = CASE_BY_ID["formula_in_count"]
    content = corpus[case.case_id].read_bytes()
    archived = ArchivedFile(
        sha256_of(content), case.file_name, corpus[case.case_id], datetime(2026, 1, 1), content
    )
    outcome = take_in(store, archived, tmp_path / "feedback", PARTNERS, THEMES, YEARS)
    assert outcome.status == "rejected"
    workbook_path = next(path for path in outcome.feedback_files if path.suffix == ".xlsx")
    workbook = openpyxl.load_workbook(workbook_path)
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert "=10*10" in [cell.value for cell in cells]
