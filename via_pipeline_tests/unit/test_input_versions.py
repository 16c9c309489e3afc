"""Input versions: what decides that `via-pipeline run` leaves an asset out as unchanged."""

import os
from pathlib import Path

from via_pipeline.core.input_versions import asset_input_versions, code_version, inbox_version

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
    assert inbox_version(tmp_path, of_2023) not in (empty, added)


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
