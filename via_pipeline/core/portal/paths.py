"""Where the portal keeps its files: all under VIA_DATA_DIR/portal/, built by the server only.

No path is ever made from what a browser sends: names come from the partner id and year of the
session's link (fileformat.safe_slug) and from upload ids in the portal's own records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PortalPaths:
    data_dir: Path

    @property
    def root(self) -> Path:
        return self.data_dir / "portal"

    @property
    def records(self) -> Path:
        return self.root / "portal.sqlite3"

    @property
    def templates(self) -> Path:
        """Templates written at invite time (the warehouse is read then, never by the server)."""
        return self.root / "templates"

    @property
    def feedback(self) -> Path:
        """Feedback workbooks of rejected uploads (the intake's own are in VIA_DATA_DIR/feedback)."""
        return self.root / "feedback"

    @property
    def staging(self) -> Path:
        """Accepted bytes are written here, then renamed into the inbox (same file system)."""
        return self.root / "incoming"

    @property
    def inbox(self) -> Path:
        return self.data_dir / "inbox"
