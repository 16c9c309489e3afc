"""`via-pipeline migrate`: apply the warehouse migrations not yet applied."""

from __future__ import annotations

import argparse
from typing import Any

from via_pipeline.cli.common import say, warehouse_for_writing, writing
from via_pipeline.core.settings.environment import Settings


def command_migrate(args: argparse.Namespace, settings: Settings) -> int:
    store = warehouse_for_writing(settings)
    with writing(store, settings, "via-pipeline migrate"):
        applied = store.migrate()
        versions = store.applied_migrations()
    if applied:
        for name in applied:
            say(f"applied {name}")
    else:
        say("warehouse is up to date")
    say(f"warehouse: {store.redacted_url} (migrations {', '.join(versions)})")
    return 0


def add_commands(commands: Any) -> None:
    migrate = commands.add_parser("migrate", help="apply the warehouse migrations not yet applied")
    migrate.set_defaults(handler=command_migrate)
