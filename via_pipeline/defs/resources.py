"""The resources every domain's assets use, bound once for the whole code location.

Fields left empty are read from the VIA_* environment when a run starts, never at import.
"""

import dagster as dg

from via_pipeline.defs.cbs.resources import CbsStatLine
from via_pipeline.defs.orchestration.resources import AlertWebhook
from via_pipeline.defs.partners.resources import Inbox
from via_pipeline.defs.warehouse.resources import Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(),
            "cbs": CbsStatLine(),
            "inbox": Inbox(),
            "alert_webhook": AlertWebhook(),
        },
    )
