"""Which files of output/<year>/ are one programme's letter, and the copy into a sent/<year>/
that holds another programme's folder already (core/letter/releases/files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.core.letter.releases import files as release_files
from via_pipeline.core.letter.releases.files import (
    copying_read_only,
    file_records,
    other_programme_folders,
    programme_files,
    programme_subfolder,
)
from via_pipeline.core.letter.releases.records import ReleaseError
from via_pipeline.core.partners.programmes import load_programmes

PROGRAMMES = load_programmes()
NAMES = [
    "gap_unemployment_rate_2023.png",
    "voortgang_statushouders_2023_acties_per_jaar.png",
    "voortgang_statushouders_2023_bijlage.md",
    "voortgang_via_2023_bijlage.md",
]


def _output(tmp_path: Path) -> Path:
    folder = tmp_path / "output" / "2023"
    folder.mkdir(parents=True)
    for name in NAMES:
        (folder / name).write_text(name, encoding="utf-8")
    return folder


def test_each_programme_owns_its_prefix_and_the_default_the_rest(tmp_path: Path) -> None:
    folder = _output(tmp_path)
    via = file_records(folder, programme=programme_files(PROGRAMMES, "via"))
    own = file_records(folder, programme=programme_files(PROGRAMMES, "statushouders"))
    assert [r.path for r in via] == [
        "gap_unemployment_rate_2023.png",
        "voortgang_via_2023_bijlage.md",
    ]
    assert [r.path for r in own] == NAMES[1:3]
    assert (
        programme_subfolder(PROGRAMMES, "via"),
        programme_subfolder(PROGRAMMES, "statushouders"),
    ) == (
        None,
        "statushouders",
    )
    assert other_programme_folders(PROGRAMMES, "via") == ("statushouders",)
    assert other_programme_folders(PROGRAMMES, "statushouders") == ()


def test_a_year_folder_holding_another_programme_is_filled_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _output(tmp_path)
    target = tmp_path / "sent" / "2023"
    (target / "statushouders").mkdir(parents=True)
    records = file_records(source, programme=programme_files(PROGRAMMES, "via"))
    # Without the folder named as another programme's, the year's folder is not written into.
    with (
        pytest.raises(ReleaseError, match="exists already"),
        copying_read_only(source, records, target),
    ):
        pass
    # A failed rename halfway puts back what was moved: the folder holds none of the release.
    real_rename = Path.rename

    def failing(path: Path, to: Path) -> Path:
        if path.name == "voortgang_via_2023_bijlage.md" and to.parent == target:
            raise OSError("disk full")
        return real_rename(path, to)

    monkeypatch.setattr(Path, "rename", failing)
    with (
        pytest.raises(OSError, match="disk full"),
        copying_read_only(source, records, target, ("statushouders",)),
    ):
        pass
    assert sorted(p.name for p in target.iterdir()) == ["statushouders"]
    monkeypatch.setattr(Path, "rename", real_rename)
    with copying_read_only(source, records, target, ("statushouders",)):
        pass
    assert sorted(p.name for p in target.iterdir()) == [
        "gap_unemployment_rate_2023.png",
        "statushouders",
        "voortgang_via_2023_bijlage.md",
    ]
    assert release_files.sha256_of(target / "voortgang_via_2023_bijlage.md") == records[1].sha256
