"""The portal's security items, one test each (docs/security.md, "Partner portal")."""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from via_pipeline.portal.security import CSP
from via_pipeline_tests.integration.portal.test_pages import ORIGIN, bad_rows, signed_in
from via_pipeline_tests.support.partners import csv_bytes, valid_rows, xlsx_bytes
from via_pipeline_tests.support.portal import PortalUnderTest

TEMPLATES = Path(__file__).resolve().parents[3] / "via_pipeline" / "portal" / "templates"
MB = 1024 * 1024


@pytest.fixture
def portal(offline_environment: Path) -> PortalUnderTest:
    return PortalUnderTest(offline_environment)


def _post_file(client, csrf: str, name: str, content: bytes):
    return client.post(
        "/upload", data={"csrf_token": csrf}, files={"file": (name, content)}, headers=ORIGIN
    )


def _uploads(portal: PortalUnderTest) -> int:
    return len(portal.records.uploads())


def test_a_bogus_token_a_revoked_link_and_an_unknown_page_get_the_same_404(
    portal: PortalUnderTest,
) -> None:
    client = portal.client()
    path = portal.invite()
    answers = [client.get("/l/" + "A" * 43), client.get("/l/kort"), client.get("/nergens")]
    assert portal.revoke() == 1
    answers.append(client.get(path))
    assert [answer.status_code for answer in answers] == [404] * 4
    assert len({answer.text for answer in answers}) == 1
    assert "de link is onbekend of niet meer geldig" in answers[0].text
    assert "set-cookie" not in answers[3].headers
    assert client.get("/").status_code == 404  # no session without a valid link


def test_a_session_of_a_revoked_link_ends_at_once(portal: PortalUnderTest) -> None:
    client, _ = signed_in(portal)
    portal.revoke()
    assert client.get("/").status_code == 404


def test_no_or_a_wrong_csrf_token_or_a_foreign_origin_is_403(portal: PortalUnderTest) -> None:
    client, csrf = signed_in(portal)
    content = csv_bytes(valid_rows())
    missing = client.post("/upload", files={"file": ("a.csv", content)}, headers=ORIGIN)
    wrong = _post_file(client, csrf[:-1] + ("A" if csrf[-1] != "A" else "B"), "a.csv", content)
    foreign = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("a.csv", content)},
        headers={"origin": "https://evil.example"},
    )
    cross_site = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("a.csv", content)},
        headers={"origin": "null", "sec-fetch-site": "cross-site"},
    )
    statuses = [missing.status_code, wrong.status_code, foreign.status_code, cross_site.status_code]
    assert statuses == [403, 403, 403, 403]
    assert "Het formulier is verlopen of komt niet van deze site" in missing.text
    assert _uploads(portal) == 0 and not portal.paths.inbox.exists()
    # Chromium's own form under Referrer-Policy no-referrer: Origin null, Fetch Metadata same-origin.
    own = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files={"file": ("a.csv", content)},
        headers={"origin": "null", "sec-fetch-site": "same-origin"},
    )
    assert own.status_code == 200 and _uploads(portal) == 1


def test_a_foreign_partners_feedback_and_the_coordinator_page_are_404(
    portal: PortalUnderTest,
) -> None:
    abu, abu_csrf = signed_in(portal, "abu")
    answer = _post_file(abu, abu_csrf, "abu_2023.csv", csv_bytes(bad_rows()))
    feedback = re.search(r'href="(/terugkoppeling/\d+)"', answer.text)
    assert feedback and abu.get(feedback.group(1)).status_code == 200
    fnv, _ = signed_in(portal, "fnv")
    assert fnv.get(feedback.group(1)).status_code == 404
    assert fnv.get("/terugkoppeling/999").status_code == 404
    assert "abu" not in fnv.get("/").text.lower().replace("abu_", "")
    assert fnv.get("/coordinator").status_code == 404
    assert portal.client().get(feedback.group(1)).status_code == 404  # no session at all


def test_25_mb_is_413_with_a_content_length(portal: PortalUnderTest) -> None:
    client, csrf = signed_in(portal)
    answer = _post_file(client, csrf, "abu_2023.csv", b"x" * (25 * MB))
    assert answer.status_code == 413
    assert (
        answer.text == "Het bestand is te groot: de grens is 10 MB. Uw bestand is niet aangenomen."
    )
    assert _uploads(portal) == 0


def test_a_streamed_body_without_content_length_is_cut_off_at_the_cap(
    portal: PortalUnderTest,
) -> None:
    client, _ = signed_in(portal)
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(25):
            sent += MB
            yield b"y" * MB

    answer = client.post(
        "/upload",
        content=chunks(),
        headers={**ORIGIN, "content-type": "multipart/form-data; boundary=xyz"},
    )
    assert answer.status_code == 413
    assert answer.request.headers.get("content-length") is None
    assert _uploads(portal) == 0


def test_one_file_per_request(portal: PortalUnderTest) -> None:
    client, csrf = signed_in(portal)
    content = csv_bytes(valid_rows())
    answer = client.post(
        "/upload",
        data={"csrf_token": csrf},
        files=[("file", ("a.csv", content)), ("file", ("b.csv", content))],
        headers=ORIGIN,
    )
    assert answer.status_code == 400
    assert "Lever één bestand per keer aan" in answer.text
    assert _uploads(portal) == 0 and not portal.paths.inbox.exists()


def test_content_is_sniffed_macros_and_nul_bytes_are_rejected(portal: PortalUnderTest) -> None:
    client, csrf = signed_in(portal)
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(valid_rows())))
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"macro")
    macro = _post_file(client, csrf, "abu_2023.xlsx", buffer.getvalue())
    assert macro.status_code == 422 and "het bevat macro&#39;s (vbaProject.bin)" in macro.text
    renamed = _post_file(client, csrf, "abu_2023.xlsx", csv_bytes(valid_rows()))
    assert renamed.status_code == 422 and "het is geen Excel-werkmap (.xlsx)" in renamed.text
    content = csv_bytes(valid_rows())
    nul = _post_file(client, csrf, "abu_2023.csv", content[:30] + b"\x00" + content[30:])
    assert nul.status_code == 422 and "het is een binair bestand, geen tekst" in nul.text
    assert not portal.paths.inbox.exists()


def test_paths_on_disk_are_built_by_the_server(portal: PortalUnderTest, tmp_path: Path) -> None:
    client, csrf = signed_in(portal)
    answer = _post_file(client, csrf, "../../../../tmp/evil_2023.csv", csv_bytes(valid_rows()))
    assert answer.status_code == 200
    assert [p.name for p in portal.paths.inbox.iterdir()] == ["abu_2023.csv"]
    assert not (tmp_path / "evil_2023.csv").exists() and not Path("/tmp/evil_2023.csv").exists()
    # Storage lies outside anything served: no route gives a file by name.
    for path in (
        "/static/../portal/portal.sqlite3",
        "/portal/portal.sqlite3",
        "/inbox/abu_2023.csv",
    ):
        assert client.get(path).status_code == 404


def test_headers_csp_without_script_no_referrer_nosniff_and_hsts_only_behind_tls(
    portal: PortalUnderTest,
) -> None:
    client, _ = signed_in(portal)
    page = client.get("/")
    assert page.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP and "unsafe-inline" not in CSP and "default-src 'none'" in CSP
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in page.headers
    template = client.get("/sjabloon")
    assert template.headers["x-content-type-options"] == "nosniff"
    assert template.headers["cache-control"] == "no-store"
    assert template.headers["content-disposition"].startswith("attachment;")
    tls = portal.client(base_url="https://portal.example.nl").get("/nergens")
    assert tls.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    for template_file in TEMPLATES.glob("*.html"):
        text = template_file.read_text(encoding="utf-8")
        assert "<script" not in text and " style=" not in text and not re.search(r" on\w+=", text)


def test_rate_limits_answer_429(portal: PortalUnderTest) -> None:
    uploader, csrf = signed_in(portal)  # one link opened: 19 more are allowed this minute
    content = csv_bytes(bad_rows())
    statuses = [_post_file(uploader, csrf, "abu_2023.csv", content).status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]
    client = portal.client()
    answers = [client.get("/l/" + "B" * 43) for _ in range(20)]
    assert [answer.status_code for answer in answers] == [404] * 19 + [429]
    assert "Wacht een minuut" in answers[-1].text


def test_the_audit_log_records_uploads_verdicts_and_link_use_never_a_token(
    portal: PortalUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    path = portal.invite()
    token = path.rsplit("/", 1)[-1]
    client = portal.client()
    opened = client.get(path)
    session = opened.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)  # type: ignore[union-attr]
    _post_file(client, csrf, "abu_2023.csv", csv_bytes(bad_rows()))
    _post_file(client, csrf, "abu_2023.csv", csv_bytes(valid_rows()))
    client.get("/l/" + "C" * 43)
    portal.revoke()
    events = [row["event"] for row in portal.records.audit_lines()]
    assert events == [
        "link_created",
        "link_opened",
        "upload_rejected",
        "upload_accepted",
        "link_refused",
        "link_revoked",
    ]
    with sqlite3.connect(portal.paths.records) as conn:
        dump = "\n".join(conn.iterdump())
    # What the server logs (the test client's own httpx lines are the browser's side).
    logged = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("httpx")
    )
    assert "GET /l/… 303" in logged
    for secret in (token, session, csrf):
        assert secret not in logged
        assert secret not in "\n".join(str(row) for row in portal.records.audit_lines())
    assert token not in dump and session not in dump


def test_the_portal_unit_listens_on_loopback_behind_the_proxy() -> None:
    unit = (TEMPLATES.parents[2] / "deploy" / "systemd" / "via-portal.service").read_text(
        encoding="utf-8"
    )
    (start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert start.endswith(
        "via-pipeline portal serve --host 127.0.0.1 --port 8080 --forwarded-allow-ips 127.0.0.1"
    )
    assert "ReadWritePaths=/var/lib/via-pipeline/data" in unit
