"""`letter approve` and `letter verify` on both engines: the refusals, the release record, the
read-only copy under sent/, an erratum beside it, and verify on changed, missing, added files."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from via_pipeline.core.letter.config import load_key_figure_config, load_themes
from via_pipeline.core.letter.releases.approve import ApprovalRequest, BuildFacts, approve
from via_pipeline.core.letter.releases.files import sha256_of
from via_pipeline.core.letter.releases.records import ReleaseError, releases
from via_pipeline.core.letter.releases.verify import verify_year
from via_pipeline.core.warehouse import WarehouseStore
from via_pipeline_tests.support.releases import FIGURE, RUN, record_build

CONFIG = load_key_figure_config()
FACTS = BuildFacts(
    annex_run_id=RUN,
    stale_reason=None,
    blocking_checks={("letter/key_figures", "sentences_complete_without_minus_signs")},
)


def _build(store: WarehouseStore, data_dir: Path, *, succeeded: bool = True) -> Path:
    return record_build(store, data_dir, succeeded=succeeded)


def _approve(store: WarehouseStore, data_dir: Path, **request: object) -> object:
    return approve(
        store,
        ApprovalRequest(2022, "J. Jansen", **request),  # type: ignore[arg-type]
        FACTS,
        CONFIG,
        data_dir,
        data_dir / "output",
        now=datetime(2026, 12, 3, 14, 2, tzinfo=UTC),
    )


def _refused(store: WarehouseStore, data_dir: Path, facts: BuildFacts = FACTS) -> str:
    with pytest.raises(ReleaseError) as refused:
        approve(
            store, ApprovalRequest(2022, "J. Jansen"), facts, CONFIG, data_dir, data_dir / "output"
        )
    assert releases(store, 2022) == []
    assert not (data_dir / "sent").exists()
    return str(refused.value)


def test_a_year_never_built_is_refused(store: WarehouseStore, tmp_path: Path) -> None:
    assert _refused(store, tmp_path) == (
        "reporting year 2022 was never built: run `via-pipeline run --year 2022` first"
    )


def test_a_failed_build_is_refused_with_its_cause(store: WarehouseStore, tmp_path: Path) -> None:
    _build(store, tmp_path, succeeded=False)
    assert _refused(store, tmp_path) == (
        "the last build of reporting year 2022 (run 3f24ab12) failed: monitor/gaps: no rows"
    )


@pytest.mark.parametrize("run_failed", [False, True])
def test_a_failed_blocking_check_is_refused(
    store: WarehouseStore, tmp_path: Path, run_failed: bool
) -> None:
    # Dagster fails the run when a blocking check fails: the check is named either way.
    _build(store, tmp_path, succeeded=not run_failed)
    outcome = {"run_id": RUN, "partition": "2022", "expectation": "x", "unexpected_count": 1}
    store.insert(
        "quality.validation_results",
        pd.DataFrame(
            [
                # a failed warning check does not stop an approval; the blocking one does
                {
                    **outcome,
                    "asset_key": "letter/theme_progress",
                    "check_name": "status_counts_add_up",
                },
                {
                    **outcome,
                    "asset_key": "letter/key_figures",
                    "check_name": "sentences_complete_without_minus_signs",
                },
            ]
        ).assign(success=False, details=None, evaluated_at=datetime(2026, 12, 3, 9)),
    )
    assert _refused(store, tmp_path) == (
        "the last build of reporting year 2022 (run 3f24ab12) failed the blocking check "
        "sentences_complete_without_minus_signs on letter/key_figures: fix it and run "
        "`via-pipeline run --year 2022` first"
    )


def test_files_older_than_their_inputs_are_refused(store: WarehouseStore, tmp_path: Path) -> None:
    _build(store, tmp_path)
    stale = BuildFacts(RUN, "changed since the build: cbs/statline")
    assert _refused(store, tmp_path, stale) == (
        "the files of reporting year 2022 are older than their inputs (changed since the "
        "build: cbs/statline): run `via-pipeline run --year 2022` first"
    )


def test_approve_records_and_copies_read_only_and_a_second_needs_supersede(
    store: WarehouseStore, tmp_path: Path
) -> None:
    output = _build(store, tmp_path)
    release = _approve(store, tmp_path, note="ambtelijk afgestemd")
    sent = tmp_path / "sent" / "2022"
    assert release.sent_dir == str(sent)  # type: ignore[attr-defined]
    names = sorted(p.name for p in sent.iterdir())
    assert names == [
        "gap_unemployment_rate_2022.png",
        "voortgang_via_2022_bijlage.docx",
        "voortgang_via_2022_bijlage.md",
    ]
    for path in sent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
        assert path.read_bytes() == (output / path.name).read_bytes()
    (row,) = store.read_table("letter.releases").to_dict("records")
    assert (row["programme"], row["reporting_year"], row["release_number"]) == ("via", 2022, 1)
    assert (row["approved_by"], row["note"], row["run_id"]) == (
        "J. Jansen",
        "ambtelijk afgestemd",
        RUN,
    )
    assert pd.Timestamp(row["approved_at"]) == pd.Timestamp("2026-12-03 14:02")
    files = store.read_table("letter.release_files").sort_values("path")
    md = output / "voortgang_via_2022_bijlage.md"
    assert files["path"].tolist() == names
    assert files.iloc[2]["sha256"] == sha256_of(md)
    assert int(files.iloc[2]["size_bytes"]) == md.stat().st_size
    inputs = store.read_table("letter.release_inputs")
    config = inputs[inputs["input_kind"] == "config_file"]
    assert "key_figures.yaml" in set(config["input_name"])
    assert config["content"].str.len().min() > 0
    figures = store.read_table("letter.release_figures")
    (figure,) = figures[figures["figure_key"] == FIGURE].to_dict("records")
    assert (figure["figure_key"], figure["period"], figure["value"]) == (FIGURE, 2022, 2.9)
    assert figure["figure_label"] == "Werkloosheid: herkomst buiten Europa t.o.v. gemiddelde"
    assert figure["source_table"] == "85456NED"
    # Per theme, the actions reported (none here), with the year's partner files as version.
    counts = figures[figures["figure_key"].str.startswith("acties:")]
    assert len(counts) == len(load_themes()) and set(counts["value"]) == {0.0}
    assert set(counts["source_version"]) == {"geen"}

    # Approved twice: refused without --supersede, the sent files untouched.
    twice = re.escape(
        "approved already (release 1 of 2022, approved 2026-12-03 14:02 UTC by J. Jansen): "
        "give --supersede REASON"
    )
    with pytest.raises(ReleaseError, match=twice):
        _approve(store, tmp_path)
    (output / "voortgang_via_2022_bijlage.md").write_text("# Bijlage\n3,0\n", encoding="utf-8")
    erratum = _approve(store, tmp_path, supersede_reason="erratum tabel 1")
    assert erratum.sent_dir == str(sent / "release-2")  # type: ignore[attr-defined]
    assert (sent / "voortgang_via_2022_bijlage.md").read_text(
        encoding="utf-8"
    ) == "# Bijlage\n2,9\n"
    assert (sent / "release-2" / "voortgang_via_2022_bijlage.md").read_text(
        encoding="utf-8"
    ) == "# Bijlage\n3,0\n"
    assert [(r.release_number, r.supersede_reason) for r in releases(store, 2022)] == [
        (1, None),
        (2, "erratum tabel 1"),
    ]
    # Release 1 still verifies: the erratum's subfolder is not one of its files.
    first = releases(store, 2022)[0]
    from via_pipeline.core.letter.releases.verify import verify_release

    assert verify_release(store, first).intact


def test_verify_names_changed_missing_and_added_files(
    store: WarehouseStore, tmp_path: Path
) -> None:
    _build(store, tmp_path)
    _approve(store, tmp_path)
    intact = verify_year(store, 2022)
    assert intact is not None and intact.intact
    sent = tmp_path / "sent" / "2022"
    assert intact.lines() == [
        f"release 1 of 2022, approved 2026-12-03 14:02 UTC by J. Jansen: all 3 files in {sent} are as sent"
    ]
    md = sent / "voortgang_via_2022_bijlage.md"
    md.chmod(0o644)
    md.write_text("# Bijlage\n3,3\n", encoding="utf-8")
    (sent / "gap_unemployment_rate_2022.png").unlink()
    (sent / "notitie.txt").write_text("los", encoding="utf-8")
    found = verify_year(store, 2022)
    assert found is not None and not found.intact
    assert found.lines() == [
        "release 1 of 2022, approved 2026-12-03 14:02 UTC by J. Jansen: 3 file(s) differ from what was sent",
        f"changed: {md} (its SHA-256 differs from the one sent)",
        f"missing: {sent / 'gap_unemployment_rate_2022.png'}",
        f"added: {sent / 'notitie.txt'} (not in the release)",
    ]
    assert verify_year(store, 2023) is None


def test_a_year_built_outside_the_cli_is_refused(store: WarehouseStore, tmp_path: Path) -> None:
    _build(store, tmp_path)
    store.replace("quality.runs", store.read_table("quality.runs").iloc[0:0])
    assert _refused(store, tmp_path) == (
        "reporting year 2022 was not built by `via-pipeline run` (no build in quality.runs): "
        "run `via-pipeline run --year 2022` first"
    )
