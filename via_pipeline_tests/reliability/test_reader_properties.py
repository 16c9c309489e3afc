"""Property tests (hypothesis) of the partner file reader and checks: whatever the bytes or cells,
a file ends accepted or rejected with reasons, never in an unhandled exception, and what is
accepted obeys every rule and keeps the partner's text exactly. Through the intake, a file
writes all of its rows or, when rejected, nothing but its rejection.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from via_pipeline.core.partners.archive import ArchivedFile, sha256_of
from via_pipeline.core.partners.evaluation import Evaluation, evaluate_submission
from via_pipeline.core.partners.fileformat import STATUSES
from via_pipeline.core.partners.intake import take_in
from via_pipeline.core.partners.problems import MESSAGES_NL
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.reliability.dumps import dump_warehouse
from via_pipeline_tests.support.partners import HEADER, csv_bytes

# A message template placeholder left unfilled.
UNFILLED = re.compile(r"\{(value|expected|column)\}")
PARTNERS = load_partners()
THEMES = load_themes()
THEME_CODES = [theme.code for theme in THEMES]
YEARS = [2022, 2023, 2024]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as partners type it, including control characters, quotes, delimiters and newlines.
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# Text openpyxl can put in a cell (XML forbids most control characters).
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


def cell(valid: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Mostly a valid value, sometimes anything: so both outcomes are explored."""
    return st.one_of(valid, valid, valid, any_text)


valid_row = st.fixed_dictionaries(
    {
        "partner_id": cell(st.just("abu")),
        "verslagjaar": cell(st.just("2023")),
        "actie_id": cell(st.text("ABCXYZ0123456789", min_size=1, max_size=6)),
        "thema": cell(st.sampled_from(THEME_CODES)),
        "titel": cell(any_text.filter(lambda t: t.strip() != "")),
        "status": cell(st.sampled_from(list(STATUSES))),
        "startdatum": cell(st.sampled_from(["", "2023-01-01", "01-03-2023", "31-02-2023"])),
        "einddatum": cell(st.sampled_from(["", "2023-12-31", "15-06-2023", "2022-01-01"])),
        "bereikte_personen": cell(st.one_of(st.just(""), st.integers(-5, 10**10).map(str))),
        "bereikte_werkgevers": cell(st.sampled_from(["", "0", "12", "1.234", "3,5", "-1"])),
        "toelichting": any_text,
    }
)


def assert_judged(evaluation: Evaluation) -> None:
    """Accepted with no problems, or rejected with reasons in the partner's language."""
    if evaluation.accepted:
        assert not evaluation.problems
        return
    assert evaluation.problems
    for problem in evaluation.problems:
        assert problem.rule in MESSAGES_NL
        assert problem.message_nl.strip() and not UNFILLED.search(problem.message_nl)


def assert_accepted_rows_obey_the_rules(evaluation: Evaluation) -> None:
    actions = evaluation.actions
    assert len(actions) >= 1
    assert set(actions["partner_id"]) == {"abu"}
    assert set(actions["reporting_year"]) == {2023}
    assert actions["action_id"].is_unique
    assert set(actions["theme"]) <= set(THEME_CODES)
    assert set(actions["status"]) <= set(STATUSES)
    for column in ("people_reached", "employers_reached"):
        values = actions[column].dropna()
        assert ((values >= 0) & (values <= 2_147_483_647)).all()
    both = actions.dropna(subset=["start_date", "end_date"])
    assert (both["end_date"] >= both["start_date"]).all()
    assert all(isinstance(title, str) and title.strip() for title in actions["title"])


@FAST
@given(content=st.binary(max_size=3000), extension=st.sampled_from(["csv", "xlsx"]))
def test_any_bytes_are_judged_never_crash(content: bytes, extension: str) -> None:
    assert_judged(evaluate_submission(content, f"abu_2023.{extension}", PARTNERS, THEMES, YEARS))


@FAST
@given(
    rows=st.lists(valid_row, min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-8-sig"]),
)
def test_csv_files_are_judged_and_accepted_ones_keep_the_text(
    rows: list[dict[str, object]], delimiter: str, encoding: str
) -> None:
    try:
        content = csv_bytes(
            [[row[c] for c in HEADER] for row in rows], delimiter=delimiter, encoding=encoding
        )
    except UnicodeEncodeError:
        return  # a partner's Windows-1252 file cannot hold that text in the first place
    evaluation = evaluate_submission(content, "abu_2023.csv", PARTNERS, THEMES, YEARS)
    assert_judged(evaluation)
    if evaluation.accepted:
        assert_accepted_rows_obey_the_rules(evaluation)
        expected = [str(row["titel"]).strip() for row in rows]
        assert evaluation.actions["title"].tolist() == expected


def xlsx_of(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "acties"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


xlsx_value = st.one_of(
    st.none(),
    xml_text,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.one_of(
            valid_row.map(
                lambda row: [row[c] if "\x00" not in str(row[c]) else "" for c in HEADER]
            ),
            st.lists(xlsx_value, min_size=0, max_size=13),
        ),
        min_size=0,
        max_size=5,
    )
)
def test_xlsx_cells_of_any_type_are_judged_never_crash(rows: list[list[object]]) -> None:
    cleaned = [
        [
            value
            if not isinstance(value, str)
            else "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")
            for value in row
        ]
        for row in rows
    ]
    evaluation = evaluate_submission(xlsx_of(cleaned), "abu_2023.xlsx", PARTNERS, THEMES, YEARS)
    assert_judged(evaluation)
    if evaluation.accepted:
        assert_accepted_rows_obey_the_rules(evaluation)


@pytest.fixture(scope="module")
def intake_store(tmp_path_factory: pytest.TempPathFactory) -> WarehouseStore:
    store = WarehouseStore(f"duckdb:///{tmp_path_factory.mktemp('props') / 'warehouse.duckdb'}")
    store.migrate()
    return store


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(valid_row, min_size=1, max_size=4))
def test_intake_writes_a_whole_file_or_only_its_rejection(
    intake_store: WarehouseStore, tmp_path: Path, rows: list[dict[str, object]]
) -> None:
    content = csv_bytes([[row[c] for c in HEADER] for row in rows])
    file = ArchivedFile(
        sha256_of(content), "abu_2023.csv", tmp_path / "f", datetime(2026, 1, 1), content
    )
    before = dump_warehouse(intake_store.url)
    outcome = take_in(
        intake_store, file, tmp_path / "feedback", PARTNERS, THEMES, YEARS, replay=True
    )
    after = dump_warehouse(intake_store.url)
    changed = {table for table in before if before[table] != after[table]}
    if outcome.status == "rejected":
        assert changed <= {"partners.rejections", "partners.submissions"}
        assert intake_store.count("partners.rejections", {"sha256": file.sha256}) == len(
            outcome.problems
        )
    else:
        stored = intake_store.read_table(
            "partners.actions", {"partner_id": "abu", "reporting_year": 2023}
        )
        assert len(stored) == len(rows) == outcome.action_count
        assert set(stored["submission_sha256"]) == {file.sha256}


# One submission as a coordinator receives it: which partner, how many actions (numbered 1..n,
# as every partner numbers them), CSV or XLSX, and now and then a flaw that must reject it.
submission = st.tuples(
    st.sampled_from(["abu", "fnv", "vng", "uwv"]),
    st.integers(1, 5),
    st.sampled_from(["csv", "xlsx"]),
    st.sampled_from(["", "", "", "duplicate_action_id", "unknown_theme"]),
)


def submission_file(partner_id: str, count: int, extension: str, flaw: str) -> tuple[str, bytes]:
    from via_pipeline_tests.support.partners import numbered_rows, xlsx_bytes

    rows = numbered_rows(partner_id, 2024, count, excel_cells=extension == "xlsx")
    if flaw == "duplicate_action_id":
        rows.append([*rows[0][:2], rows[0][2], *rows[-1][3:]])
    elif flaw == "unknown_theme":
        rows[-1][HEADER.index("thema")] = "scholing"
    content = (
        xlsx_bytes(rows)
        if extension == "xlsx"
        else csv_bytes(rows, delimiter=";", encoding="cp1252")
    )
    return f"{partner_id}_2024.{extension}", content


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(files=st.lists(submission, min_size=1, max_size=6))
# Found by hypothesis: the same rejected file sent twice is judged once (the second is skipped).
@example(files=[("abu", 1, "csv", "duplicate_action_id")] * 2)
def test_whatever_the_intake_accepts_passes_the_year_suite(
    intake_store: WarehouseStore, tmp_path: Path, files: list[tuple[str, int, str, str]]
) -> None:
    """Several partners, several versions, any order, ids 1..n everywhere: the year never fails."""
    from via_pipeline.core.partners.archive import archive_bytes
    from via_pipeline.core.partners.rules import SUITE_NAME, submission_suite
    from via_pipeline.core.partners.yearcheck import check_year
    from via_pipeline.core.quality.expectations import validate_frame

    with intake_store.transaction() as conn:
        for table in ("actions", "submissions", "versions", "rejections"):
            conn.exec_driver_sql(f"DELETE FROM partners.{table}")
    expected: dict[str, int] = {}
    seen: set[str] = set()
    for partner_id, count, extension, flaw in files:
        name, content = submission_file(partner_id, count, extension, flaw)
        archived = archive_bytes(content, name, tmp_path / "archive")
        outcome = take_in(intake_store, archived, tmp_path / "feedback", PARTNERS, THEMES, YEARS)
        if archived.sha256 in seen:  # the same bytes again: already judged, taken in once
            assert outcome.status == "skipped", outcome
        else:
            assert (outcome.status == "rejected") == bool(flaw), outcome.problems
            assert outcome.status == ("rejected" if flaw else "accepted")
        seen.add(archived.sha256)
        if outcome.status == "accepted":
            expected[partner_id] = count
    rules = submission_suite([p.partner_id for p in PARTNERS], THEME_CODES, 2024)
    checked = check_year(intake_store, 2024, rules, SUITE_NAME, validate_frame, max_rows=6)
    assert (checked.result.success, checked.failures) == (True, ())
    stored = intake_store.read(
        "SELECT partner_id, count(*) AS n FROM partners.actions GROUP BY partner_id"
    )
    assert dict(zip(stored["partner_id"], stored["n"].astype(int), strict=True)) == expected
