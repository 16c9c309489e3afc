"""The portal's verdict and columns for every file of the hostile corpus equal the intake's.

Each corpus file is uploaded through the web app (multipart, as a browser sends it) with the
link of the partner-year its name claims (abu 2023 when the name claims none we know). The
intake's verdict is what the inbox's run makes of the same bytes under the name the portal
stores them as.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from via_pipeline.core.partners.evaluation import evaluate_submission
from via_pipeline.core.partners.fileformat import parse_file_name
from via_pipeline.core.partners.registry import load_partners, load_themes
from via_pipeline.core.portal.submissions import stored_name
from via_pipeline_tests.reliability.corpus import CASES
from via_pipeline_tests.support.portal import Clock, PortalUnderTest, open_config

YEARS = list(range(2022, 2027))
PARTNERS = {partner.partner_id: partner for partner in load_partners()}
ROW = re.compile(r"<tr><td>(.*?)</td><td>(.*?)</td><td>.*?</td><td>", re.S)


def _link_for(file_name: str) -> tuple[str, int]:
    name = parse_file_name(file_name)
    if name and name.partner_id in PARTNERS and name.reporting_year in YEARS:
        return name.partner_id, name.reporting_year
    return "abu", 2023


def test_every_corpus_file_gets_the_intakes_verdict_and_columns(
    offline_environment: Path, tmp_path: Path
) -> None:
    portal = PortalUnderTest(
        offline_environment,
        Clock(datetime(2026, 6, 1, tzinfo=UTC)),
        open_config(tmp_path / "config"),
    )
    clients: dict[tuple[str, int], tuple[object, str]] = {}
    corpus = tmp_path / "corpus"
    compared = 0
    for case in CASES:
        path = case.write(corpus)
        partner_id, year = _link_for(case.file_name)
        if (partner_id, year) not in clients:
            client = portal.client()
            client.get(portal.invite(partner_id, year))
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
            assert csrf, case.case_id
            clients[(partner_id, year)] = (client, csrf.group(1))
        client, csrf = clients[(partner_id, year)]
        with path.open("rb") as stream:
            answer = client.post(  # type: ignore[attr-defined]
                "/upload",
                data={"csrf_token": csrf},
                files={"file": (case.file_name, stream)},
                headers={"origin": "http://testserver"},
            )
        if answer.status_code == 413:  # the 200 MB file: refused while it streams in
            portal_verdict, portal_columns = "rejected", {""}
        else:
            assert answer.status_code in (200, 422), (case.case_id, answer.status_code)
            portal_verdict = "accepted" if answer.status_code == 200 else "rejected"
            problems = answer.text.split("<caption>Problemen in", 1)[-1].split("</table>")[0]
            portal_columns = (
                {column for _, column in ROW.findall(problems)}
                if portal_verdict == "rejected"
                else set()
            )
        content = path.read_bytes() if path.stat().st_size < 50 * 1024 * 1024 else b""
        name = stored_name(partner_id, year, case.file_name)
        if content:
            intake = evaluate_submission(
                content, name, list(PARTNERS.values()), load_themes(), YEARS
            )
            intake_verdict = "accepted" if intake.accepted else "rejected"
            intake_columns = {p.column_name or "" for p in intake.problems}
        else:
            intake_verdict, intake_columns = "rejected", {""}  # over the size limit, by stat()
        assert (portal_verdict, portal_columns) == (intake_verdict, intake_columns), case.case_id
        path.unlink()
        compared += 1
    assert compared == len(CASES) >= 40
