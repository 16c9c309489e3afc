"""What the letter assets show about the letter as sent (issue 22): the year's release on their
pages, and the two non-blocking checks of letter/annex (core/letter/releases/)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from via_pipeline.core.letter.check_names import REVISION_SIZE_CHECK, SENT_FILES_CHECK

if TYPE_CHECKING:
    from via_pipeline.core.letter.releases.report import AnnexRevisions
    from via_pipeline.core.warehouse import WarehouseStore


def release_metadata(store: WarehouseStore, year: int) -> dict[str, dg.RawMetadataValue]:
    """The year's sent release, if any: shown on the letter assets' pages (another programme's
    as `sent_release_<code>`)."""
    from via_pipeline.core.letter.releases.records import default_programme, every_release

    newest = {release.programme: release for release in every_release(store, year)}
    default = default_programme()
    release = newest.pop(default, None)
    shown: dict[str, dg.RawMetadataValue] = (
        {"sent_release": "not sent (no `via-pipeline letter approve` yet)"}
        if release is None
        else {
            "sent_release": release.describe(),
            "sent_dir": dg.MetadataValue.path(release.sent_dir),
        }
    )
    for code, other in sorted(newest.items()):
        shown[f"sent_release_{code}"] = other.describe()
        shown[f"sent_dir_{code}"] = dg.MetadataValue.path(other.sent_dir)
    return shown


def sent_files_check(
    store: WarehouseStore, year: int, asset_key: dg.AssetKey
) -> dg.AssetCheckResult:
    """The sent files of each programme's letter of the year against their record (`letter
    verify`); a warning when not."""
    from via_pipeline.core.letter.releases.verify import verify_letters

    found = verify_letters(store, year)
    lines = [line for result in found for line in result.lines()] or [
        f"reporting year {year} was not sent: nothing to check"
    ]
    broken = [result for result in found if not result.intact]
    return dg.AssetCheckResult(
        check_name=SENT_FILES_CHECK,
        asset_key=asset_key,
        passed=not broken,
        severity=dg.AssetCheckSeverity.WARN,
        description=broken[0].lines()[0] if broken else lines[0],
        metadata={"result": dg.MetadataValue.md("\n".join(f"- {line}" for line in lines))},
    )


def revision_size_check(sent: AnnexRevisions, asset_key: dg.AssetKey) -> dg.AssetCheckResult:
    """A warning when a sent figure was revised by revision_warning_pp or more."""
    return dg.AssetCheckResult(
        check_name=REVISION_SIZE_CHECK,
        asset_key=asset_key,
        passed=not sent.warnings,
        severity=dg.AssetCheckSeverity.WARN,
        description=sent.warnings[0] if sent.warnings else "no large revision",
        metadata={
            "revisions": dg.MetadataValue.md(
                "\n".join(f"- {r.line()}" for r in sent.own) or "_none_"
            ),
            "warnings": dg.MetadataValue.md(
                "\n".join(f"- {line}" for line in sent.warnings) or "_none_"
            ),
        },
    )
