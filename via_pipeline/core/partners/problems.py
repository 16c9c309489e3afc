"""One problem found in a submission file, and the Dutch message partners read for each rule.

Rule codes are stable lowercase words (stored in partners.rejections.rule); the messages are
what the feedback file and the operator show the partner.
"""

from __future__ import annotations

from dataclasses import dataclass

# Every rule a file can break, with its message template ({value}, {expected}, ... filled in).
MESSAGES_NL: dict[str, str] = {
    "file_name_pattern": (
        "De bestandsnaam '{value}' volgt niet het patroon <partner_id>_<verslagjaar>.csv "
        "of <partner_id>_<verslagjaar>.xlsx, bijvoorbeeld abu_2023.xlsx."
    ),
    "year_out_of_range": "Verslagjaar {value} in de bestandsnaam valt buiten de verslagjaren {expected}.",
    "unknown_partner": "Partner '{value}' staat niet in het partnerregister van Werkagenda VIA.",
    "partner_not_active": "Partner '{value}' doet in verslagjaar {expected} niet mee aan Werkagenda VIA.",
    "empty_file": "Het bestand is leeg: er staan geen acties in.",
    "unreadable_file": "Het bestand kan niet gelezen worden als {expected}: {value}",
    "incomplete_file": (
        "Het Excel-bestand is niet compleet ({value}): het kopiëren of verzenden is "
        "afgebroken. Stuur het hele bestand opnieuw."
    ),
    "wrong_field_count": (
        "Rij {row} heeft {value} van de {expected} kolommen. Staat er een ';' of ',' in een "
        "waarde, zet die waarde dan tussen aanhalingstekens; ontbreekt er een waarde, vul de "
        "rij aan tot alle kolommen."
    ),
    "missing_sheet": "Het Excel-bestand heeft geen werkblad 'acties' (wel: {value}).",
    "missing_column": "De kolom '{column}' ontbreekt in de kopregel.",
    "header_not_found": (
        "Geen kopregel gevonden: gezocht in rij {value}, maar geen rij noemt {expected} of meer "
        "kolommen van het formaat (partner_id, verslagjaar, actie_id, thema, titel, ...). Zet de "
        "kopregel van het sjabloon in een van die rijen."
    ),
    "mixed_encoding": (
        "Rij {row} is niet in UTF-8 geschreven, de rest van het bestand wel{expected}: "
        "'{value}'. Sla het bestand opnieuw op als 'CSV UTF-8' en stuur het opnieuw."
    ),
    "formula_without_value": (
        "Cel {value} bevat een formule zonder opgeslagen uitkomst; open het bestand in Excel "
        "en sla het op."
    ),
    "unknown_column": "De kolom '{value}' hoort niet in het formaat; verwijder deze kolom.",
    "duplicate_column": "De kolom '{column}' staat meer dan een keer in de kopregel.",
    "missing_value": "De kolom '{column}' is leeg, maar moet ingevuld zijn.",
    "not_a_whole_number": "'{value}' is geen geheel getal.",
    "decimal_in_count": "'{value}' heeft decimalen; vul een geheel aantal in.",
    "not_a_date": "'{value}' is geen datum; schrijf jjjj-mm-dd of dd-mm-jjjj.",
    "negative_number": "{value} is negatief; een aantal is 0 of meer.",
    "unknown_theme": "Thema '{value}' bestaat niet; kies {expected}.",
    "unknown_status": "Status '{value}' bestaat niet; kies {expected}.",
    # The column programma (config/programmes.yaml); empty is via.
    "unknown_programme": "Programma '{value}' bestaat niet; kies {expected} (leeg is via).",
    "programme_not_running": "Programma '{value}' loopt niet in verslagjaar {expected}.",
    "theme_not_in_programme": "Thema '{value}' hoort niet bij programma {expected}.",
    "duplicate_action_id": "actie_id '{value}' komt meer dan een keer voor in het bestand.",
    "end_before_start": "De einddatum {value} ligt voor de startdatum {expected}.",
    "partner_id_mismatch": "partner_id '{value}' komt niet overeen met de bestandsnaam ({expected}).",
    "reporting_year_mismatch": "verslagjaar {value} komt niet overeen met de bestandsnaam ({expected}).",
    "suite_failed": "De controle '{value}' keurde het bestand af zonder rij aan te wijzen.",
    # Limits of config/submission_limits.yaml, checked before the file is parsed.
    "file_too_large": "Het bestand is te groot ({value}); de grens is {expected}.",
    "too_many_rows": "Het bestand heeft meer dan {expected} rijen; dat is de grens per bestand.",
    "too_many_columns": "Een kopregel met {value} kolommen is te breed; de grens is {expected} kolommen.",
    "number_too_large": "'{value}' is te groot; een getal is hoogstens 2.147.483.647.",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (row in the file, column as partners name it), which, and the value.

    row_number is the spreadsheet row partners see (header row included); None for the file as a
    whole. value is the text as it was in the file.
    """

    row_number: int | None
    column_name: str | None
    rule: str
    message_nl: str
    value: str | None


def make_problem(
    rule: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    expected: object = "",
) -> Problem:
    """A problem with its Dutch message filled in from MESSAGES_NL."""
    blank = value is None or (isinstance(value, str) and not value.strip())
    shown = None if blank else display_value(value)
    message = MESSAGES_NL[rule].format(
        value=shown if shown is not None else "",
        expected=expected,
        column=column or "",
        row=row if row is not None else "",
    )
    return Problem(row_number=row, column_name=column, rule=rule, message_nl=message, value=shown)


def display_value(value: object) -> str:
    """The cell as text the partner recognises: whole floats without .0, dates as ISO."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = str(value.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)
