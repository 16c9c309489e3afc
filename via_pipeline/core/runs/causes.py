"""The cause of a failure in one line: the innermost error, in words an operator acts on.

Dagster wraps a step's own error ("DagsterExecutionStepExecutionError: Error occurred while
executing op …"); the operator needs what is inside: the disk is full, the file is read-only,
another process holds the warehouse. Our own errors that wrap a driver's ("replacing rows of
partners.registry failed: <driver's reason>") already carry its reason, and name the table.
"""

from __future__ import annotations

import re
from typing import Protocol

from via_pipeline.core.runs.lease import duckdb_lock_holder

# "OSError: [Errno 28] No space left on device: '/data/archive/x'" -> the text and the path.
OS_ERROR = re.compile(r"^\[Errno \d+\] (?P<text>[^:]+)(?:: '(?P<path>.*)')?$", re.DOTALL)
# "duckdb.duckdb.IOException: …", "builtins.OSError: …", "OSError: …": the class name in front.
ERROR_CLASS = re.compile(r"^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Warning|Interrupt): ")
DAGSTER_WRAPPER_PREFIX = "dagster."
# Dagster turns SIGINT and SIGTERM into this error inside the step that was running.
INTERRUPTED = "interrupted (Ctrl-C, SIGINT or SIGTERM)"


class ErrorInfo(Protocol):
    """The shape of Dagster's serialised error (its class is not public API)."""

    message: str
    cause: ErrorInfo | None


def own_error(error: ErrorInfo) -> ErrorInfo:
    """The first error in the chain that is not one of Dagster's wrappers: the step's own.

    Not simply the last: our WarehouseError already carries the driver's reason and adds the
    table, which the driver's error alone would not name.
    """
    while error.cause is not None and error.message.startswith(DAGSTER_WRAPPER_PREFIX):
        error = error.cause
    return error


def plain_cause(message: str) -> str:
    """One line from an error message: no class name, no Errno, known causes in plain words."""
    text = message.strip()
    pid = duckdb_lock_holder(text)
    if pid is not None:
        return f"the warehouse is locked by process {pid}"
    first = text.splitlines()[0] if text else "unknown error"
    if first.endswith(("ExecutionInterruptedError", "KeyboardInterrupt")):
        return INTERRUPTED
    first = ERROR_CLASS.sub("", first, count=1)
    os_error = OS_ERROR.match(first)
    if os_error:
        path = os_error["path"]
        return f"{os_error['text']}: {path}" if path else os_error["text"]
    return first


def root_cause_message(error: ErrorInfo) -> str:
    """The user's own error ("CBS did not answer"), not Dagster's wrapper around it, in one line."""
    return plain_cause(own_error(error).message)


def exception_cause(error: BaseException) -> str:
    """The innermost cause of a Python exception (following `raise … from`), in one line."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = str(error).strip()
    return plain_cause(text) if text else type(error).__name__
