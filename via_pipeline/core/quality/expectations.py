"""Great Expectations 1.x suites over pandas frames, with results as plain records.

Suites are declared as data (`Expectation(type, kwargs)`) so that defining them costs nothing;
great_expectations itself (4-6 s to import) is imported only when a suite runs, and without
the parts no suite of ours uses (`import_great_expectations`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import itertools
import json
import logging
import sys
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

EXAMPLES_KEPT = 10
# Data source names unique within the process's one GE context.
_source_numbers = itertools.count(1)


@dataclass(frozen=True)
class Expectation:
    """One expectation by its GE snake_case name, e.g. "expect_column_values_to_be_between"."""

    type: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        column = self.kwargs.get("column")
        return str(column) if column is not None else None

    def describe(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.kwargs.items())
        return f"{self.type}({arguments})"


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    examples: tuple[Any, ...]
    details: str


@dataclass(frozen=True)
class SuiteResult:
    suite_name: str
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def success(self) -> bool:
        return all(outcome.success for outcome in self.outcomes)

    @property
    def failures(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.success)

    def to_frame(
        self, run_id: str, asset_key: str, check_name: str, partition: str | None = None
    ) -> pd.DataFrame:
        """Rows for quality.validation_results, one per expectation."""
        evaluated_at = datetime.now(UTC).replace(tzinfo=None)
        return pd.DataFrame(
            [
                {
                    "run_id": run_id,
                    "asset_key": asset_key,
                    "partition": partition,
                    "check_name": check_name,
                    "expectation": outcome.expectation,
                    "success": outcome.success,
                    "unexpected_count": outcome.unexpected_count,
                    "details": outcome.details,
                    "evaluated_at": evaluated_at,
                }
                for outcome in self.outcomes
            ],
            columns=[
                "run_id",
                "asset_key",
                "partition",
                "check_name",
                "expectation",
                "success",
                "unexpected_count",
                "details",
                "evaluated_at",
            ],
        )


def _class_name(snake_case: str) -> str:
    return "".join(part.capitalize() for part in snake_case.split("_"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _in_suite_order(expectations: Sequence[Expectation], results: Sequence[Any]) -> list[Any]:
    """GE returns results grouped by column, not in suite order: pair them up by type and kwargs."""
    remaining = list(results)
    ordered = []
    for expectation in expectations:
        for index, result in enumerate(remaining):
            config = result.expectation_config
            # == on values: GE may hand back 0 as 0.0 or a list as a tuple-like copy.
            if config.type == expectation.type and all(
                key in config.kwargs and _same(config.kwargs[key], value)
                for key, value in expectation.kwargs.items()
            ):
                ordered.append(remaining.pop(index))
                break
        else:
            raise RuntimeError(f"no result for {expectation.describe()} in the GE validation")
    return ordered


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, (list, tuple, set)) and isinstance(right, (list, tuple, set)):
        return list(left) == list(right)
    return bool(left == right)


def quiet_great_expectations_loggers() -> None:
    """GE's loggers at WARNING, including the ones GE itself sets to INFO on import
    (`great_expectations.data_context.types.base` announces every ephemeral docs folder)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("great_expectations."):
            logging.getLogger(name).setLevel(logging.WARNING)


# Imported by great_expectations at its own import only for expectations we never declare
# (KL divergence with an altair chart, Kolmogorov-Smirnov tests): about 80 MiB resident and a
# second of CPU together. Stand-ins take their place in sys.modules until first used.
DEFERRED_BY_GREAT_EXPECTATIONS = ("scipy.stats", "altair")


class _DeferredModule(types.ModuleType):
    """Stands in for a module until one of its attributes is asked for; then imports the real
    module (which replaces the stand-in in sys.modules) and hands out its attributes.
    (importlib.util.LazyLoader loads on `import x` itself, which reads `x.__spec__`.)"""

    def __init__(self, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec

    def __getattr__(self, attribute: str) -> Any:  # only for what the stand-in lacks
        real = self.__dict__.get("_deferred_real")
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
            self.__dict__["_deferred_real"] = real
        return getattr(real, attribute)


def _defer_import(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    stand_in = _DeferredModule(spec)
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, stand_in)


def import_great_expectations() -> Any:
    """great_expectations, imported once, with DEFERRED_BY_GREAT_EXPECTATIONS loaded lazily."""
    if "great_expectations" not in sys.modules:
        for name in DEFERRED_BY_GREAT_EXPECTATIONS:
            _defer_import(name)
    import great_expectations as gx

    return gx


@functools.cache
def _ephemeral_context() -> Any:
    """One GE context per process: importing GE and making a context cost seconds and tens of
    MB, so every suite of a run shares it (each suite's data source is removed after use)."""
    gx = import_great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    quiet_great_expectations_loggers()
    context = gx.get_context(mode="ephemeral")
    # GE draws tqdm progress bars into run logs unless told not to.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    quiet_great_expectations_loggers()  # loggers of modules imported by get_context
    return context


def validate_frame(
    frame: pd.DataFrame, suite_name: str, expectations: Sequence[Expectation]
) -> SuiteResult:
    """Run the expectations on the frame in the process's GE context; never raises for bad data."""
    gx = import_great_expectations()
    context = _ephemeral_context()
    source_name = f"{suite_name}_source_{next(_source_numbers)}"
    try:
        validation = _validate(gx, context, source_name, frame, suite_name, expectations)
    finally:
        # The data source holds the frame's batch: dropped so memory does not grow per suite.
        if source_name in context.data_sources.all():
            context.data_sources.delete(source_name)
    return _suite_result(suite_name, expectations, validation)


def _validate(
    gx: Any,
    context: Any,
    source_name: str,
    frame: pd.DataFrame,
    suite_name: str,
    expectations: Sequence[Expectation],
) -> Any:
    batch = (
        context.data_sources.add_pandas(source_name)
        .add_dataframe_asset(f"{suite_name}_frame")
        .add_batch_definition_whole_dataframe("whole_frame")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name=suite_name)
    for expectation in expectations:
        expectation_class = getattr(gx.expectations, _class_name(expectation.type))
        suite.add_expectation(expectation_class(**dict(expectation.kwargs)))
    return batch.validate(suite, result_format="SUMMARY")


def _suite_result(
    suite_name: str, expectations: Sequence[Expectation], validation: Any
) -> SuiteResult:
    outcomes = []
    for expectation, result in zip(
        expectations, _in_suite_order(expectations, validation.results), strict=True
    ):
        details: dict[str, Any] = {
            key: _jsonable(value)
            for key, value in result.result.items()
            if key in ("observed_value", "element_count", "missing_count", "unexpected_percent")
        }
        raised = result.exception_info.get("raised_exception") if result.exception_info else False
        if raised:
            details["exception"] = str(result.exception_info.get("exception_message"))
        examples = tuple(
            _jsonable(value)
            for value in result.result.get("partial_unexpected_list", [])[:EXAMPLES_KEPT]
        )
        if examples:
            details["examples"] = list(examples)
        unexpected = result.result.get("unexpected_count")
        outcomes.append(
            ExpectationOutcome(
                expectation=expectation.describe(),
                column=expectation.column,
                success=bool(result.success),
                unexpected_count=int(unexpected) if unexpected is not None else None,
                examples=examples,
                details=json.dumps(details, ensure_ascii=False, sort_keys=True),
            )
        )
    return SuiteResult(suite_name=suite_name, outcomes=tuple(outcomes))


def merge_suite_results(results: Sequence[SuiteResult]) -> SuiteResult:
    """One result for a suite run on several slices of a table: counts added, examples pooled.

    Every result must come from the same expectations in the same order.
    """
    if not results:
        raise ValueError("no suite results to merge")
    first = results[0]
    merged = []
    for position, outcome in enumerate(first.outcomes):
        parts = [result.outcomes[position] for result in results]
        if any(part.expectation != outcome.expectation for part in parts):
            raise ValueError(f"suite results differ at expectation {position}: cannot merge")
        counts = [part.unexpected_count for part in parts if part.unexpected_count is not None]
        examples = tuple(example for part in parts for example in part.examples)[:EXAMPLES_KEPT]
        failing = next((part for part in parts if not part.success), parts[0])
        merged.append(
            ExpectationOutcome(
                expectation=outcome.expectation,
                column=outcome.column,
                success=all(part.success for part in parts),
                unexpected_count=sum(counts) if counts else None,
                examples=examples,
                details=failing.details,
            )
        )
    return SuiteResult(suite_name=first.suite_name, outcomes=tuple(merged))
