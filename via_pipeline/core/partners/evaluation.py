"""What the checks make of one received file: its name's claim, its rows (typed), every problem.

Pure: no database, no folders. `evaluate_archived` also judges a file too large to keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from via_pipeline.core.partners.archive import ArchivedFile
from via_pipeline.core.partners.fileformat import SubmissionName, parse_file_name
from via_pipeline.core.partners.limits import load_limits, too_large
from via_pipeline.core.partners.problems import Problem
from via_pipeline.core.partners.programmes import Programmes
from via_pipeline.core.partners.reading import UnreadableSubmission, read_submission
from via_pipeline.core.partners.registry import Partner, Theme
from via_pipeline.core.partners.rules import (
    ACTION_COLUMNS,
    FileContext,
    check_table,
    file_name_problems,
)


@dataclass(frozen=True)
class Evaluation:
    """What the checks made of a file: its name's claim, its rows (typed) and every problem."""

    name: SubmissionName | None
    actions: pd.DataFrame
    problems: tuple[Problem, ...]

    @property
    def accepted(self) -> bool:
        return not self.problems


def evaluate_submission(
    content: bytes,
    file_name: str,
    partners: Sequence[Partner],
    themes: Sequence[Theme],
    reporting_years: Sequence[int],
    programmes: Programmes | None = None,
) -> Evaluation:
    """Every problem of the file at once (pure: no files, no database); `programmes` default to
    config/programmes.yaml."""
    name = parse_file_name(file_name)
    context = FileContext(
        file_name, name, tuple(partners), tuple(themes), tuple(reporting_years), programmes
    )
    problems = file_name_problems(context)
    extension = (
        name.extension
        if name
        else (file_name.rsplit(".", 1)[-1].lower() if "." in file_name else "")
    )
    try:
        table = read_submission(content, extension)
    except UnreadableSubmission as unreadable:
        return Evaluation(
            name, pd.DataFrame(columns=ACTION_COLUMNS), (*problems, unreadable.problem)
        )
    actions, table_problems = check_table(table, context)
    return Evaluation(name, actions, (*problems, *table_problems))


def evaluate_archived(
    archived: ArchivedFile,
    partners: Sequence[Partner],
    themes: Sequence[Theme],
    reporting_years: Sequence[int],
    programmes: Programmes | None = None,
) -> Evaluation:
    """The checks of an archived file; one too large to keep is judged on its name and size only."""
    if not archived.too_large:
        return evaluate_submission(
            archived.content, archived.file_name, partners, themes, reporting_years, programmes
        )
    name = parse_file_name(archived.file_name)
    context = FileContext(
        archived.file_name, name, tuple(partners), tuple(themes), tuple(reporting_years)
    )
    size = archived.size_bytes or 0
    return Evaluation(
        name,
        pd.DataFrame(columns=ACTION_COLUMNS),
        (*file_name_problems(context), too_large(size, load_limits())),
    )
