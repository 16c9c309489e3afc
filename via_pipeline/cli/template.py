"""`via-pipeline template`: a partner's submission template for a year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from via_pipeline.cli.common import say
from via_pipeline.core.settings.environment import Settings


def command_template(args: argparse.Namespace, settings: Settings) -> int:
    """Write a partner's submission template (XLSX with drop-downs, or CSV) to --output."""
    from via_pipeline.core.partners.registry import load_partners, load_themes
    from via_pipeline.core.partners.template import (
        TemplateError,
        carried_actions_or_none,
        write_template,
    )
    from via_pipeline.core.settings.config import ConfigFileError

    output = Path(args.output) if args.output else settings.output_dir / "templates"
    carried, note = carried_actions_or_none(settings.warehouse_url, args.partner, args.year)
    try:
        path = write_template(
            load_partners(), load_themes(), args.partner, args.year, output, args.format, carried
        )
    except (TemplateError, ConfigFileError) as error:
        print(f"via-pipeline: template: {error}", file=sys.stderr)
        return 2
    say(f"template written: {path} ({note})")
    return 0


def add_commands(commands: Any) -> None:
    template = commands.add_parser(
        "template", help="write a partner's submission template (XLSX or CSV) for a year"
    )
    template.add_argument("--partner", required=True, help="partner id, e.g. abu")
    template.add_argument("--year", type=int, required=True, help="reporting year")
    template.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    template.add_argument("--output", help="folder (default: <VIA_DATA_DIR>/output/templates)")
    template.set_defaults(handler=command_template)
