"""A portal for tests: the app on a data folder, a settable clock, links made as `invite` makes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.portal.config import load_portal_config
from via_pipeline.core.portal.invites import invite_coordinator, invite_partner, revoke
from via_pipeline.core.portal.paths import PortalPaths
from via_pipeline.core.portal.records import PortalRecords
from via_pipeline.core.settings.paths import CONFIG_DIR

# Before the 2023 deadline (15 September 2023, 23:59 Amsterdam).
BEFORE_DEADLINE = datetime(2023, 6, 1, 10, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = BEFORE_DEADLINE

    def __call__(self) -> datetime:
        return self.now


@dataclass
class PortalUnderTest:
    data_dir: Path
    clock: Clock = field(default_factory=Clock)
    config_dir: Path = CONFIG_DIR

    def __post_init__(self) -> None:
        from via_pipeline.portal.app import create_app

        self.paths = PortalPaths(self.data_dir)
        self.app = create_app(self.data_dir, self.config_dir, clock=self.clock)
        self.records = PortalRecords(self.paths.records)

    def invite(self, partner_id: str = "abu", year: int = 2023, base_url: str = "") -> str:
        """The link's path (or URL with base_url), as `portal invite` prints it."""
        invite = invite_partner(
            self.records,
            self.paths,
            load_portal_config(self.config_dir),
            load_partners(self.config_dir),
            load_themes(self.config_dir),
            partner_id,
            year,
            base_url,
            self.clock(),
            f"duckdb:///{self.data_dir / 'no-warehouse.duckdb'}",
        )
        return invite.url

    def invite_coordinator(self, base_url: str = "") -> str:
        return invite_coordinator(
            self.records, load_portal_config(self.config_dir), base_url, self.clock()
        ).url

    def revoke(self, partner_id: str = "abu", year: int = 2023) -> int:
        return revoke(self.records, partner_id, year, self.clock())

    def client(self, base_url: str = "http://testserver", **kwargs: Any) -> Any:
        from starlette.testclient import TestClient

        return TestClient(self.app, base_url=base_url, follow_redirects=False, **kwargs)


def open_config(target: Path, until: str = "2099-12-31 23:59", per_minute: int = 10_000) -> Path:
    """A copy of the config whose deadlines (every reporting year) and rate limits are far off."""
    import shutil

    import yaml

    shutil.copytree(CONFIG_DIR, target)
    document = yaml.safe_load((target / "portal.yaml").read_text(encoding="utf-8"))
    document["deadlines"] = {year: until for year in range(2022, 2100)}
    document["rate_limits"] = {key: per_minute for key in document["rate_limits"]}
    (target / "portal.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return target
