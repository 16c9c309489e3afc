"""The inbox sensor: a new or changed partner file (by content hash) asks for its partner-year's intake.

The file is archived under its SHA-256 at once, so the run takes in exactly the bytes the sensor
saw, even if the partner's file in the inbox is replaced meanwhile.
"""

import json

import dagster as dg

from via_pipeline.core.partners.archive import InboxFile, archive_bytes, list_inbox
from via_pipeline.core.partners.fileformat import parse_file_name, safe_slug
from via_pipeline.core.partners.intake import intake_year
from via_pipeline.defs.jobs import WAREHOUSE_WRITER_TAGS
from via_pipeline.defs.partners.assets import (
    ACTIONS_KEY,
    INTAKE_OP,
    REJECTIONS_KEY,
    SUBMISSIONS_KEY,
    InboxFileRef,
    PartnerIntakeConfig,
    reporting_years,
)
from via_pipeline.defs.partners.resources import Inbox


def scan_inbox(inbox: Inbox) -> list[InboxFile]:
    """The sensor's one outside call (the file system); tests replace it."""
    return list_inbox(inbox.inbox_dir)


@dg.sensor(
    name="partners_inbox_sensor",
    target=[SUBMISSIONS_KEY, ACTIONS_KEY, REJECTIONS_KEY],
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def partners_inbox_sensor(
    context: dg.SensorEvaluationContext, inbox: Inbox
) -> dg.SensorResult | dg.SkipReason:
    """Requests one intake run per new or changed inbox file, for the partner and year its name gives.

    The cursor maps each inbox file name to the SHA-256 last seen, so a file saved again with the
    same content asks for nothing, and a changed one does even if its modification time did not.
    """
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    files = scan_inbox(inbox)
    changed = [found for found in files if seen.get(found.file_name) != found.sha256]
    if not changed:
        return dg.SkipReason(
            f"no new or changed files in {inbox.inbox_dir} ({len(files)} file(s) already seen)"
        )

    years = reporting_years()
    requests = []
    cursor = {found.file_name: found.sha256 for found in files}
    for found in changed:
        archived = archive_bytes(found.path.read_bytes(), found.file_name, inbox.archive_dir)
        # The bytes archived are what counts; if the file changed since the scan, remember those.
        cursor[found.file_name] = archived.sha256
        name = parse_file_name(found.file_name)
        year = intake_year(found.file_name, years)
        requests.append(
            dg.RunRequest(
                run_key=f"{found.file_name}:{archived.sha256}",
                partition_key=str(year),
                run_config=dg.RunConfig(
                    ops={
                        INTAKE_OP: PartnerIntakeConfig(
                            files=[InboxFileRef(file_name=found.file_name, sha256=archived.sha256)]
                        )
                    }
                ),
                tags={
                    **WAREHOUSE_WRITER_TAGS,
                    "via/partner": safe_slug(name.partner_id if name else None),
                    "via/file_sha256": archived.sha256,
                },
            )
        )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
