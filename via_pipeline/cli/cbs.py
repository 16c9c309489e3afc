"""`via-pipeline cbs check` and `via-pipeline cbs record`: the operator's commands for CBS.

`check` is the first command on a new network: it reads only metadata and code lists (from
CBS, or VIA_CBS_CATALOG_URL) and prints how the catalogue resolves; exit 0 when everything
does, 1 otherwise. `record` re-records the bundled snapshot from CBS and prints which figures
changed. The logic is in core/cbs/check.py and core/cbs/record.py.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from via_pipeline.cli.common import say
from via_pipeline.core.cbs.catalogue import Catalogue, TableConfig, load_catalogue
from via_pipeline.core.cbs.check import check_table
from via_pipeline.core.cbs.client import CbsError, LiveCbsClient
from via_pipeline.core.cbs.matching import CatalogueMismatchError
from via_pipeline.core.cbs.record import record_table
from via_pipeline.core.settings.config import ConfigFileError
from via_pipeline.core.settings.environment import ConfigurationError, Settings
from via_pipeline.core.settings.paths import SNAPSHOT_DIR

MAX_CHANGES_SHOWN = 40


def _live_client(settings: Settings) -> LiveCbsClient:
    return LiveCbsClient(
        catalog_url=settings.cbs_catalog_url,
        use_https=settings.cbs_use_https,
        warn=lambda line: say(f"  {line}"),
    )


def _tables(catalogue: Catalogue, table_id: str | None) -> tuple[TableConfig, ...]:
    if table_id is None:
        return catalogue.tables
    try:
        return (catalogue.table(table_id),)
    except ConfigFileError as error:
        raise ConfigurationError(f"--table: {error}") from error


def command_cbs_check(args: argparse.Namespace, settings: Settings) -> int:
    client = _live_client(settings)
    say(f"CBS catalogue at {client.describe()} (metadata only, nothing is written)")
    resolved = True
    for table in _tables(load_catalogue(), args.table):
        result = check_table(client, table)
        for line in result.report():
            say(line)
        resolved = resolved and result.resolves
    say("everything resolves" if resolved else "not everything resolves: see NOT RESOLVED above")
    return 0 if resolved else 1


def command_cbs_record(args: argparse.Namespace, settings: Settings) -> int:
    client = _live_client(settings)
    snapshot_dir = Path(args.snapshot_dir)
    say(f"recording the CBS snapshot in {snapshot_dir} from {client.describe()}")
    failed = False
    for table in _tables(load_catalogue(), args.table):
        try:
            recorded = record_table(client, table, snapshot_dir, progress=say)
        except (CbsError, CatalogueMismatchError) as error:
            say(f"{table.table_id}: not recorded, the previous snapshot is kept: {error}")
            failed = True
            continue
        say(
            f"{table.table_id}: recorded {recorded.figures} figures, Modified "
            f"{recorded.modified or 'not given'}; {len(recorded.changes)} figure(s) changed"
        )
        for change in recorded.changes[:MAX_CHANGES_SHOWN]:
            say(f"  {change.describe()}")
        if len(recorded.changes) > MAX_CHANGES_SHOWN:
            say(f"  ... and {len(recorded.changes) - MAX_CHANGES_SHOWN} more")
    if not failed:
        say(
            "done: review and commit via_pipeline/snapshots/cbs/ (sources.csv and README.md updated)"
        )
    return 1 if failed else 0


def add_commands(commands: Any) -> None:
    """Register `cbs check` and `cbs record` on the main parser's subcommands."""
    cbs = commands.add_parser("cbs", help="CBS StatLine: check the catalogue, record the snapshot")
    actions = cbs.add_subparsers(dest="cbs_command", required=True)
    check = actions.add_parser(
        "check",
        help="how the catalogue resolves against CBS (metadata only, writes nothing); exit 1 if not",
    )
    check.add_argument("--table", help="one table id (default: every catalogued table)")
    check.set_defaults(handler=command_cbs_check)
    record = actions.add_parser(
        "record", help="re-record the bundled snapshot from CBS and print the figures that changed"
    )
    record.add_argument("--table", help="one table id (default: every catalogued table)")
    record.add_argument(
        "--snapshot-dir",
        default=str(SNAPSHOT_DIR),
        help="snapshot folder to rewrite (default: the bundled via_pipeline/snapshots/cbs)",
    )
    record.set_defaults(handler=command_cbs_record)
