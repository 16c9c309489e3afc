"""config/action_progress.yaml: the agenda's years and the wording of the progress sentences.

Loaded into frozen records and checked once, so a missing form is reported with the file and
the entry, not as a KeyError while the annex is being built.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from via_pipeline.core.dutch import format_integer, format_year_span
from via_pipeline.core.letter.across_years.movements import MOVEMENTS
from via_pipeline.core.settings.config import ConfigFileError, load_yaml
from via_pipeline.core.settings.paths import CONFIG_DIR

PROGRESS_FILE = "action_progress.yaml"
# The outcomes of last year's open actions, in sentence order.
OUTCOMES = ("completed", "running", "still_planned", "stopped", "not_reported_again")
WARNING_RULES = ("title_changed", "status_backwards")


@dataclass(frozen=True)
class Counted:
    """A wording with a singular and a plural form."""

    one: str
    many: str

    def say(self, count: int, **values: object) -> str:
        template = self.one if count == 1 else self.many
        return template.format(count=format_integer(count), **values)


@dataclass(frozen=True)
class ProgressWording:
    first_year: int
    last_year: int
    lead: Counted
    outcomes: Mapping[str, Counted]
    no_open_previous: str
    new: Counted
    no_new: str
    partner_absent_current: Counted
    partner_absent_previous: Counted
    nothing_reported: str
    partners_text: str
    partners_verb: Counted
    partners_missing_verb: Counted
    warnings: Mapping[str, str]
    movement_labels: Mapping[str, str]

    def movement_label(self, movement: str) -> str:
        return self.movement_labels.get(movement, movement)

    def agenda_years(self, reporting_year: int) -> list[int]:
        """The agenda's years so far: its first year up to the reporting year."""
        return list(range(self.first_year, reporting_year + 1))


def _text(entry: Mapping[str, Any], field: str, where: str) -> str:
    value = entry.get(field) if isinstance(entry, Mapping) else None
    if not isinstance(value, str) or not value.strip():
        raise ConfigFileError(f"{where}: missing text {field!r}")
    return value


def _counted(entry: Any, where: str) -> Counted:
    if not isinstance(entry, Mapping):
        raise ConfigFileError(f"{where}: expected a mapping with `one` and `many`")
    return Counted(_text(entry, "one", where), _text(entry, "many", where))


def _year(entry: Mapping[str, Any], field: str, where: str) -> int:
    value = entry.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise ConfigFileError(f"{where}: {field} must be a year, got {value!r}")
    return value


def parse_progress_wording(raw: Any, source: str = PROGRESS_FILE) -> ProgressWording:
    if not isinstance(raw, Mapping):
        raise ConfigFileError(f"{source}: expected a mapping with agenda, theme_sentence, ...")
    agenda = raw.get("agenda") or {}
    first = _year(agenda, "first_year", f"{source}: agenda")
    last = _year(agenda, "last_year", f"{source}: agenda")
    if last < first:
        raise ConfigFileError(f"{source}: agenda: last_year comes before first_year")
    sentence = raw.get("theme_sentence") or {}
    where = f"{source}: theme_sentence"
    outcomes_raw = sentence.get("outcomes") or {}
    missing = [name for name in OUTCOMES if name not in outcomes_raw]
    if missing:
        raise ConfigFileError(f"{where}.outcomes: missing {', '.join(missing)}")
    partners = (raw.get("agenda_sentence") or {}).get("partners") or {}
    warnings = raw.get("warnings") or {}
    labels = raw.get("movement_labels") or {}
    missing_labels = [name for name in MOVEMENTS if name not in labels]
    if missing_labels:
        raise ConfigFileError(f"{source}: movement_labels: missing {', '.join(missing_labels)}")
    return ProgressWording(
        first_year=first,
        last_year=last,
        lead=_counted(sentence.get("lead"), f"{where}.lead"),
        outcomes={
            name: _counted(outcomes_raw[name], f"{where}.outcomes.{name}") for name in OUTCOMES
        },
        no_open_previous=_text(sentence, "no_open_previous", where),
        new=_counted(sentence.get("new"), f"{where}.new"),
        no_new=_text(sentence, "no_new", where),
        partner_absent_current=_counted(
            sentence.get("partner_absent_current"), f"{where}.partner_absent_current"
        ),
        partner_absent_previous=_counted(
            sentence.get("partner_absent_previous"), f"{where}.partner_absent_previous"
        ),
        nothing_reported=_text(sentence, "nothing_reported", where),
        partners_text=_text(partners, "text", f"{source}: agenda_sentence.partners"),
        partners_verb=_counted(partners.get("verb"), f"{source}: agenda_sentence.partners.verb"),
        partners_missing_verb=_counted(
            partners.get("missing_verb"), f"{source}: agenda_sentence.partners.missing_verb"
        ),
        warnings={rule: _text(warnings, rule, f"{source}: warnings") for rule in WARNING_RULES},
        movement_labels={
            name: _text(labels, name, f"{source}: movement_labels") for name in MOVEMENTS
        },
    )


def load_progress_wording(config_dir: Path = CONFIG_DIR) -> ProgressWording:
    return parse_progress_wording(
        load_yaml(PROGRESS_FILE, config_dir), str(config_dir / PROGRESS_FILE)
    )


def join_nl(parts: list[str]) -> str:
    """ "a", "a en b", "a, b en c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} en {parts[-1]}"


def theme_sentence_nl(
    counts: Mapping[str, int], wording: ProgressWording, reporting_year: int
) -> str:
    """The letter's sentence on one theme from its counts (movement_counts).

    The outcomes of last year's open actions add up to the lead's number: open actions whose
    partner did not report this year (`open_partner_absent`) are not in it but get a sentence
    of their own; closed ones of such a partner need none.
    """
    previous = reporting_year - 1
    years = {"year": reporting_year, "previous_year": previous}
    outcome_counts = {
        "completed": counts["completed"],
        "running": counts["running"],
        "still_planned": counts["still_planned"],
        "stopped": counts["stopped"],
        "not_reported_again": counts["not_reported_again"],
    }
    open_previous = sum(outcome_counts.values())
    new = counts["new"]
    absent_current = counts["open_partner_absent"]
    absent_previous = counts["partner_absent_previous"]
    if not any(counts[name] for name in MOVEMENTS):
        return wording.nothing_reported.format(**years)
    sentences: list[str] = []
    new_text = wording.new.say(new, **years) if new else wording.no_new
    if open_previous:
        parts: list[str] = []
        for name in OUTCOMES:
            if outcome_counts[name]:
                in_year = "" if parts else f"in {reporting_year} "
                parts.append(
                    wording.outcomes[name].say(outcome_counts[name], in_year=in_year, **years)
                )
        lead = wording.lead.say(open_previous, **years)
        sentences.append(f"{lead} {join_nl(parts)}; {new_text}.")
    else:
        sentences.append(f"{wording.no_open_previous.format(**years)}; {new_text}.")
    if absent_current:
        sentences.append(wording.partner_absent_current.say(absent_current, **years))
    if absent_previous:
        sentences.append(wording.partner_absent_previous.say(absent_previous, **years))
    return " ".join(sentences)


def partners_sentence_nl(
    every_year: int, partners: int, wording: ProgressWording, reporting_year: int
) -> str:
    """How many partners reported in every agenda year so far, and how many missed years."""
    missing = partners - every_year
    return wording.partners_text.format(
        every=format_integer(every_year),
        partners=format_integer(partners),
        verb=wording.partners_verb.one if every_year == 1 else wording.partners_verb.many,
        first_year=wording.first_year,
        year=reporting_year,
        years=format_year_span(wording.first_year, reporting_year),
        missing=format_integer(missing),
        missing_verb=(
            wording.partners_missing_verb.one
            if missing == 1
            else wording.partners_missing_verb.many
        ),
    )
