"""Code-location load: `import via_pipeline.definitions` against bare `import dagster`.

Every run worker and every UI reload pays this. Both are timed in fresh processes, interleaved,
and compared by the ratio of medians. `-X importtime` then names each module our code imports
at module scope beyond what Dagster already imports, and which of our modules pulled it in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from benchmarks.common import (
    PYTHON,
    REPO_ROOT,
    BenchResult,
    BenchSize,
    clean_environment,
    format_ratio,
    interleave,
    load_conditions,
    median,
    run_process,
    spread,
    time_process,
)

TARGET_RATIO = 1.25
DAGSTER = "import dagster"
CODE_LOCATION = "import via_pipeline.definitions"


@dataclass
class ImportNode:
    name: str
    self_us: int
    cumulative_us: int
    children: list[ImportNode] = field(default_factory=list)


def parse_importtime(stderr: str) -> list[ImportNode]:
    """The import tree from `-X importtime` output (printed children first, indented by depth)."""
    pending: list[tuple[int, ImportNode]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_part, cumulative_part, name_part = line[len("import time:") :].split("|", 2)
        depth = (len(name_part) - len(name_part.lstrip(" ")) - 1) // 2
        node = ImportNode(name_part.strip(), int(self_part), int(cumulative_part))
        while pending and pending[-1][0] > depth:
            node.children.insert(0, pending.pop()[1])
        pending.append((depth, node))
    return [node for _, node in pending]


def _walk(nodes: list[ImportNode]) -> list[ImportNode]:
    found: list[ImportNode] = []
    for node in nodes:
        found.append(node)
        found.extend(_walk(node.children))
    return found


def ours(name: str) -> bool:
    return name == "via_pipeline" or name.startswith("via_pipeline.")


def blame(code_location: list[ImportNode], baseline: set[str]) -> list[tuple[str, str, float]]:
    """(our importing module, imported module, cumulative ms) for every module-scope import of ours
    that Dagster alone does not load, heaviest first."""
    rows: list[tuple[str, str, float]] = []

    def visit(node: ImportNode, importer: str) -> None:
        for child in node.children:
            if ours(child.name):
                visit(child, child.name)
            elif child.name not in baseline:
                rows.append((importer, child.name, child.cumulative_us / 1000))
            else:
                visit(child, importer)

    for root in code_location:
        if ours(root.name):
            visit(root, root.name)
    return sorted(rows, key=lambda row: row[2], reverse=True)


# Run in a fresh process after `import dagster`: for every top-level package first imported
# while the code location loads, the innermost line of our code on the stack at that moment.
# (-X importtime cannot say this: Dagster's defs-folder loader hides which module of ours it
# was executing, so everything appears under via_pipeline.definitions.)
FIRST_IMPORTERS = """
import json, sys
import dagster
ROOT = sys.argv[1]
seen = set(name.partition(".")[0] for name in sys.modules)
found = {}
class Observer:
    @staticmethod
    def find_spec(name, path=None, target=None):
        top = name.partition(".")[0]
        if top in seen or top == "via_pipeline":
            return None
        seen.add(top)
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(ROOT) and "/.venv/" not in filename:
                found[top] = f"{filename[len(ROOT):].lstrip('/')}:{frame.f_lineno}"
                break
            frame = frame.f_back
        else:
            found[top] = "(not from our code)"
        return None
sys.meta_path.insert(0, Observer)
import via_pipeline.definitions
print(json.dumps(found))
"""


def first_importers() -> dict[str, str]:
    """Top-level package -> `path:line` of ours that imported it first while loading the code location."""
    completed = run_process(
        [PYTHON, "-c", FIRST_IMPORTERS, str(REPO_ROOT)], env=clean_environment()
    )
    found: dict[str, str] = json.loads(completed.stdout.strip().splitlines()[-1])
    return found


def importtime(statement: str) -> list[ImportNode]:
    completed = run_process([PYTHON, "-X", "importtime", "-c", statement], env=clean_environment())
    return parse_importtime(completed.stderr)


def run(size: BenchSize) -> BenchResult:
    result = BenchResult("import", "Code-location load")
    env = clean_environment()
    commands = {"dagster": [PYTHON, "-c", DAGSTER], "definitions": [PYTHON, "-c", CODE_LOCATION]}
    if not size.is_tiny:
        for command in commands.values():  # warm the bytecode and file caches once
            time_process(command, env=env)
    timings = interleave(
        {name: (lambda c=command: time_process(c, env=env)) for name, command in commands.items()},
        max(size.repeat, 5) if not size.is_tiny else 1,
    )
    ratio = median(timings["definitions"]) / median(timings["dagster"])
    pair_ratios = [d / b for d, b in zip(timings["definitions"], timings["dagster"], strict=True)]
    met = ratio <= TARGET_RATIO
    result.add("`python -c 'import dagster'`", spread(timings["dagster"]))
    result.add("`python -c 'import via_pipeline.definitions'`", spread(timings["definitions"]))
    result.add(
        "load ratio (median definitions / median dagster)",
        f"{format_ratio(ratio)} (per-pair median {format_ratio(median(pair_ratios))})",
        f"<= {TARGET_RATIO}x (issue 25 before: 1.41-1.46x)",
        met,
    )

    baseline_nodes = importtime(DAGSTER)
    baseline = {node.name for node in _walk(baseline_nodes)}
    location_nodes = importtime(CODE_LOCATION)
    extra = [node for node in _walk(location_nodes) if node.name not in baseline]
    extra_self_ms = sum(node.self_us for node in extra if not ours(node.name)) / 1000
    ours_self_ms = sum(node.self_us for node in extra if ours(node.name)) / 1000
    culprits = blame(location_nodes, baseline)
    lines = [
        f"Timed in fresh processes, interleaved, {len(timings['dagster'])} each; {load_conditions()}.",
        "",
        f"`-X importtime`: the code location loads {len(extra)} modules Dagster does not; their own "
        f"import time is {extra_self_ms:.0f} ms in third-party modules and {ours_self_ms:.0f} ms in ours.",
        "Module-scope imports of ours that Dagster alone does not load (cumulative ms, one run, "
        "with importtime's own overhead):",
        "",
        "| our module | imports | ms |",
        "|---|---|---:|",
    ]
    lines.extend(
        f"| `{importer}` | `{module}` | {ms:.0f} |" for importer, module, ms in culprits[:15]
    )
    if not culprits:
        lines.append("| (none) | | |")
    cumulative: dict[str, float] = {}
    for node in extra:
        top = node.name.partition(".")[0]
        cumulative[top] = max(cumulative.get(top, 0.0), node.cumulative_us / 1000)
    importers = first_importers()
    heavy = sorted(importers, key=lambda top: cumulative.get(top, 0.0), reverse=True)
    lines += [
        "",
        "Where each third-party package was first imported from (a probe on sys.meta_path; "
        "ms: the package's largest cumulative import time above):",
        "",
        "| package | first imported at | ms |",
        "|---|---|---:|",
    ]
    lines.extend(
        f"| `{top}` | `{importers[top]}` | {cumulative.get(top, 0.0):.0f} |"
        for top in heavy[:12]
        if cumulative.get(top, 0.0) >= 1
    )
    result.details.extend(lines)
    return result
