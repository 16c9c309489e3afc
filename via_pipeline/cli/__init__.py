"""The `via-pipeline` command: one module per command group, each adding its commands.

Bad configuration ends with one line naming the setting, never a traceback; exit codes: 0 done,
1 failed, 2 bad configuration or arguments, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from via_pipeline.cli import cbs, letter, migrate, portal, run, status, template
from via_pipeline.cli.instance import write_log
from via_pipeline.core.runs.causes import exception_cause, plain_cause
from via_pipeline.core.settings.environment import ConfigurationError, Settings, load_settings
from via_pipeline.core.warehouse import WarehouseError

# The order of `via-pipeline --help`.
COMMAND_GROUPS = (run, status, migrate, template, cbs, letter, portal)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="via-pipeline",
        description="Werkagenda VIA monitor: CBS statistics and partner reports to the progress-letter annex.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; whatever goes wrong ends in one line on stderr (a traceback goes to a log)."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace, Settings], int] = args.handler
    settings: Settings | None = None
    try:
        settings = load_settings()
        return handler(args, settings)
    except ConfigurationError as error:
        _fail(f"configuration error: {error}")
        return 2
    except WarehouseError as error:
        _fail(f"warehouse error: {plain_cause(str(error))}")
        return 1
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except BrokenPipeError:  # `via-pipeline status | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        log = write_log(settings, "error", traceback.format_exc()) if settings else None
        where = f" (traceback in {log})" if log else ""
        _fail(f"error: {exception_cause(error)}{where}")
        return 1


def _fail(message: str) -> None:
    print(f"via-pipeline: {message}", file=sys.stderr, flush=True)
