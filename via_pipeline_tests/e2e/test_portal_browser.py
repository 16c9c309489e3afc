"""The portal in a real browser (Playwright driving Debian's Chromium, never a downloaded one).

Open the personal link, upload a bad file, read the table, upload the corrected file, see it
accepted; then the coordinator page shows both uploads. With PORTAL_SCREENSHOTS=<folder> (not a VIA_ setting: tests clear those)
the three pages are saved there as PNG (docs/portal.md shows them).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from via_pipeline_tests.support.partners import HEADER, valid_rows, xlsx_bytes
from via_pipeline_tests.support.portal import PortalUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CHROMIUM = shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(offline_environment: Path) -> Iterator[tuple[PortalUnderTest, str]]:
    import uvicorn

    portal = PortalUnderTest(offline_environment)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            portal.app, host="127.0.0.1", port=port, access_log=False, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the portal did not start"
        time.sleep(0.05)
    try:
        yield portal, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed: apt-get install -y chromium (.ci/run does)"
)
def test_a_partner_corrects_a_file_in_the_browser_and_the_coordinator_sees_it(
    served: tuple[PortalUnderTest, str], tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    portal, base_url = served
    shots = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    rows = valid_rows(count=4)
    rows[1][HEADER.index("thema")] = "werkgelegenheid"
    rows[3][HEADER.index("bereikte_personen")] = "-5"
    bad = tmp_path / "Voortgang ABU 2023.xlsx"
    bad.write_bytes(xlsx_bytes(rows))
    good = tmp_path / "Voortgang ABU 2023 verbeterd.xlsx"
    good.write_bytes(xlsx_bytes(valid_rows(count=4)))

    args = ["--lang=nl-NL", *(["--no-sandbox"] if os.geteuid() == 0 else [])]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="nl-NL")
            page.goto(base_url + portal.invite())
            assert page.url == base_url + "/"
            assert page.locator("h1").inner_text() == (
                "Algemene Bond Uitzendondernemingen (ABU): voortgang over 2023"
            )
            page.set_input_files("input[name=file]", str(bad))
            page.get_by_role("button", name="Controleren en aanleveren").click()
            page.wait_for_load_state()
            assert (
                page.get_by_role("alert").locator("h2").inner_text()
                == "Uw bestand is niet aangenomen"
            )
            table = page.locator("table").first
            headers = table.locator("thead th").all_inner_texts()
            assert headers == ["Rij", "Kolom", "Waarde", "Wat is er mis?"]
            cells = [
                row.locator("td").all_inner_texts()[:3] for row in table.locator("tbody tr").all()
            ]
            assert cells == [["3", "thema", "werkgelegenheid"], ["5", "bereikte_personen", "-5"]]
            assert not (portal.paths.inbox / "abu_2023.xlsx").exists()
            page.screenshot(path=str(shots / "portal-afgekeurd.png"), full_page=True)

            page.set_input_files("input[name=file]", str(good))
            page.get_by_role("button", name="Controleren en aanleveren").click()
            page.wait_for_load_state()
            assert page.get_by_role("status").first.locator("h2").inner_text() == (
                "Uw bestand is goedgekeurd en ontvangen"
            )
            assert (portal.paths.inbox / "abu_2023.xlsx").read_bytes() == good.read_bytes()
            page.screenshot(path=str(shots / "portal-goedgekeurd.png"), full_page=True)

            coordinator = browser.new_context(locale="nl-NL").new_page()
            coordinator.set_viewport_size({"width": 1000, "height": 700})
            coordinator.goto(base_url + portal.invite_coordinator())
            assert coordinator.url == base_url + "/coordinator"
            abu = coordinator.locator("tbody tr", has_text="(abu)")
            cells = abu.locator("td").all_inner_texts()
            assert cells[2].endswith("Voortgang ABU 2023 verbeterd.xlsx")
            assert cells[3:5] == ["goedgekeurd", "0"] and cells[6] == "2"
            assert abu.locator("a").count() == 1  # the rejected upload's feedback
            coordinator.screenshot(path=str(shots / "portal-coordinator.png"), full_page=True)
        finally:
            browser.close()
    assert [row.verdict for row in portal.records.uploads()] == ["accepted", "rejected"]
