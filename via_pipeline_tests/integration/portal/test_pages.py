"""The portal's pages: link to session, upload page, verdict table, inbox, coordinator page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from via_pipeline_tests.support.partners import HEADER, csv_bytes, valid_rows, xlsx_bytes
from via_pipeline_tests.support.portal import PortalUnderTest

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def portal(offline_environment: Path) -> PortalUnderTest:
    return PortalUnderTest(offline_environment)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def signed_in(portal: PortalUnderTest, partner_id: str = "abu"):
    client = portal.client()
    opened = client.get(portal.invite(partner_id))
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    return client, csrf_of(page.text)


def bad_rows() -> list[list[object]]:
    rows = valid_rows(count=3)
    rows[0][HEADER.index("thema")] = "<script>alert(1)</script>"
    rows[2][HEADER.index("einddatum")] = "31-02-2023"
    return rows


def test_the_link_becomes_a_session_cookie_and_a_url_without_token(portal: PortalUnderTest) -> None:
    client = portal.client()
    path = portal.invite()
    opened = client.get(path)
    assert opened.status_code == 303 and opened.headers["location"] == "/"
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith("via_sessie=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert path.rsplit("/", 1)[-1] not in cookie
    page = client.get("/")
    assert "<h1>Algemene Bond Uitzendondernemingen (ABU): voortgang over 2023</h1>" in page.text
    assert "tot <strong>15-09-2023 om 23:59</strong>" in page.text
    assert 'name="file"' in page.text and 'enctype="multipart/form-data"' in page.text
    template = client.get("/sjabloon")
    assert template.headers["content-disposition"] == 'attachment; filename="abu_2023.xlsx"'
    assert (
        openpyxl.load_workbook(__import__("io").BytesIO(template.content)).sheetnames[0] == "acties"
    )
    # The link can be used again.
    assert portal.client().get(path).status_code == 303


def test_over_tls_the_cookie_is_host_prefixed_and_secure(portal: PortalUnderTest) -> None:
    client = portal.client(base_url="https://portal.example.nl")
    opened = client.get(portal.invite())
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith("__Host-via_sessie=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert opened.headers["strict-transport-security"].startswith("max-age=31536000")
    assert client.get("/").status_code == 200


def test_a_bad_file_gets_the_table_and_feedback_and_never_enters_the_inbox(
    portal: PortalUnderTest,
) -> None:
    client, csrf = signed_in(portal)
    answer = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("Voortgang ABU.csv", csv_bytes(bad_rows()), "text/csv")},
        headers=ORIGIN,
    )
    assert answer.status_code == 422
    assert "Uw bestand is niet aangenomen" in answer.text
    assert (
        '<th scope="col">Rij</th><th scope="col">Kolom</th><th scope="col">Waarde</th><th scope="col">Wat is er mis?</th>'
        in answer.text
    )
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>", answer.text)
    assert cells == [
        ("2", "thema", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("4", "einddatum", "31-02-2023"),
    ]
    assert "<script>" not in answer.text
    assert not (portal.paths.inbox / "abu_2023.csv").exists()
    link = re.search(r'href="(/terugkoppeling/\d+)"', answer.text)
    assert link
    workbook = client.get(link.group(1))
    assert workbook.status_code == 200
    assert workbook.headers["content-disposition"].startswith("attachment;")
    assert workbook.headers["x-content-type-options"] == "nosniff"
    assert workbook.headers["cache-control"] == "no-store"
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(workbook.content))["problemen"]
    assert [row[1:3] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        (2, "thema"),
        (4, "einddatum"),
    ]


def test_a_good_file_goes_into_the_inbox_under_its_canonical_name(portal: PortalUnderTest) -> None:
    client, csrf = signed_in(portal)
    content = xlsx_bytes(valid_rows(count=4))
    answer = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("ingevuld (definitief).XLSX", content, "application/octet-stream")},
        headers=ORIGIN,
    )
    assert answer.status_code == 200, answer.text
    assert "Uw bestand is goedgekeurd en ontvangen" in answer.text
    assert "opgeslagen als <strong>abu_2023.xlsx</strong>" in answer.text
    assert "volgende verwerkingsronde" in answer.text
    assert (portal.paths.inbox / "abu_2023.xlsx").read_bytes() == content
    assert list(portal.paths.staging.iterdir()) == []


def test_after_the_deadline_the_upload_is_refused_in_dutch(portal: PortalUnderTest) -> None:
    portal.clock.now = datetime(2023, 9, 15, 21, 0, tzinfo=UTC)  # 23:00 Amsterdam
    client, csrf = signed_in(portal)
    path = portal.invite()
    portal.clock.now = datetime(2023, 9, 15, 22, 0, tzinfo=UTC)  # 00:00 Amsterdam, 16 September
    page = client.get("/")
    assert "is verstreken op 15-09-2023 om 23:59" in page.text and 'name="file"' not in page.text
    answer = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("abu_2023.csv", csv_bytes(valid_rows()), "text/csv")},
        headers=ORIGIN,
    )
    assert answer.status_code == 403
    assert (
        "De termijn voor het aanleveren over 2023 is verstreken op 15-09-2023 om 23:59"
        in answer.text
    )
    assert not portal.paths.inbox.exists() or not list(portal.paths.inbox.iterdir())
    # And the link itself no longer opens.
    assert portal.client().get(path).status_code == 404


def test_the_coordinator_page_shows_every_partner_of_the_year(portal: PortalUnderTest) -> None:
    client, csrf = signed_in(portal)
    for content in (csv_bytes(bad_rows()), csv_bytes(valid_rows())):
        client.post(
            "/upload",
            data={"csrf_token": csrf},
            files={"file": ("abu_2023.csv", content, "text/csv")},
            headers=ORIGIN,
        )
    coordinator = portal.client()
    assert coordinator.get(portal.invite_coordinator()).headers["location"] == "/coordinator"
    page = coordinator.get("/coordinator?jaar=2023")
    assert page.status_code == 200 and "Aanleveringen over 2023" in page.text
    rows = re.findall(
        r"<tr>\n<td>.*? <span class=\"id\">\((\w+)\)</span></td>\n<td>(.*?)</td>\n<td>(.*?)</td>\n<td>(.*?)</td>\n<td>(.*?)</td>",
        page.text,
    )
    by_partner = {name: rest for name, *rest in rows}
    assert by_partner["abu"] == ["01-06-2023", "01-06-2023 12:00 abu_2023.csv", "goedgekeurd", "0"]
    assert by_partner["fnv"] == ["nee", "", "", ""]
    feedback = re.search(r'href="(/terugkoppeling/\d+)"', page.text)
    assert feedback and coordinator.get(feedback.group(1)).status_code == 200
    # The partner never sees the coordinator page.
    assert client.get("/coordinator").status_code == 404
