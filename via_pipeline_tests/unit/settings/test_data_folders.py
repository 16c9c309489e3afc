"""Guards the data folders (issue 26, item 10): VIA_DATA_DIR or one of its folders being a file is one
line naming the variable, never "File exists" or an empty inbox; the first run creates the folders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from via_pipeline.core.partners.inbox import scan_inbox
from via_pipeline.core.settings.environment import (
    ConfigurationError,
    create_data_folders,
    load_settings,
)
from via_pipeline_tests.support.partners import csv_bytes, drop_in_inbox, numbered_rows


def test_data_dir_that_is_a_file_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    a_file = tmp_path / "via-data"
    a_file.write_text("exported by mistake\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"VIA_DATA_DIR": str(a_file)})
    assert str(raised.value) == f"VIA_DATA_DIR: {a_file} is a file, not a folder"
    with pytest.raises(ConfigurationError) as below:
        load_settings({"VIA_DATA_DIR": str(a_file / "data")})
    assert str(below.value) == (
        f"VIA_DATA_DIR: {a_file / 'data'} cannot be created, {a_file} is a file"
    )


@pytest.mark.parametrize("folder", ["inbox", "archive", "feedback", "output"])
def test_a_data_folder_that_is_a_file_is_named(tmp_path: Path, folder: str) -> None:
    (tmp_path / folder).write_bytes(b"")
    with pytest.raises(ConfigurationError) as raised:
        load_settings({"VIA_DATA_DIR": str(tmp_path)})
    assert str(raised.value) == (
        f"VIA_DATA_DIR: {tmp_path / folder} is a file, but must be the {folder} folder; "
        "move the file away"
    )


def test_an_inbox_that_is_a_file_is_an_error_not_an_empty_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.write_bytes(csv_bytes(numbered_rows("vng", 2023, 2), delimiter=";"))
    with pytest.raises(ConfigurationError) as raised:
        scan_inbox(inbox, quiet_seconds=0)
    assert str(raised.value) == (
        f"VIA_DATA_DIR: {inbox} is not a folder; the inbox must be a folder "
        "(move the file away, partner files go inside it)"
    )


def test_the_first_scan_creates_the_inbox(tmp_path: Path) -> None:
    data = tmp_path / "data"
    scan = scan_inbox(data / "inbox", quiet_seconds=0)
    assert (scan.ready, scan.young, scan.skipped) == ((), (), ())
    assert (data / "inbox").is_dir()
    drop_in_inbox(data / "inbox", "vng_2023.csv", csv_bytes(numbered_rows("vng", 2023, 1)))
    assert [found.file_name for found in scan_inbox(data / "inbox", 0).ready] == ["vng_2023.csv"]


def test_create_data_folders_makes_every_folder_once(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    created = create_data_folders(data)
    assert [path.name for path in created] == ["inbox", "archive", "feedback", "output"]
    assert all(path.is_dir() for path in created)
    (data / "inbox" / "abu_2023.csv").write_bytes(b"kept")
    create_data_folders(data)
    assert (data / "inbox" / "abu_2023.csv").read_bytes() == b"kept"
