"""Reading the YAML files of via_pipeline/config/: the one way configuration enters the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from via_pipeline.core.settings.paths import CONFIG_DIR


class ConfigFileError(ValueError):
    """A config file is missing or malformed; the message names the file and the problem."""


def load_yaml(name: str, config_dir: Path = CONFIG_DIR) -> Any:
    """Parse config/<name> (e.g. "partners.yaml")."""
    path = config_dir / name
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        raise ConfigFileError(f"{path}: config file not found") from None
    except yaml.YAMLError as error:
        raise ConfigFileError(f"{path}: not valid YAML: {error}") from None
