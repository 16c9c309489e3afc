"""The catch-up verdict in Dutch words: monitor.trends.reason_nl."""

from __future__ import annotations

from via_pipeline.core.dutch import format_decimal, format_pp
from via_pipeline.core.monitor.config import CatchUpRule, MonitorConfig
from via_pipeline.core.monitor.rules import TrendFigures, catch_up_conditions


def _position(gap: float, tolerance: float, *, compared: bool) -> str:
    """A signed gap in words: "3,2 procentpunten hoger (dan)", "even hoog (als)"."""
    if abs(gap) <= tolerance:
        return "even hoog als" if compared else "even hoog"
    words = f"{format_pp(gap)} {'hoger' if gap > 0 else 'lager'}"
    return f"{words} dan" if compared else words


def _percent(share: float, decimals: int = 0) -> str:
    return f"{format_decimal(share * 100, decimals)} procent"


def _years(count: int) -> str:
    return f"{count} jaar" if count == 1 else f"{count} jaren"


def reason_nl(
    figures: TrendFigures,
    rule: CatchUpRule,
    config: MonitorConfig,
    table_source: str | None = None,
) -> str:
    """Dutch sentences: the verdict, what the gap did, and each condition of the rule, met or not.

    Example: "Geen structurele inhaalslag. Het werkloosheidspercentage lag bij burgers met een
    buiten-Europese migratieachtergrond in 2008 3,2 procentpunten hoger dan bij het gemiddelde
    van de bevolking en in 2022
    2,9 procentpunten hoger. Voorwaarde 1, ...: niet voldaan, ..."

    A series without a gap in its table's baseline year gets no verdict: "Geen oordeel over een
    structurele inhaalslag mogelijk." and which figure the table (or, `table_source`
    "snapshot", the bundled snapshot of it) does not hold.
    """
    if figures.gap_first_pp is None:
        return _reason_without_verdict(figures, config, table_source)
    conditions = catch_up_conditions(figures, rule)
    verdict = "Structurele inhaalslag." if conditions.structural else "Geen structurele inhaalslag."
    indicator = config.indicator_subject(figures.indicator)
    indicator = indicator[:1].upper() + indicator[1:]
    group = config.group_sentence(figures.population_group)
    reference = config.group_sentence(figures.reference_group)
    tolerance = rule.tolerance
    first = f"{_position(figures.gap_first_pp, tolerance, compared=True)} bij {reference}"
    verdict += _fallback_baseline(figures, config)
    if figures.first_year == figures.last_year:
        return (
            f"{verdict} {indicator} lag bij {group} in {figures.first_year} {first}. "
            "Er is maar één jaar met cijfers; een inhaalslag is nog niet te beoordelen."
        )
    movement = (
        f"{indicator} lag bij {group} in {figures.first_year} {first} en in {figures.last_year} "
        f"{_position(figures.gap_last_pp, tolerance, compared=False)}."
    )
    n = rule.narrowing_years
    if figures.years_compared < n:
        narrowing_fact = (
            f"na {figures.first_year} zijn er pas voor {_years(figures.years_compared)} cijfers"
        )
    else:
        narrowing_fact = (
            f"het verschil werd in {figures.years_narrowing} van de laatste {_years(n)} kleiner"
        )
    narrowing = (
        f"Voorwaarde 1, het verschil werd in elk van de laatste {_years(n)} kleiner: "
        f"{'voldaan' if conditions.narrowing_met else 'niet voldaan'}, {narrowing_fact}."
    )
    limit = _percent(rule.max_gap_ratio)
    if abs(figures.gap_first_pp) <= tolerance:
        ratio_fact = f"in {figures.first_year} was er geen verschil"
    else:
        share = abs(figures.gap_last_pp) / abs(figures.gap_first_pp)
        # More decimals only where rounding would make a share above the limit read as within it.
        decimals = 0
        while (
            decimals < 3
            and not conditions.ratio_met
            and round(share * 100, decimals) <= rule.max_gap_ratio * 100
        ):
            decimals += 1
        ratio_fact = f"het is {_percent(share, decimals)}"
    ratio = (
        f"Voorwaarde 2, het laatste verschil is hooguit {limit} van dat in {figures.first_year}: "
        f"{'voldaan' if conditions.ratio_met else 'niet voldaan'}, {ratio_fact}."
    )
    return f"{verdict} {movement} {narrowing} {ratio}"


def _fallback_baseline(figures: TrendFigures, config: MonitorConfig) -> str:
    """The sentence naming a baseline other than the configured year, or nothing."""
    if figures.first_year == config.baseline_year:
        return ""
    # A table that does not reach the configured year measures from another one; the reader
    # must see it.
    return (
        f" Het basisjaar is {figures.first_year}: de tabel heeft geen cijfers voor "
        f"{config.baseline_year}."
    )


def _reason_without_verdict(
    figures: TrendFigures, config: MonitorConfig, table_source: str | None
) -> str:
    """Why a series with an empty cell in its table's baseline year gets no verdict.

    The baseline year is one the table has, so its cell is empty: of a table read live that
    is the table's own empty cell; of the bundled snapshot, only the snapshot's (it holds just
    the published figures found for it), never a claim that CBS published nothing.

    Measuring this one series from a later year would compare it with another starting point
    than the rest of its table (for 82809NED: from the 2012 crisis instead of the 2008 peak).
    """
    indicator = config.indicator_subject(figures.indicator)
    missing = [
        config.group_sentence(group)
        for group, present in (
            (figures.population_group, figures.group_has_baseline_figure),
            (figures.reference_group, figures.reference_has_baseline_figure),
        )
        if not present
    ]
    if missing:
        holder = (
            "De meegeleverde momentopname van deze tabel"
            if table_source == "snapshot"
            else "Deze tabel"
        )
        cause = (
            f"{holder} bevat voor het basisjaar {figures.first_year} geen cijfer van "
            f"{indicator} bij {' en bij '.join(missing)}, dus het verschil in dat jaar is "
            "onbekend."
        )
    else:
        cause = f"Voor het basisjaar {figures.first_year} is er geen verschil te berekenen."
    since = figures.first_year_with_gap or figures.last_year
    return (
        "Geen oordeel over een structurele inhaalslag mogelijk."
        f"{_fallback_baseline(figures, config)} {cause} Het verschil is pas bekend vanaf "
        f"{since}; een oordeel vanaf een later jaar dan het basisjaar zou een ander "
        "vertrekpunt hebben en wordt niet gegeven."
    )
