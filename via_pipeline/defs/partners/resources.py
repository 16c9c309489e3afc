"""The partner inbox as a Dagster resource: where files arrive, are archived and get feedback."""

from pathlib import Path

import dagster as dg

from via_pipeline.core.settings.environment import load_settings


class Inbox(dg.ConfigurableResource):
    """Folders under the data folder: inbox/ (partners' files), archive/ (by SHA-256), feedback/.

    `data_dir` empty means VIA_DATA_DIR, read when a run or sensor tick starts (never at import).
    The quiet period and the run's longest wait for a changing file come from the settings too.
    """

    data_dir: str = ""
    # None: VIA_INBOX_QUIET_SECONDS / VIA_INBOX_MAX_WAIT_SECONDS, read when a run or tick starts.
    quiet_seconds_override: float | None = None
    max_wait_seconds_override: float | None = None

    @property
    def quiet_seconds(self) -> float:
        """How long a file must stay unchanged before it is taken (a copy may be in progress)."""
        if self.quiet_seconds_override is not None:
            return self.quiet_seconds_override
        return load_settings().inbox_quiet_seconds

    @property
    def max_wait_seconds(self) -> float:
        if self.max_wait_seconds_override is not None:
            return self.max_wait_seconds_override
        return load_settings().inbox_max_wait_seconds

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
