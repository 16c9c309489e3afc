"""Input versions: what decides that `via-pipeline run` leaves an asset out as unchanged."""

import os
from pathlib import Path

import pytest

from via_pipeline.core.runs.input_versions import asset_input_versions, code_version, inbox_version

PARENTS = {"cbs/tables": ["cbs/statline"], "monitor/gaps": ["cbs/tables"], "partners/actions": []}


def test_a_changed_input_reaches_exactly_the_assets_downstream() -> None:
    before = asset_input_versions({"cbs/statline": ["82809NED:live:2024-03-01"]}, PARENTS, "c1")
    after = asset_input_versions({"cbs/statline": ["82809NED:live:2025-03-01"]}, PARENTS, "c1")
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"cbs/statline", "cbs/tables", "monitor/gaps"}
    new_code = asset_input_versions({"cbs/statline": ["82809NED:live:2024-03-01"]}, PARENTS, "c2")
    assert all(before[name] != new_code[name] for name in before)


def test_inbox_version_follows_the_years_files_only(tmp_path: Path) -> None:
    def of_2023(name: str) -> bool:
        return "2023" in name

    empty = inbox_version(tmp_path, of_2023)
    (tmp_path / "abu_2024.csv").write_text("actie_id;titel\n1;Werkfit\n")
    assert inbox_version(tmp_path, of_2023) == empty
    partner_file = tmp_path / "abu_2023.csv"
    partner_file.write_text("actie_id;titel\n1;Werkfit\n")
    added = inbox_version(tmp_path, of_2023)
    assert added != empty
    assert inbox_version(tmp_path, of_2023) == added
    # The same name sent again with other content (size or time differs): changed.
    partner_file.write_text("actie_id;titel\n1;Werkfit 2\n")
    os.utime(partner_file, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    changed = inbox_version(tmp_path, of_2023)
    assert changed not in (empty, added)
    # Entries the intake never takes in do not make the year changed.
    (tmp_path / "~$abu_2023.xlsx").write_bytes(b"lock")
    (tmp_path / "vng_2023.csv").mkdir()
    (tmp_path / "sbb_2023.csv").symlink_to(partner_file)
    assert inbox_version(tmp_path, of_2023) == changed


def test_code_version_changes_with_a_config_file(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "monitor.yaml").write_text("gap_reference: totaal\n")
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots" / "82809NED.json").write_text("{}")
    first = code_version((tmp_path,))
    (tmp_path / "snapshots" / "82809NED.json").write_text('{"x": 1}')
    assert code_version((tmp_path,)) == first  # the snapshot is the CBS input, not code
    (tmp_path / "config" / "monitor.yaml").write_text("gap_reference: 15-74\n")
    assert code_version((tmp_path,)) != first


def test_only_a_job_with_cbs_assets_asks_cbs_for_its_versions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`run --year N` plans the year before's intake too: that plan must not ask CBS again
    (offline, the fallback warning was printed twice)."""
    import dagster as dg

    from via_pipeline.cli import plan as cli_plan
    from via_pipeline.core.settings.environment import load_settings
    from via_pipeline.definitions import defs

    asked: list[str] = []
    monkeypatch.setattr(cli_plan, "cbs_version", lambda warn: asked.append("cbs") or "v1")
    settings = load_settings({"VIA_DATA_DIR": str(tmp_path), "DAGSTER_HOME": str(tmp_path)})
    with dg.instance_for_test() as instance:
        partners = cli_plan.plan_for(
            defs.resolve_job_def("partners_submission_job"),
            instance,
            settings,
            2023,
            force=False,
            warn=print,
        )
        assert asked == [] and "cbs/statline" not in partners.versions
        yearly = cli_plan.plan_for(
            defs.resolve_job_def("via_yearly_build_job"),
            instance,
            settings,
            2024,
            force=False,
            warn=print,
        )
    assert asked == ["cbs"] and "cbs/statline" in yearly.versions
