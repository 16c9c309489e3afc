"""Word and Excel files (OOXML zip packages) with fixed bytes: the same inputs give the same file.

python-docx and openpyxl stamp every zip entry with the clock, and their document properties
name themselves ("python-docx", "openpyxl") with dates from the clock or from python-docx's
template (2013-12-23). `fix_package` rewrites a saved package: its document properties are
ours (title, the ministry's monitor as creator, created and modified from the build's inputs),
every entry carries that same time, and the entries come in one order, whatever the writer did.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

MONITOR_CREATOR = "Ministerie van SZW – monitor Werkagenda VIA"
APPLICATION = "via-pipeline"
CORE_PROPERTIES = "docProps/core.xml"
APP_PROPERTIES = "docProps/app.xml"
# Readers look for these two first; the rest follows by name.
FIRST_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
# The earliest time a zip entry can hold (DOS time).
ZIP_EPOCH = datetime(1980, 1, 1)


@dataclass(frozen=True)
class PackageProperties:
    """A package's document properties; `dated` (UTC, naive) is both created and modified:
    a rebuilt file is the same file as long as its inputs are."""

    title: str
    dated: datetime
    subject: str = ""
    creator: str = MONITOR_CREATOR
    language: str = "nl-NL"


def _w3cdtf(moment: datetime) -> str:
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def core_properties_xml(properties: PackageProperties) -> bytes:
    dated = _w3cdtf(properties.dated)
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(properties.title)}</dc:title>"
        f"<dc:subject>{escape(properties.subject)}</dc:subject>"
        f"<dc:creator>{escape(properties.creator)}</dc:creator>"
        f"<cp:lastModifiedBy>{escape(properties.creator)}</cp:lastModifiedBy>"
        f"<dc:language>{escape(properties.language)}</dc:language>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{dated}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{dated}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def app_properties_xml() -> bytes:
    """docProps/app.xml without the writer's name and version or a template's page counts."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'extended-properties"><Application>{APPLICATION}</Application></Properties>'
    ).encode()


def _entry_order(name: str) -> tuple[int, str]:
    return (FIRST_ENTRIES.index(name) if name in FIRST_ENTRIES else len(FIRST_ENTRIES), name)


def fixed_package(content: bytes, properties: PackageProperties) -> bytes:
    """The package `content` with our properties, fixed entry times and a stable entry order."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    if CORE_PROPERTIES not in entries:
        raise ValueError(f"not a Word or Excel package: {CORE_PROPERTIES} is missing")
    entries[CORE_PROPERTIES] = core_properties_xml(properties)
    if APP_PROPERTIES in entries:
        entries[APP_PROPERTIES] = app_properties_xml()
    stamp = max(properties.dated.replace(tzinfo=None), ZIP_EPOCH).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in sorted(entries, key=_entry_order):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            target.writestr(info, entries[name], compresslevel=6)
    return buffer.getvalue()


def fix_package(path: Path, properties: PackageProperties) -> Path:
    """Rewrite the saved package at `path` in place (callers write to a temporary file that
    replaces the target afterwards, core.files.atomic)."""
    path.write_bytes(fixed_package(path.read_bytes(), properties))
    return path
