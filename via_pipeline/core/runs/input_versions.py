"""What each asset of a yearly build is computed from, as one version string per asset.

`via-pipeline run` compares these with the versions recorded on the Dagster run that last
materialised each asset, and leaves out of the run every asset whose inputs did not change
(docs/performance.md, "A no-change run"). Versions are hashes of what is cheap to look at:
the code and config (file contents), the inbox (file names, sizes and modification times, the
way the intake itself judges a file changed) and the CBS table versions (one TableInfos request
per table, or the snapshot's hash): never the data itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from via_pipeline.core.partners.inbox import scan_inbox
from via_pipeline.core.settings.paths import PACKAGE_DIR, SQL_DIR

# The files a build's result depends on besides its inputs: our code, SQL and config.
CODE_PATTERNS = ("**/*.py", "**/*.yaml", "**/*.yml", "**/*.sql", "**/*.json", "**/*.md")


def _digest(parts: Iterable[str]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode())
        sha.update(b"\0")
    return sha.hexdigest()[:24]


def code_version(roots: Sequence[Path] = (PACKAGE_DIR, SQL_DIR)) -> str:
    """A hash of every code, SQL and config file (path and content); snapshots excluded, their
    version is the CBS input's."""
    sha = hashlib.sha256()
    for root in roots:
        files = sorted(
            {path for pattern in CODE_PATTERNS for path in root.glob(pattern) if path.is_file()}
        )
        for path in files:
            if "snapshots" in path.relative_to(root).parts or "__pycache__" in path.parts:
                continue
            sha.update(str(path.relative_to(root)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:24]


def inbox_version(inbox_dir: Path, belongs: Callable[[str], bool]) -> str:
    """A hash of the inbox files a year's intake takes in: name, size, modification time.

    The files are those the intake's own scan sees (core.partners.inbox.scan_inbox): symlinks,
    folders and Office lock files are never taken in, so they never make a year changed."""
    scan = scan_inbox(inbox_dir, quiet_seconds=0)
    files = sorted((*scan.ready, *scan.young), key=lambda found: found.file_name)
    return _digest(
        [f"{found.file_name}|{found.signature}" for found in files if belongs(found.file_name)]
    )


def asset_input_versions(
    own_inputs: Mapping[str, Sequence[str]],
    parents: Mapping[str, Sequence[str]],
    code: str,
) -> dict[str, str]:
    """Each asset's version: its code, its own inputs' versions and its parents' versions, so a
    change reaches every asset downstream of it. Keys are asset names ("cbs/tables")."""
    versions: dict[str, str] = {}

    def version(name: str, seen: tuple[str, ...] = ()) -> str:
        if name not in versions:
            if name in seen:
                raise ValueError(f"asset graph has a cycle through {name}")
            ups = [version(p, (*seen, name)) for p in sorted(parents.get(name, ()))]
            versions[name] = _digest([code, *own_inputs.get(name, ()), *ups])
        return versions[name]

    for name in sorted(set(own_inputs) | set(parents)):
        version(name)
    return versions
