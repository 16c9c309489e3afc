"""Guards what the warehouse holds after partner files are taken in, on DuckDB and PostgreSQL.

Accepted files replace their partner-year, rejected ones change nothing but add rejection rows and
feedback, every version is kept, concurrent acceptance is stopped by a key, hostile names stay data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from via_pipeline.core.partners import intake
from via_pipeline.core.partners.archive import archive_bytes
from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.feedback import restore_missing_feedback
from via_pipeline.core.partners.intake import (
    IntakeOutcome,
    record_submission,
    take_in,
)
from via_pipeline.core.partners.registry import Partner, load_partners, load_themes
from via_pipeline.core.warehouse import WarehouseError, WarehouseStore
from via_pipeline_tests.support.partners import (
    HEADER,
    csv_bytes,
    numbered_rows,
    valid_rows,
    xlsx_bytes,
)

PARTNERS = load_partners()
THEMES = load_themes()
YEARS = (2022, 2023, 2024, 2025, 2026)


def submit(
    store: WarehouseStore,
    data_dir: Path,
    file_name: str,
    content: bytes,
    partners: tuple[Partner, ...] = PARTNERS,
    replay: bool = False,
) -> IntakeOutcome:
    archived = archive_bytes(content, file_name, data_dir / "archive")
    return take_in(store, archived, data_dir / "feedback", partners, THEMES, YEARS, replay=replay)


def submissions(store: WarehouseStore) -> list[tuple[object, ...]]:
    frame = store.read(
        "SELECT file_name, partner_id, reporting_year, status, problem_count, action_count, "
        "supersedes_sha256, is_current, sha256 FROM partners.submissions ORDER BY processed_at"
    )
    return rows_of(frame)


def rows_of(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as plain tuples, NULL as None on both engines."""
    plain = frame.astype(object).where(frame.notna(), None)
    return [tuple(row) for row in plain.itertuples(index=False)]


def action_ids(store: WarehouseStore, partner_id: str = "abu", year: int = 2023) -> list[str]:
    frame = store.read(
        "SELECT action_id FROM partners.actions WHERE partner_id = :p AND reporting_year = :y ORDER BY action_id",
        {"p": partner_id, "y": year},
    )
    return frame["action_id"].tolist()


def test_accepted_file_is_recorded_with_its_actions(store: WarehouseStore, tmp_path: Path) -> None:
    content = xlsx_bytes(valid_rows(count=3))
    outcome = submit(store, tmp_path, "abu_2023.xlsx", content)
    assert (outcome.status, outcome.action_count, outcome.is_current) == ("accepted", 3, True)
    assert submissions(store) == [
        ("abu_2023.xlsx", "abu", 2023, "accepted", 0, 3, None, True, outcome.sha256)
    ]
    actions = store.read("SELECT * FROM partners.actions ORDER BY action_id")
    first = actions.iloc[0]
    assert (
        first["theme"],
        first["status"],
        str(first["start_date"]),
        int(first["people_reached"]),
    ) == (
        "kans_op_baan_of_stage",
        "afgerond",
        "2023-01-02",
        10,
    )
    assert actions["source_row"].tolist() == [2, 3, 4]
    assert set(actions["submission_sha256"]) == {outcome.sha256}
    archived = tmp_path / "archive" / f"{outcome.sha256}.xlsx"
    assert archived.read_bytes() == content
    assert store.read("SELECT archive_path FROM partners.submissions")["archive_path"][0] == str(
        archived
    )


def test_resubmission_replaces_the_accepted_one(store: WarehouseStore, tmp_path: Path) -> None:
    first = submit(store, tmp_path, "abu_2023.csv", csv_bytes(valid_rows(count=3)))
    rows = valid_rows(count=2)
    rows[1][HEADER.index("actie_id")] = "B7"
    second = submit(store, tmp_path, "abu_2023.csv", csv_bytes(rows))
    assert action_ids(store) == ["A1", "B7"]
    assert submissions(store) == [
        ("abu_2023.csv", "abu", 2023, "accepted", 0, 3, None, False, first.sha256),
        ("abu_2023.csv", "abu", 2023, "accepted", 0, 2, first.sha256, True, second.sha256),
    ]
    versions = store.read("SELECT version, sha256 FROM partners.versions ORDER BY version")
    assert rows_of(versions) == [(1, first.sha256), (2, second.sha256)]
    assert store.count("partners.rejections") == 0


def test_rejected_resubmission_leaves_the_accepted_one_current(
    store: WarehouseStore, tmp_path: Path
) -> None:
    accepted = submit(store, tmp_path, "abu_2023.csv", csv_bytes(valid_rows(count=2)))
    bad = valid_rows(count=3)
    bad[0][HEADER.index("status")] = "klaar"
    bad[2][HEADER.index("bereikte_werkgevers")] = "-1"
    rejected = submit(store, tmp_path, "abu_2023.csv", csv_bytes(bad))
    assert rejected.status == "rejected"
    assert action_ids(store) == ["A1", "A2"]
    assert set(
        store.read("SELECT submission_sha256 FROM partners.actions")["submission_sha256"]
    ) == {accepted.sha256}
    assert submissions(store) == [
        ("abu_2023.csv", "abu", 2023, "accepted", 0, 2, None, True, accepted.sha256),
        ("abu_2023.csv", "abu", 2023, "rejected", 2, 0, None, False, rejected.sha256),
    ]
    rejections = store.read(
        "SELECT sha256, file_name, partner_id, reporting_year, row_number, column_name, rule, message_nl, value "
        "FROM partners.rejections ORDER BY row_number"
    )
    assert rows_of(rejections) == [
        (rejected.sha256, "abu_2023.csv", "abu", 2023, 2, "status", "unknown_status",
         "Status 'klaar' bestaat niet; kies 'gepland', 'lopend', 'afgerond' of 'gestopt'.", "klaar"),
        (rejected.sha256, "abu_2023.csv", "abu", 2023, 4, "bereikte_werkgevers", "negative_number",
         "-1 is negatief; een aantal is 0 of meer.", "-1"),
    ]  # fmt: skip
    stem = f"abu_2023_{rejected.sha256[:8]}"
    assert [p.name for p in rejected.feedback_files] == [f"{stem}.xlsx", f"{stem}.md"]
    assert "| 2 | status | unknown_status |" in (tmp_path / "feedback" / f"{stem}.md").read_text(
        encoding="utf-8"
    )


def test_a_recorded_file_is_skipped_and_a_replay_applies_a_registry_fix(
    store: WarehouseStore, tmp_path: Path
) -> None:
    content = csv_bytes(valid_rows("newco", 2023, 1))
    first = submit(store, tmp_path, "newco_2023.csv", content)
    assert first.status == "rejected"
    assert store.count("partners.rejections") == 2
    assert submit(store, tmp_path, "newco_2023.csv", content).status == "skipped"
    with_newco = (*PARTNERS, Partner("newco", "Nieuwe partner", "company", 2022, None))
    replayed = submit(store, tmp_path, "newco_2023.csv", content, partners=with_newco, replay=True)
    assert replayed.status == "accepted"
    assert store.count("partners.rejections") == 0
    assert submissions(store) == [
        ("newco_2023.csv", "newco", 2023, "accepted", 0, 1, None, True, first.sha256)
    ]


def test_two_runs_cannot_both_accept_a_version_for_the_same_partner_year(
    store: WarehouseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run read the state before the first committed: the versions key stops it."""
    submit(store, tmp_path, "abu_2023.csv", csv_bytes(valid_rows(count=2)))
    monkeypatch.setattr(intake, "_current_version", lambda conn, partner_id, year: (0, None))
    late = archive_bytes(xlsx_bytes(valid_rows(count=5)), "abu_2023.xlsx", tmp_path / "archive")
    assert late.file_name == "abu_2023.xlsx"
    evaluation = evaluate_submission(late.content, late.file_name, PARTNERS, THEMES, YEARS)
    assert evaluation.accepted
    with pytest.raises(WarehouseError, match=r"partners\.versions"):
        record_submission(store, late, evaluation)
    assert action_ids(store) == ["A1", "A2"]
    assert store.count("partners.submissions") == 1
    assert store.count("partners.versions") == 1


def test_a_run_that_lost_the_race_records_its_file_on_top_of_the_winner(
    store: WarehouseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = submit(store, tmp_path, "abu_2023.csv", csv_bytes(valid_rows(count=2)))
    real_current_version = intake._current_version
    calls: list[int] = []

    def stale_once(conn: object, partner_id: str, year: int) -> tuple[int, object]:
        calls.append(year)
        return (0, None) if len(calls) == 1 else real_current_version(conn, partner_id, year)

    monkeypatch.setattr(intake, "_current_version", stale_once)
    second = submit(store, tmp_path, "abu_2023.xlsx", xlsx_bytes(valid_rows(count=4)))
    assert (second.status, second.supersedes_sha256, len(calls)) == ("accepted", first.sha256, 2)
    assert action_ids(store) == ["A1", "A2", "A3", "A4"]
    versions = store.read("SELECT version, sha256 FROM partners.versions ORDER BY version")
    assert rows_of(versions) == [(1, first.sha256), (2, second.sha256)]


def test_the_same_file_cannot_be_recorded_twice(store: WarehouseStore, tmp_path: Path) -> None:
    outcome = submit(store, tmp_path, "abu_2023.csv", csv_bytes(valid_rows()))
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO partners.submissions (sha256, file_name, received_at, processed_at, status, "
                "problem_count, action_count, is_current, archive_path) VALUES (:sha, 'abu_2023.csv', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'rejected', 1, 0, FALSE, 'x')"
            ),
            {"sha": outcome.sha256},
        )
    assert store.count("partners.submissions") == 1


HOSTILE_NAMES = [
    "../../etc/passwd.csv",
    "x'); DROP TABLE partners.actions; --_2023.csv",
    "evil_2023.csv",
]


@pytest.mark.parametrize("file_name", HOSTILE_NAMES)
def test_hostile_names_stay_in_the_data_folder_and_out_of_sql_text(
    store: WarehouseStore, tmp_path: Path, file_name: str
) -> None:
    data_dir = tmp_path / "data"
    statements: list[str] = []

    def remember(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", remember)
    submit(
        store, tmp_path / "elsewhere", "abu_2023.csv", csv_bytes(valid_rows())
    )  # something to lose
    before = {p for p in tmp_path.rglob("*")}
    outcome = submit(store, data_dir, file_name, csv_bytes(valid_rows("evil", 2023, 1)))
    sa.event.remove(store.engine, "before_cursor_execute", remember)

    assert outcome.status == "rejected"
    written = {p for p in tmp_path.rglob("*")} - before
    assert written and all(p.resolve().is_relative_to(data_dir.resolve()) for p in written)
    assert not any("passwd" in p.name or "DROP" in p.name for p in written)
    assert not any(file_name in statement or "evil" in statement for statement in statements)
    stored = store.read(
        "SELECT file_name, partner_id FROM partners.submissions WHERE sha256 = :s",
        {"s": outcome.sha256},
    )
    assert stored["file_name"].tolist() == [file_name]
    assert store.count("partners.actions") == 2  # the table is still there, untouched
    assert set(store.read("SELECT rule FROM partners.rejections")["rule"]) >= {
        "unknown_partner"
    } | ({"file_name_pattern"} if file_name != "evil_2023.csv" else set())


def test_two_concurrent_runs_for_one_partner_year_keep_both_versions(
    store: WarehouseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both runs read the partner-year before either writes; the keys make one retry, none is lost."""
    import threading

    first = submit(store, tmp_path, "abu_2023.csv", csv_bytes(valid_rows(count=1)))
    real_current_version = intake._current_version
    barrier = threading.Barrier(2, timeout=30)
    seen: set[int] = set()

    def read_together(conn: object, partner_id: str, year: int) -> tuple[int, object]:
        result = real_current_version(conn, partner_id, year)
        if threading.get_ident() not in seen:
            seen.add(threading.get_ident())
            barrier.wait()  # both runs hold the same (stale for one of them) view
        return result

    monkeypatch.setattr(intake, "_current_version", read_together)
    contents = {
        "abu_2023.xlsx": xlsx_bytes(valid_rows(count=2)),
        "abu_2023.csv": csv_bytes(valid_rows(count=3)),
    }
    outcomes: dict[str, IntakeOutcome] = {}
    errors: list[BaseException] = []

    def run(file_name: str) -> None:
        try:
            outcomes[file_name] = submit(store, tmp_path, file_name, contents[file_name])
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(name,)) for name in contents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert {outcome.status for outcome in outcomes.values()} == {"accepted"}
    versions = store.read("SELECT version, sha256 FROM partners.versions ORDER BY version")
    assert [v for v, _ in rows_of(versions)] == [1, 2, 3]
    assert {sha for _, sha in rows_of(versions)} == {first.sha256} | {
        o.sha256 for o in outcomes.values()
    }
    current = store.read("SELECT sha256 FROM partners.submissions WHERE is_current")[
        "sha256"
    ].tolist()
    last = rows_of(versions)[-1][1]
    assert current == [last]
    assert set(
        store.read("SELECT submission_sha256 FROM partners.actions")["submission_sha256"]
    ) == {last}
    supersedes = store.read(
        "SELECT supersedes_sha256 FROM partners.submissions WHERE sha256 = :s", {"s": last}
    )["supersedes_sha256"].tolist()
    assert supersedes == [rows_of(versions)[1][1]]


def test_the_same_bytes_under_two_spellings_leave_one_current_version(
    store: WarehouseStore, tmp_path: Path
) -> None:
    """Finding 5: abu_2023.csv and ABU_2023.CSV; partner ids ignore case, names stay as received."""
    content = csv_bytes(numbered_rows("abu", 2023, 3), delimiter=";")
    first = submit(store, tmp_path, "abu_2023.csv", content)
    second = submit(store, tmp_path, "ABU_2023.CSV", content)
    assert (first.status, second.status) == ("accepted", "accepted")
    assert submissions(store) == [
        ("abu_2023.csv", "abu", 2023, "accepted", 0, 3, None, False, first.sha256),
        ("ABU_2023.CSV", "abu", 2023, "accepted", 0, 3, first.sha256, True, first.sha256),
    ]
    versions = store.read("SELECT version, file_name FROM partners.versions ORDER BY version")
    assert rows_of(versions) == [(1, "abu_2023.csv"), (2, "ABU_2023.CSV")]
    assert action_ids(store) == ["1", "2", "3"]


def test_the_warehouse_refuses_a_second_current_version(
    store: WarehouseStore, tmp_path: Path
) -> None:
    """Migration 0008: whatever writes partners.submissions, one current row per partner-year."""
    submit(store, tmp_path, "abu_2023.csv", csv_bytes(numbered_rows("abu", 2023, 2)))
    with pytest.raises(sa.exc.IntegrityError), store.transaction() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO partners.submissions (sha256, file_name, partner_id, reporting_year, "
                "received_at, processed_at, status, problem_count, action_count, is_current, "
                "archive_path) VALUES (:sha, 'ABU_2023.CSV', 'abu', 2023, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, 'accepted', 0, 2, TRUE, 'x')"
            ),
            {"sha": "0" * 64},
        )
    # Not current: any number of rows.
    with store.transaction() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO partners.submissions (sha256, file_name, partner_id, reporting_year, "
                "received_at, processed_at, status, problem_count, action_count, is_current, "
                "archive_path) VALUES (:sha, 'abu_2023 (1).csv', 'abu', 2023, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, 'rejected', 1, 0, FALSE, 'x')"
            ),
            {"sha": "1" * 64},
        )
    assert store.count("partners.submissions", {"is_current": True}) == 1


def test_feedback_is_written_before_the_rejection_is_committed(
    store: WarehouseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 3: when writing the feedback fails, nothing is recorded; the next run writes both."""
    rows = numbered_rows("fnv", 2023, 3)
    rows[1][HEADER.index("status")] = "bezig"
    content = csv_bytes(rows, delimiter=";")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(intake, "write_feedback", disk_full)
    with pytest.raises(OSError, match="No space left"):
        submit(store, tmp_path, "fnv_2023.csv", content)
    assert store.count("partners.submissions") == 0
    monkeypatch.undo()
    outcome = submit(store, tmp_path, "fnv_2023.csv", content)
    assert outcome.status == "rejected"
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == [
        f"fnv_2023_{outcome.sha256[:8]}.md",
        f"fnv_2023_{outcome.sha256[:8]}.xlsx",
    ]


def test_missing_feedback_of_a_rejected_file_is_written_again(
    store: WarehouseStore, tmp_path: Path
) -> None:
    rows = numbered_rows("fnv", 2023, 3)
    rows[1][HEADER.index("status")] = "bezig"
    outcome = submit(store, tmp_path, "fnv_2023.csv", csv_bytes(rows, delimiter=";"))
    md = tmp_path / "feedback" / f"fnv_2023_{outcome.sha256[:8]}.md"
    before = md.read_text(encoding="utf-8")
    assert "| 3 | status | unknown_status |" in before
    md.unlink()
    assert submit(store, tmp_path, "fnv_2023.csv", csv_bytes(rows, delimiter=";")).status == (
        "skipped"
    )
    written = restore_missing_feedback(store, tmp_path / "feedback")
    assert [p.name for p in written] == [md.with_suffix(".xlsx").name, md.name]
    assert md.read_text(encoding="utf-8") == before
    assert restore_missing_feedback(store, tmp_path / "feedback") == []


def test_migration_0008_keeps_the_last_of_two_current_rows(
    warehouse_url: str, tmp_path: Path
) -> None:
    """A warehouse that already holds the two-name case is repaired, not refused, by 0008."""
    import shutil

    from via_pipeline.core.settings.paths import MIGRATIONS_DIR

    before_0008 = tmp_path / "migrations"
    before_0008.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if path.name < "0008":
            shutil.copy(path, before_0008 / path.name)
    store = WarehouseStore(warehouse_url)
    store.migrate(before_0008)
    with store.transaction() as conn:
        for sha, name, processed in (
            ("a" * 64, "abu_2023.csv", "2026-01-05 10:00:00"),
            ("a" * 64, "ABU_2023.CSV", "2026-01-06 10:00:00"),
            ("b" * 64, "fnv_2023.csv", "2026-01-01 10:00:00"),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO partners.submissions (sha256, file_name, partner_id, "
                    "reporting_year, received_at, processed_at, status, problem_count, "
                    "action_count, is_current, archive_path) VALUES (:sha, :name, :partner, 2023, "
                    "CAST(:at AS TIMESTAMP), CAST(:at AS TIMESTAMP), 'accepted', 0, 1, TRUE, 'x')"
                ),
                {"sha": sha, "name": name, "partner": name[:3].lower(), "at": processed},
            )
    assert "0008_one_current_submission_per_partner_year.sql" in store.migrate()
    current = store.read(
        "SELECT file_name FROM partners.submissions WHERE is_current ORDER BY file_name"
    )
    assert current["file_name"].tolist() == ["ABU_2023.CSV", "fnv_2023.csv"]
    store.dispose()
