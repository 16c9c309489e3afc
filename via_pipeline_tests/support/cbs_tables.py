"""The one generator of test CBS tables, in the shape CBS publishes them.

Built from /work/shared/reference/cbs_table_structures.md (dimensions in CBS's order, titles
as CBS prints them, the keys that page gives; foreign keys, extra Herkomstland categories,
quarterly periods, all measures including Bruto arbeidsparticipatie), never from
config/cbs_tables.yaml: a test that builds its table from the catalogue it tests cannot
notice that the catalogue is wrong. Keys the page does not give are made up here and marked
`# made up`; tests must find everything by title, as the ingest does.

`recording(*tables)` gives what `CbsReplayServer` serves; `revised(table)` is what CBS does
to a table between versions (measure keys renumbered, categories reordered, a year added at
the start). Every cell's value is `cell_value(...)` of its titles, so a test knows the value a
cell must land with, whatever keys or order a version has.
"""

from __future__ import annotations

import copy
import dataclasses
import zlib
from dataclasses import dataclass
from typing import Any

from via_pipeline.core.cbs.odata import apply_query
from via_pipeline_tests.support.cbs_replay import Recording

FEED = "https://opendata.cbs.nl/ODataFeed/odata"


@dataclass(frozen=True)
class Category:
    key: str
    title: str


@dataclass(frozen=True)
class Dimension:
    key: str
    title: str
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    unit: str
    decimals: int = 1


@dataclass(frozen=True)
class Table:
    table_id: str
    title: str
    dimensions: tuple[Dimension, ...]  # without Perioden
    measures: tuple[Measure, ...]
    first_year: int
    last_year: int
    quarters_from: int  # quarters (KW01-KW04) for this year on; kept few to keep tests fast
    modified: str
    provisional_years: tuple[int, ...] = ()
    empty_categories: tuple[str, ...] = ()  # category titles whose cells CBS leaves empty
    # The table as CBS publishes it during a year (structures page: quarters "2024KW01" and
    # years "2024JJ00"): the last year has only quarters 1..last_quarter and no JJ00 period,
    # TableInfos.Period reads "2008-2023 3e kwartaal".
    last_quarter: int | None = None
    # Years whose periods CBS marks "Nader voorlopig" (quarter titles with "**"); the
    # provisional years' quarter titles carry "*", as cbsodata returns them.
    further_provisional_years: tuple[int, ...] = ()

    def status(self, year: int) -> str:
        if year in self.provisional_years:
            return "Voorlopig"
        if year in self.further_provisional_years:
            return "Nader voorlopig"
        return "Definitief"

    def whole_years(self) -> list[int]:
        """The years with a JJ00 period: never the year still running (last_quarter)."""
        last = self.last_year - 1 if self.last_quarter is not None else self.last_year
        return list(range(self.first_year, last + 1))

    def periods(self) -> list[dict[str, Any]]:
        rows = []
        stars = {"Definitief": "", "Voorlopig": "*", "Nader voorlopig": "**"}
        for year in range(self.first_year, self.last_year + 1):
            status = self.status(year)
            running = self.last_quarter is not None and year == self.last_year
            if not running:
                rows.append({"Key": f"{year}JJ00", "Title": str(year), "Status": status})
            if year >= self.quarters_from or running:
                last = self.last_quarter if running and self.last_quarter else 4
                for quarter, name in enumerate(("1e", "2e", "3e", "4e")[:last], start=1):
                    rows.append(
                        {
                            "Key": f"{year}KW0{quarter}",
                            "Title": f"{year} {name} kwartaal{stars[status]}",
                            "Status": status,
                        }
                    )
        return rows

    @property
    def period_text(self) -> str:
        if self.last_quarter is not None:
            return f"{self.first_year}-{self.last_year} {self.last_quarter}e kwartaal"
        return f"{self.first_year}-{self.last_year}"


def cell_value(table_id: str, titles: tuple[str, ...], period: str, measure: str) -> float:
    """A cell's value from its titles alone (never its keys): 1.0 to 99.9, one decimal."""
    text = "|".join((table_id, *titles, period, measure))
    return (zlib.crc32(text.encode()) % 990 + 10) / 10


GESLACHT = Dimension(
    "Geslacht",
    "Geslacht",
    (
        Category("T001038", "Totaal mannen en vrouwen"),
        Category("3000", "Mannen"),
        Category("4000", "Vrouwen"),
    ),
)

MEASURES_85456 = (
    ("BeroepsEnNietBeroepsbevolking_1", "Beroeps- en niet-beroepsbevolking", "x 1 000"),  # made up
    ("Beroepsbevolking_2", "Beroepsbevolking", "x 1 000"),  # made up
    ("WerkzameBeroepsbevolking_3", "Werkzame beroepsbevolking", "x 1 000"),  # made up
    ("WerklozeBeroepsbevolking_4", "Werkloze beroepsbevolking", "x 1 000"),  # made up
    ("Werkloosheidspercentage_5", "Werkloosheidspercentage", "%"),  # made up
    ("NietBeroepsbevolking_6", "Niet-beroepsbevolking", "x 1 000"),  # made up
    ("BrutoArbeidsparticipatie_7", "Bruto arbeidsparticipatie", "%"),  # made up
    ("NettoArbeidsparticipatie_8", "Netto arbeidsparticipatie", "%"),  # made up
)


def table_85456() -> Table:
    """85456NED Arbeidsdeelname; herkomst: the StatLine page's dimensions and categories."""
    return Table(
        table_id="85456NED",
        title="Arbeidsdeelname; herkomst",
        dimensions=(
            GESLACHT,
            Dimension(
                "Startkwalificatie",
                "Startkwalificatie",
                (
                    Category("T001456", "Totaal"),  # made up
                    Category("A050910", "Met startkwalificatie"),  # made up
                    Category("A050911", "Zonder startkwalificatie"),  # made up
                    Category("A050912", "Startkwalificatie onbekend"),  # made up
                ),
            ),
            Dimension(
                "GeboortelandOuders",
                "Geboorteland (ouders)",
                (
                    Category("T001638", "Totaal"),
                    Category("A051735", "Geboren in Nederland"),
                    Category("A051736", "Geboren buiten Nederland"),
                ),
            ),
            Dimension(
                "Herkomstland",
                "Herkomstland",
                (
                    Category("T001040", "Totaal"),
                    Category("1012600", "Nederland"),
                    Category("2012605", "Buiten Nederland"),
                    Category("H007933", "Europa (exclusief Nederland)"),
                    Category("H008859", "Buiten Europa"),
                    Category("H008632", "Indonesië"),
                    Category("H008673", "Marokko"),
                    Category("H007119", "Nederlandse Cariben"),
                    Category("H008751", "Suriname"),
                    Category("H008766", "Turkije"),
                    Category("H009999", "Buiten Europa (excl. 5 grote herkomstgroepen)"),  # made up
                    Category("H009998", "Onbekend herkomstland"),  # made up
                ),
            ),
        ),
        measures=tuple(Measure(key, title, unit) for key, title, unit in MEASURES_85456),
        first_year=2013,
        last_year=2025,
        quarters_from=2024,
        modified="2026-02-13T02:00:00",
        provisional_years=(2025,),
        empty_categories=("Onbekend herkomstland",),
    )


def table_85456_running_year(last_quarter: int = 3) -> Table:
    """85456NED as it stands in November 2023 (issue 24): quarters up to 2023KW03 (cbsodata's
    titles "2023 1e kwartaal*"), no 2023JJ00, TableInfos.Period "2008-2023 3e kwartaal";
    2022's quarters "Nader voorlopig" ("**"), the quarters of 2021 final."""
    return dataclasses.replace(
        table_85456(),
        first_year=2008,
        last_year=2023,
        last_quarter=last_quarter,
        quarters_from=2021,
        provisional_years=(2023,),
        further_provisional_years=(2022,),
    )


def table_82809() -> Table:
    """82809NED Arbeidsdeelname; migratieachtergrond: measures _21 to _24 as seen in code."""
    return Table(
        table_id="82809NED",
        title="Arbeidsdeelname; migratieachtergrond",
        dimensions=(
            GESLACHT,
            Dimension(
                "Leeftijd",
                "Leeftijd",
                (
                    Category("52052", "15 tot 75 jaar"),
                    Category("52020", "15 tot 25 jaar"),  # made up
                    Category("52053", "25 tot 45 jaar"),  # made up
                ),
            ),
            Dimension(
                "Migratieachtergrond",
                "Migratieachtergrond",
                (
                    Category("T001040", "Totaal"),
                    Category("1012600", "Nederlandse achtergrond"),
                    Category("2012605", "Met migratieachtergrond"),
                    Category("2012655", "Westerse migratieachtergrond"),
                    Category("2012657", "Niet-westerse migratieachtergrond"),
                ),
            ),
        ),
        measures=(
            Measure("Beroepsbevolking_18", "Beroepsbevolking", "x 1 000"),  # made up
            Measure(
                "WerklozeBeroepsbevolking_20", "Werkloze beroepsbevolking", "x 1 000"
            ),  # made up
            Measure("Werkloosheidspercentage_21", "Werkloosheidspercentage", "%"),
            Measure("NietBeroepsbevolking_22", "Niet-beroepsbevolking", "x 1 000"),
            Measure("BrutoArbeidsparticipatie_23", "Bruto arbeidsparticipatie", "%"),
            Measure("NettoArbeidsparticipatie_24", "Netto arbeidsparticipatie", "%"),
        ),
        first_year=2003,
        last_year=2021,
        quarters_from=2020,
        modified="2022-05-13T02:00:00",
    )


AGE_BANDS = (  # made up keys; titles as StatLine's age bands
    ("52020", "15 tot 25 jaar"),
    ("52053", "25 tot 45 jaar"),
    ("52030", "25 tot 35 jaar"),
    ("52040", "35 tot 45 jaar"),
    ("52050", "45 tot 55 jaar"),
    ("52060", "55 tot 65 jaar"),
    ("52070", "65 tot 75 jaar"),
    ("53105", "15 tot 45 jaar"),
    ("53950", "45 tot 75 jaar"),
)


def table_82809_full(target_cells: int) -> Table:
    """82809NED at (at least) the real table's size: quarters for every year and as many age
    bands as needed for `target_cells` cells (for the transfer benchmark)."""
    table = dataclasses.replace(table_82809(), quarters_from=table_82809().first_year)
    sexes, origins = (len(d.categories) for d in (table.dimensions[0], table.dimensions[2]))
    per_age = sexes * origins * len(table.periods()) * len(table.measures)
    ages_needed = max(1, -(-target_cells // per_age))
    bands = [*AGE_BANDS, *((f"59{n:03d}", f"Leeftijdsgroep {n}") for n in range(ages_needed))]
    ages = (
        Category("52052", "15 tot 75 jaar"),
        *(Category(key, title) for key, title in bands[: ages_needed - 1]),
    )
    age = dataclasses.replace(table.dimensions[1], categories=ages)
    return dataclasses.replace(table, dimensions=(table.dimensions[0], age, table.dimensions[2]))


def _renumber(key: str) -> str:
    stem, _, number = key.rpartition("_")
    return f"{stem}_{int(number) + 1}" if number.isdigit() else key


def revised(table: Table) -> Table:
    """The table as CBS revises it: measure keys renumbered (_24 -> _25), measures and
    categories in another order, one more year at the start, a new Modified."""
    return dataclasses.replace(
        table,
        measures=tuple(
            dataclasses.replace(m, key=_renumber(m.key)) for m in reversed(table.measures)
        ),
        dimensions=tuple(
            dataclasses.replace(d, categories=tuple(reversed(d.categories)))
            for d in table.dimensions
        ),
        first_year=table.first_year - 1,
        modified="2026-06-01T02:00:00",
    )


def data_properties(table: Table) -> list[dict[str, Any]]:
    properties: list[dict[str, Any]] = []
    for dimension in table.dimensions:
        properties.append(
            {
                "odata.type": "Cbs.OData.Dimension",
                "ID": len(properties),
                "Position": str(len(properties)),
                "ParentID": None,
                "Type": "Dimension",
                "Key": dimension.key,
                "Title": dimension.title,
                "Description": None,
            }
        )
    properties.append(
        {
            "odata.type": "Cbs.OData.TimeDimension",
            "ID": len(properties),
            "Position": str(len(properties)),
            "ParentID": None,
            "Type": "TimeDimension",
            "Key": "Perioden",
            "Title": "Perioden",
            "Description": None,
        }
    )
    for measure in table.measures:
        properties.append(
            {
                "odata.type": "Cbs.OData.Topic",
                "ID": len(properties),
                "Position": str(len(properties)),
                "ParentID": None,
                "Type": "Topic",
                "Key": measure.key,
                "Title": measure.title,
                "Description": None,
                "ReleasePolicy": False,
                "Datatype": "Double",
                "Unit": measure.unit,
                "Decimals": measure.decimals,
                "Default": "Impossible",
                "PresentationType": "Relative" if measure.unit == "%" else "Absolute",
            }
        )
    return properties


def rows(table: Table) -> list[dict[str, Any]]:
    """TypedDataSet: every combination of categories and periods, dimension keys padded as
    CBS pads them."""
    combinations: list[tuple[Category, ...]] = [()]
    for dimension in table.dimensions:
        combinations = [(*c, category) for c in combinations for category in dimension.categories]
    result = []
    for period in table.periods():
        for combination in combinations:
            titles = tuple(c.title for c in combination)
            empty = any(t in table.empty_categories for t in titles)
            row: dict[str, Any] = {"ID": len(result)}
            for dimension, category in zip(table.dimensions, combination, strict=True):
                row[dimension.key] = category.key.ljust(8)
            row["Perioden"] = period["Key"]
            for measure in table.measures:
                row[measure.key] = (
                    None
                    if empty
                    else cell_value(table.table_id, titles, period["Key"], measure.title)
                )
            result.append(row)
    return result


def recording(*tables: Table) -> Recording:
    """The entity sets of each table, as CbsReplayServer serves them."""
    result: Recording = {}
    for table in tables or (table_82809(), table_85456()):
        entities: dict[str, list[dict[str, Any]]] = {
            "TableInfos": [
                {
                    "Identifier": table.table_id,
                    "Title": table.title,
                    "Language": "nl",
                    "Catalog": "CBS",
                    "Period": table.period_text,
                    "Modified": table.modified,
                }
            ],
            "DataProperties": data_properties(table),
            "CategoryGroups": [],
            "Perioden": [{**p, "Description": None} for p in table.periods()],
            "TypedDataSet": rows(table),
        }
        for dimension in table.dimensions:
            entities[dimension.key] = [
                {
                    "Key": c.key.ljust(8),
                    "Title": c.title,
                    "Description": None,
                    "CategoryGroupID": None,
                }
                for c in dimension.categories
            ]
        result[table.table_id] = entities
    return result


# What the monitor must take from each table, written from the structures page (not from
# the catalogue): the totals kept, the group categories by title, the measures by title.
HELD = {
    "82809NED": {"Geslacht": "Totaal mannen en vrouwen", "Leeftijd": "15 tot 75 jaar"},
    "85456NED": {
        "Geslacht": "Totaal mannen en vrouwen",
        "Startkwalificatie": "Totaal",
        "GeboortelandOuders": "Totaal",
    },
}
GROUPS = {
    "82809NED": {
        "Totaal": "total",
        "Nederlandse achtergrond": "dutch_background",
        "Met migratieachtergrond": "migration_background",
        "Westerse migratieachtergrond": "western",
        "Niet-westerse migratieachtergrond": "non_western",
    },
    "85456NED": {
        "Totaal": "total",
        "Nederland": "netherlands_origin",
        "Europa (exclusief Nederland)": "europe_origin",
        "Buiten Europa": "outside_europe_origin",
    },
}
# The breakdown cells (issue 16), from the structures page: group code -> the category of each
# dimension the cell names (by dimension key); every other dimension stays at HELD, the group
# dimension at "Totaal".
CELLS = {
    "82809NED": {},
    "85456NED": {
        "outside_europe_second_generation": {
            "Herkomstland": "Buiten Europa",
            "GeboortelandOuders": "Geboren in Nederland",
        },
        "outside_europe_first_generation": {
            "Herkomstland": "Buiten Europa",
            "GeboortelandOuders": "Geboren buiten Nederland",
        },
        "women": {"Herkomstland": "Totaal", "Geslacht": "Vrouwen"},
        "netherlands_origin_women": {"Herkomstland": "Nederland", "Geslacht": "Vrouwen"},
        "outside_europe_women": {"Herkomstland": "Buiten Europa", "Geslacht": "Vrouwen"},
        "men": {"Herkomstland": "Totaal", "Geslacht": "Mannen"},
        "netherlands_origin_men": {"Herkomstland": "Nederland", "Geslacht": "Mannen"},
        "outside_europe_men": {"Herkomstland": "Buiten Europa", "Geslacht": "Mannen"},
        "without_start_qualification": {
            "Herkomstland": "Totaal",
            "Startkwalificatie": "Zonder startkwalificatie",
        },
        "netherlands_origin_without_start_qualification": {
            "Herkomstland": "Nederland",
            "Startkwalificatie": "Zonder startkwalificatie",
        },
        "outside_europe_without_start_qualification": {
            "Herkomstland": "Buiten Europa",
            "Startkwalificatie": "Zonder startkwalificatie",
        },
    },
}
GROUP_DIMENSION = {"82809NED": "Migratieachtergrond", "85456NED": "Herkomstland"}
INDICATORS = {
    "Werkloosheidspercentage": "unemployment_rate",
    "Netto arbeidsparticipatie": "net_participation_rate",
}


def cell_titles(table: Table, group: str) -> tuple[str, ...]:
    """The titles of a group's cell in the table's dimension order (what `cell_value` takes)."""
    held = HELD[table.table_id]
    named = CELLS[table.table_id].get(group)
    if named is None:
        title = {code: t for t, code in GROUPS[table.table_id].items()}[group]
        named = {GROUP_DIMENSION[table.table_id]: title}
    return tuple(named.get(d.key) or held.get(d.key) or "Totaal" for d in table.dimensions)


def expected_indicators(table: Table) -> dict[tuple[str, int, str, str], float]:
    """(source_table, year, group code, indicator) -> value of every yearly cell the monitor
    must hold from this table: the origin groups and the breakdown cells."""
    groups = [*GROUPS[table.table_id].values(), *CELLS[table.table_id]]
    expected = {}
    for year in table.whole_years():
        for group in groups:
            titles = cell_titles(table, group)
            for measure_title, indicator in INDICATORS.items():
                expected[(table.table_id, year, group, indicator)] = cell_value(
                    table.table_id, titles, f"{year}JJ00", measure_title
                )
    return expected


def expected_quarterly_indicators(
    table: Table,
) -> dict[tuple[str, str, str, str], tuple[float, str]]:
    """(source_table, period key, group code, indicator) -> (value, CBS status) of every
    quarterly cell the monitor must hold from this table."""
    groups = [*GROUPS[table.table_id].values(), *CELLS[table.table_id]]
    expected = {}
    for period in table.periods():
        if "KW" not in period["Key"]:
            continue
        for group in groups:
            titles = cell_titles(table, group)
            for measure_title, indicator in INDICATORS.items():
                value = cell_value(table.table_id, titles, period["Key"], measure_title)
                expected[(table.table_id, period["Key"], group, indicator)] = (
                    value,
                    period["Status"],
                )
    return expected


class MemoryClient:
    """A CbsClient answering from an in-memory recording, through the same OData evaluator as
    the snapshot and the replay server (for unit tests without HTTP)."""

    source = "live"

    def __init__(self, recorded: Recording) -> None:
        self.recording = recorded

    def describe(self) -> str:
        return "memory"

    def table_info(self, table_id: str) -> dict[str, Any]:
        return self.recording[table_id]["TableInfos"][0]

    def entity(self, table_id: str, name: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.recording[table_id][name])

    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[dict[str, Any]]:
        return apply_query(self.recording[table_id]["TypedDataSet"], filter_text, ",".join(select))
