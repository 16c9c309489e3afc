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
    """The year's sent release, if any: shown on the letter assets' pages."""
    from via_pipeline.core.letter.releases.records import latest_release

    release = latest_release(store, year)
    if release is None:
        return {"sent_release": "not sent (no `via-pipeline letter approve` yet)"}
    return {
        "sent_release": release.describe(),
        "sent_dir": dg.MetadataValue.path(release.sent_dir),
    }


def sent_files_check(
    store: WarehouseStore, year: int, asset_key: dg.AssetKey
) -> dg.AssetCheckResult:
    """The year's sent files against their record (`letter verify`); a warning when not."""
    from via_pipeline.core.letter.releases.verify import verify_year

    found = verify_year(store, year)
    lines = found.lines() if found else [f"reporting year {year} was not sent: nothing to check"]
    return dg.AssetCheckResult(
        check_name=SENT_FILES_CHECK,
        asset_key=asset_key,
        passed=found is None or found.intact,
        severity=dg.AssetCheckSeverity.WARN,
        description=lines[0],
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
