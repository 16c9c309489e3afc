"""Guards the inbox sensor: a run request per new or changed file (by hash), the cursor, nothing twice."""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg
import pytest

from via_pipeline.core.partners.archive import sha256_of
from via_pipeline.core.partners.inbox import InboxScan
from via_pipeline.defs.partners import sensors
from via_pipeline.defs.partners.assets import reporting_years
from via_pipeline.defs.partners.resources import Inbox
from via_pipeline.defs.partners.sensors import partners_inbox_sensor
from via_pipeline_tests.support.partners import csv_bytes, drop_in_inbox, valid_rows, xlsx_bytes


def tick(
    data_dir: Path, cursor: str | None, instance: dg.DagsterInstance | None = None
) -> dg.SensorResult | dg.SkipReason:
    context = dg.build_sensor_context(
        cursor=cursor,
        instance=instance or dg.DagsterInstance.ephemeral(),
        resources={"inbox": Inbox(data_dir=str(data_dir))},
    )
    return partners_inbox_sensor(context)


def requested(result: dg.SensorResult) -> list[tuple[str | None, str, str, str]]:
    rows = []
    for request in result.run_requests or []:
        (file_ref,) = request.run_config["ops"]["partners_intake"]["config"]["files"]
        rows.append(
            (
                request.partition_key,
                file_ref["file_name"],
                file_ref["sha256"],
                request.tags["via/partner"],
            )
        )
    return rows


def test_empty_inbox_skips_with_a_reason(tmp_path: Path) -> None:
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SkipReason)
    assert "no new or changed files" in str(result.skip_message)


def test_new_files_request_one_run_each_and_are_archived(tmp_path: Path) -> None:
    abu = csv_bytes(valid_rows("abu", 2023))
    fnv = xlsx_bytes(valid_rows("fnv", 2022))
    drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", abu)
    drop_in_inbox(tmp_path / "inbox", "fnv_2022.xlsx", fnv)
    drop_in_inbox(tmp_path / "inbox", "~$fnv_2022.xlsx", b"office lock file")
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SensorResult)
    assert sorted(requested(result)) == [
        ("2022", "fnv_2022.xlsx", sha256_of(fnv), "fnv"),
        ("2023", "abu_2023.csv", sha256_of(abu), "abu"),
    ]
    assert json.loads(result.cursor or "") == {
        "abu_2023.csv": sha256_of(abu),
        "fnv_2022.xlsx": sha256_of(fnv),
        "~$fnv_2022.xlsx": "skipped:tijdelijk bestand van Office (het bestand is nog open)",
    }
    assert (tmp_path / "archive" / f"{sha256_of(abu)}.csv").read_bytes() == abu
    assert (tmp_path / "archive" / f"{sha256_of(fnv)}.xlsx").read_bytes() == fnv


def test_nothing_new_after_a_tick_even_when_a_file_is_touched(tmp_path: Path) -> None:
    path = drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", csv_bytes(valid_rows()))
    first = tick(tmp_path, None)
    assert isinstance(first, dg.SensorResult)
    os.utime(path, (path.stat().st_atime - 60, path.stat().st_mtime - 60))
    second = tick(tmp_path, first.cursor)
    assert isinstance(second, dg.SkipReason)
    assert "1 file(s) already seen" in str(second.skip_message)


def test_changed_content_under_the_same_name_is_requested_again(tmp_path: Path) -> None:
    drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", csv_bytes(valid_rows(count=1)))
    drop_in_inbox(tmp_path / "inbox", "fnv_2023.csv", csv_bytes(valid_rows("fnv")))
    first = tick(tmp_path, None)
    assert isinstance(first, dg.SensorResult)
    changed = csv_bytes(valid_rows(count=4))
    drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", changed)
    second = tick(tmp_path, first.cursor)
    assert isinstance(second, dg.SensorResult)
    assert requested(second) == [("2023", "abu_2023.csv", sha256_of(changed), "abu")]
    assert json.loads(second.cursor or "")["abu_2023.csv"] == sha256_of(changed)


def test_a_name_without_a_known_year_goes_to_the_latest_year(tmp_path: Path) -> None:
    drop_in_inbox(tmp_path / "inbox", "voortgang VIA.csv", b"anything")
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SensorResult)
    assert requested(result) == [
        (str(max(reporting_years())), "voortgang VIA.csv", sha256_of(b"anything"), "onbekend")
    ]


def test_the_file_system_call_is_replaceable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def fake_scan(inbox: Inbox) -> InboxScan:
        calls.append(inbox.inbox_dir)
        return InboxScan((), (), ())

    monkeypatch.setattr(sensors, "scan_inbox", fake_scan)
    drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", csv_bytes(valid_rows()))
    assert isinstance(tick(tmp_path, None), dg.SkipReason)
    assert calls == [tmp_path.resolve() / "inbox"]


def test_sensor_runs_queue_as_warehouse_writers(tmp_path: Path) -> None:
    """The production queue lets one warehouse writer through at a time; intake runs are writers."""
    drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", csv_bytes(valid_rows("abu", 2023)))
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests or []
    assert request.tags["via/warehouse"] == "write"


def test_a_file_still_changing_is_left_for_a_later_tick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 2: a copy in progress is not archived nor requested until it has settled."""
    monkeypatch.setenv("VIA_INBOX_QUIET_SECONDS", "10")
    path = drop_in_inbox(tmp_path / "inbox", "abu_2023.csv", csv_bytes(valid_rows(count=3)))
    first = tick(tmp_path, None)
    assert isinstance(first, dg.SkipReason)
    assert "1 still changing" in str(first.skip_message)
    assert not (tmp_path / "archive").exists()
    os.utime(path, (path.stat().st_atime - 11, path.stat().st_mtime - 11))
    second = tick(tmp_path, None)
    assert isinstance(second, dg.SensorResult)
    assert [row[1] for row in requested(second)] == ["abu_2023.csv"]


def test_other_entries_are_logged_once_and_a_file_over_the_limit_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings 6 and 7: a symlink and a folder named like a file are reported (once); an
    oversize file asks for one run and is then known by its size and modification time.
    """
    from via_pipeline.core.partners import inbox as core_inbox

    inbox = tmp_path / "inbox"
    (inbox / "vng_2023.csv").mkdir(parents=True)
    (inbox / "sbb_2023.csv").symlink_to(tmp_path)
    huge = inbox / "uwv_2023.csv"
    with huge.open("wb") as stream:
        stream.truncate(11 * 1024 * 1024)  # over the 10 MiB limit
    warnings: list[str] = []
    monkeypatch.setattr(dg.SensorEvaluationContext, "log", property(lambda self: FakeLog(warnings)))
    first = tick(tmp_path, None)
    assert isinstance(first, dg.SensorResult)
    (request,) = first.run_requests or []
    assert request.run_config["ops"]["partners_intake"]["config"]["files"][0]["file_name"] == (
        "uwv_2023.csv"
    )
    assert sorted(warnings) == [
        "sbb_2023.csv: overgeslagen: symbolische koppeling (zet het bestand zelf in de inbox)",
        "vng_2023.csv: overgeslagen: map, geen bestand",
    ]

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the oversize file was read again")

    monkeypatch.setattr(sensors, "read_inbox_file", no_reading)
    monkeypatch.setattr(core_inbox, "read_inbox_file", no_reading)
    second = tick(tmp_path, first.cursor)
    assert isinstance(second, dg.SkipReason)
    assert len(warnings) == 2  # not reported again


class FakeLog:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def warning(self, message: str) -> None:
        self.lines.append(message)

    def info(self, message: str) -> None:  # the past-year line; that test counts warnings
        pass


class InfoLog(FakeLog):
    def info(self, message: str) -> None:
        self.lines.append(message)


def logged_lines(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    lines: list[str] = []
    monkeypatch.setattr(dg.SensorEvaluationContext, "log", property(lambda self: InfoLog(lines)))
    return lines


def selected(request: dg.RunRequest) -> set[str]:
    return {key.to_user_string() for key in request.asset_selection or []}


INTAKE = {"partners/submissions", "partners/actions", "partners/rejections"}
LETTER = {
    "letter/key_figures",
    "letter/theme_progress",
    "letter/partner_reporting",
    "letter/action_progress",
    "letter/progress_movements",
    "letter/agenda_progress",
    "letter/annex",
}


def test_the_sensors_letter_assets_are_the_letter_group() -> None:
    from via_pipeline.definitions import defs
    from via_pipeline_tests.support.orchestration import asset_groups

    letter_group = {"/".join(key) for key, group in asset_groups(defs).items() if group == "letter"}
    assert {key.to_user_string() for key in sensors.LETTER_KEYS} == letter_group == LETTER


def test_a_running_years_file_asks_for_its_intake_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Automation rebuilds the running year's letter once the intake's blocking checks passed."""
    monkeypatch.setattr(sensors, "reporting_years", lambda: [2022, 2023, 2024])
    drop_in_inbox(tmp_path / "inbox", "abu_2024.csv", csv_bytes(valid_rows("abu", 2024)))
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests or []
    assert (request.partition_key, selected(request)) == ("2024", INTAKE)


def test_a_past_years_file_asks_for_that_years_letter_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """abu_2022.csv while the running year is 2024: partition 2022, partner and letter assets."""
    monkeypatch.setattr(sensors, "reporting_years", lambda: [2022, 2023, 2024])
    content = csv_bytes(valid_rows("abu", 2022))
    drop_in_inbox(tmp_path / "inbox", "abu_2022.csv", content)
    lines = logged_lines(monkeypatch)
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests or []
    assert request.partition_key == "2022"
    assert selected(request) == INTAKE | LETTER
    assert requested(result) == [("2022", "abu_2022.csv", sha256_of(content), "abu")]
    assert request.tags["via/warehouse"] == "write"
    assert lines == [
        "abu_2022.csv is for past reporting year 2022 (running year 2024): its run rebuilds "
        "the letter of 2022 too"
    ]


def test_a_past_years_file_also_asks_again_for_later_letters_already_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2024's letter is built (2023's is not): its progress across years reads 2022's actions
    only through 2023, but its agenda progress reads every year; it is asked for after 2022."""
    monkeypatch.setattr(sensors, "reporting_years", lambda: [2022, 2023, 2024])
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=sensors.ANNEX_KEY, partition="2024")
    )
    content = csv_bytes(valid_rows("abu", 2022))
    drop_in_inbox(tmp_path / "inbox", "abu_2022.csv", content)
    lines = logged_lines(monkeypatch)
    result = tick(tmp_path, None, instance)
    assert isinstance(result, dg.SensorResult)
    first, second = result.run_requests or []
    assert (first.partition_key, selected(first)) == ("2022", INTAKE | LETTER)
    assert (second.partition_key, selected(second)) == ("2024", LETTER)
    assert (second.run_key or "").startswith("letter:2024:after:")
    assert second.tags["via/after_files"] == "abu_2022.csv"
    assert second.tags["via/warehouse"] == "write"
    assert lines == [
        "abu_2022.csv is for past reporting year 2022 (running year 2024): its run rebuilds "
        "the letter of 2022 too; then the letter of 2024 (built already; its progress across "
        "years reads 2022's actions)"
    ]


def test_a_past_years_request_is_a_valid_run_of_the_sensors_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The intake's run config holds in the job cut to partners and letter assets."""
    from via_pipeline.definitions import defs

    monkeypatch.setattr(sensors, "reporting_years", lambda: [2022, 2023, 2024])
    drop_in_inbox(tmp_path / "inbox", "abu_2022.csv", csv_bytes(valid_rows("abu", 2022)))
    result = tick(tmp_path, None)
    assert isinstance(result, dg.SensorResult)
    (request,) = result.run_requests or []
    repository = defs.get_repository_def()
    job = repository.get_job(repository.get_sensor_def("partners_inbox_sensor").job_name)
    subset = job.get_subset(asset_selection=set(request.asset_selection or []))
    assert dg.validate_run_config(subset, request.run_config)["ops"]["partners_intake"]
    assert {key.to_user_string() for key in subset.asset_layer.executable_asset_keys} >= (
        INTAKE | LETTER
    )


def test_files_of_several_past_years_run_oldest_first_and_each_later_letter_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fnv_2023 and abu_2022 in one tick, 2023's and 2024's letters built: 2022 first (its
    intake and letter), then 2023 (intake and letter, reading 2022), then 2024's letter once."""
    monkeypatch.setattr(sensors, "reporting_years", lambda: [2022, 2023, 2024])
    instance = dg.DagsterInstance.ephemeral()
    for year in ("2023", "2024"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key=sensors.ANNEX_KEY, partition=year)
        )
    drop_in_inbox(tmp_path / "inbox", "fnv_2023.csv", csv_bytes(valid_rows("fnv", 2023)))
    drop_in_inbox(tmp_path / "inbox", "abu_2022.csv", csv_bytes(valid_rows("abu", 2022)))
    result = tick(tmp_path, None, instance)
    assert isinstance(result, dg.SensorResult)
    assert [
        (request.partition_key, selected(request)) for request in result.run_requests or []
    ] == [("2022", INTAKE | LETTER), ("2023", INTAKE | LETTER), ("2024", LETTER)]
    last = (result.run_requests or [])[-1]
    assert last.tags["via/after_files"] == "abu_2022.csv, fnv_2023.csv"
