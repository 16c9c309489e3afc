"""The partner inbox as a Dagster resource: where files arrive, are archived and get feedback."""

from pathlib import Path

import dagster as dg

from via_pipeline.core.settings import load_settings


class Inbox(dg.ConfigurableResource):
    """Folders under the data folder: inbox/ (partners' files), archive/ (by SHA-256), feedback/.

    `data_dir` empty means VIA_DATA_DIR, read when a run or sensor tick starts (never at import).
    """

    data_dir: str = ""

    @property
    def root(self) -> Path:
        return (
            Path(self.data_dir).expanduser().resolve()
            if self.data_dir
            else load_settings().data_dir
        )

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def archive_dir(self) -> Path:
        return self.root / "archive"

    @property
    def feedback_dir(self) -> Path:
        return self.root / "feedback"
