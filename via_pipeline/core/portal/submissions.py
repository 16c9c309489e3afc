"""An upload judged with exactly the intake's checks, then into the inbox or back with problems.

The portal names the file itself, `<partner>_<year>.<ext>` from the session's link (the name the
partner's computer gave it is only shown), and calls core.partners.evaluation.evaluate_submission:
the function the intake calls on every inbox file. So the portal's verdict and the intake's
cannot differ. An accepted file is written beside the inbox and renamed into it (os.replace):
the sensor never sees half a file. A rejected file never enters the inbox; its feedback
workbook is written with the intake's own writer.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from via_pipeline.core.partners.archive import sha256_of
from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.feedback import write_feedback
from via_pipeline.core.partners.fileformat import safe_slug
from via_pipeline.core.partners.problems import Problem
from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.partners.rules import problem_order

EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")


@dataclass(frozen=True)
class Judged:
    """What the intake's checks made of one upload."""

    stored_name: str
    sha256: str
    size_bytes: int
    problems: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems


def extension_of(sent_name: str) -> str:
    """The extension of the name the browser sent, lowercased; `bin` when it has none we can use."""
    extension = sent_name.rsplit(".", 1)[-1].strip().lower() if "." in sent_name else ""
    return extension if EXTENSION.match(extension) else "bin"


def stored_name(partner_id: str, year: int, sent_name: str) -> str:
    return f"{safe_slug(partner_id)}_{int(year)}.{extension_of(sent_name)}"


def judge_upload(
    content: bytes,
    sent_name: str,
    partner_id: str,
    year: int,
    partners: Sequence[Partner],
    themes: Sequence[Theme],
    reporting_years: Sequence[int],
) -> Judged:
    name = stored_name(partner_id, year, sent_name)
    evaluation = evaluate_submission(content, name, partners, themes, reporting_years)
    problems = tuple(sorted(evaluation.problems, key=problem_order))
    return Judged(name, sha256_of(content), len(content), problems)


def place_in_inbox(content: bytes, name: str, staging_dir: Path, inbox_dir: Path) -> Path:
    """Write the bytes beside the inbox, flush them to disk, then rename into the inbox."""
    if safe_slug(name.replace(".", "_")) == "onbekend":
        raise ValueError(f"not a name the portal builds: {name!r}")
    staging_dir.mkdir(parents=True, exist_ok=True)
    inbox_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=staging_dir, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        target = inbox_dir / name
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def write_upload_feedback(feedback_dir: Path, partner_id: str, year: int, judged: Judged) -> Path:
    """The feedback workbook of a rejected upload (the intake's writer, the intake's layout)."""
    paths = write_feedback(
        feedback_dir, judged.stored_name, judged.sha256, partner_id, year, judged.problems
    )
    return next(path for path in paths if path.suffix == ".xlsx")
