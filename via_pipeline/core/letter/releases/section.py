"""The annex section "Herzieningen sinds de vorige brief": each figure the previous approved
letter gave that has changed since, with both values and the reason; one sentence when none
changed; no section without an earlier approved letter."""

from __future__ import annotations

from collections.abc import Sequence

from via_pipeline.core.dutch import format_date, format_integer
from via_pipeline.core.letter.config import KeyFigureConfig
from via_pipeline.core.letter.document import Paragraph, Section
from via_pipeline.core.letter.key_figures import describe_gap
from via_pipeline.core.letter.releases.figures import is_count
from via_pipeline.core.letter.releases.records import Release
from via_pipeline.core.letter.releases.revisions import Revision

HEADING = "Herzieningen sinds de vorige brief"


def _value(
    figure_key: str, value: float | None, indicator: str | None, config: KeyFigureConfig
) -> str:
    """A gap in the key figures' words ("2,9 procentpunten"), a count as a number."""
    if value is None:
        return "niet beschikbaar"
    if is_count(figure_key):
        return format_integer(round(value))
    wording = config.indicators.get(indicator or "")
    return describe_gap(value, wording.disadvantage_sign if wording else 1)


def revisions_section(
    previous: Release | None, revisions: Sequence[Revision], config: KeyFigureConfig
) -> Section | None:
    """The section for the annex after `previous` (the last letter approved before this one)."""
    if previous is None:
        return None
    letter = (
        f"de brief over {previous.reporting_year} "
        f"(verzonden op {format_date(previous.approved_at.date())})"
    )
    if not revisions:
        return Section(
            HEADING,
            (Paragraph(f"Sinds {letter} is geen van de daarin genoemde cijfers gewijzigd."),),
        )
    specs = {spec.figure_key: spec for spec in config.figures}
    count = len(revisions)
    intro = (
        f"Sinds {letter} is één daarin genoemd cijfer gewijzigd."
        if count == 1
        else f"Sinds {letter} zijn {count} daarin genoemde cijfers gewijzigd."
    )
    blocks = [Paragraph(intro)]
    for revision in sorted(revisions, key=lambda r: (r.figure_label, r.period)):
        spec = specs.get(revision.figure_key)
        indicator = revision.indicator or (spec.indicator if spec else None)
        blocks.append(
            Paragraph(
                f"{revision.figure_label}, {revision.period}: in de vorige brief "
                f"{_value(revision.figure_key, revision.sent_value, indicator, config)}, nu "
                f"{_value(revision.figure_key, revision.current_value, indicator, config)}. "
                f"Reden: {revision.cause}."
            )
        )
    return Section(HEADING, tuple(blocks))
