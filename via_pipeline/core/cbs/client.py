"""Two ways of reading a StatLine table: live through cbsodata, or from the bundled snapshot.

Both answer the same three questions (a table's TableInfos, one metadata entity set, the
TypedDataSet for an OData $filter/$select) with the same JSON records, so everything after
them is one code path. The live client runs cbsodata's own functions unchanged and adds what
cbsodata lacks: a timeout on every request (passed through to requests), retries with
exponential back-off on connection errors, timeouts, cut-off answers and 5xx/429 answers (not
on a host name that does not resolve: that fails at once), and
errors that say which table, which entity set and what went wrong.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from via_pipeline.core.cbs.odata import apply_query
from via_pipeline.core.settings.paths import SNAPSHOT_DIR

LOG = logging.getLogger(__name__)
Record = dict[str, Any]
T = TypeVar("T")

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
# cbsodata keeps use_https in a module-global; hold this lock while it is switched for a call.
_CBSODATA_OPTIONS_LOCK = threading.Lock()
# More pages than this in one download is a server that never stops paging, not a table.
MAX_PAGES = 10_000


@contextmanager
def _next_link_guard(what: str) -> Iterator[None]:
    """Stop cbsodata following an odata.nextLink back to a page it already fetched.

    cbsodata follows `odata.nextLink` in a plain `while` loop; a server whose links loop would
    keep it downloading forever. Its loop opens one requests Session per page, so a Session
    that remembers the URLs of this download sees the loop. Call under _CBSODATA_OPTIONS_LOCK.
    """
    import cbsodata.cbsodata3 as cbsodata_module
    import requests

    seen: set[str] = set()

    class GuardedSession(requests.Session):
        def send(self, request: Any, **kwargs: Any) -> Any:
            url = str(request.url)
            if url in seen:
                raise CbsAnswerError(
                    f"{what}: the odata.nextLink points back to a page already fetched ({url}); "
                    "stopped instead of looping"
                )
            if len(seen) >= MAX_PAGES:
                raise CbsAnswerError(
                    f"{what}: more than {MAX_PAGES} pages of odata.nextLink; stopped"
                )
            seen.add(url)
            return super().send(request, **kwargs)

    original = cbsodata_module.Session
    cbsodata_module.Session = GuardedSession
    try:
        yield
    finally:
        cbsodata_module.Session = original


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps (urllib3's `reason`, exception args), outermost first."""
    cause: BaseException | None = error
    for _ in range(6):
        if cause is None:
            return
        yield cause
        inner = getattr(cause, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next(
                (arg for arg in reversed(cause.args) if isinstance(arg, BaseException)), None
            )
        cause = inner


def is_name_resolution_failure(error: BaseException) -> bool:
    """Whether the host name did not resolve (no DNS, no network, or a mistyped host).

    Retrying cannot help within seconds, and an offline `auto` run should reach the snapshot
    at once; refused connections, resets and timeouts may pass and are retried."""
    import socket

    from urllib3.exceptions import NameResolutionError

    return any(isinstance(c, (NameResolutionError, socket.gaierror)) for c in _causes(error))


def connection_problem(error: BaseException) -> str:
    """The innermost reason of a requests connection error, e.g. "NameResolutionError: Failed to
    resolve 'opendata.cbs.nl' (...)": requests wraps urllib3's MaxRetryError, which wraps the cause,
    and each wrapper repeats the URL before it."""
    cause = list(_causes(error))[-1]
    text = str(cause).rsplit("): ", 1)[-1]
    return f"{type(cause).__name__}: {text}"[:200]


class CbsError(RuntimeError):
    """Reading CBS failed; the message names the table, the entity set and the cause."""


class CbsUnavailableError(CbsError):
    """CBS unreachable or failing (connection, timeout, cut-off answer, 5xx) after every retry,
    or at once when its host name does not resolve."""


class CbsAnswerError(CbsError):
    """CBS answered, but not with OData JSON (an HTML page, truncated JSON, no `value`)."""


class CbsRequestError(CbsError):
    """CBS refused the request (4xx but 429): a wrong table id or query; retrying cannot help."""


class SnapshotError(CbsError):
    """The bundled snapshot lacks a table or an entity set, or holds unreadable JSON."""


class CbsClient(Protocol):
    source: str

    def describe(self) -> str: ...

    def table_info(self, table_id: str) -> Record: ...

    def entity(self, table_id: str, name: str) -> list[Record]: ...

    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[Record]: ...


@dataclass(frozen=True)
class HttpPolicy:
    """How patient the live client is: per-request timeout, retries and their back-off."""

    timeout_seconds: float = 30.0
    retries: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (1, 2, ...): doubling, capped."""
        return float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1)))


def _is_loopback(catalog_url: str) -> bool:
    host = catalog_url.rsplit(":", 1)[0] if catalog_url.count(":") == 1 else catalog_url
    return host in LOOPBACK_HOSTS or catalog_url.startswith("[::1]")


def _status_of(error: BaseException) -> int | None:
    # cbsodata re-raises HTTPError without the response; the original is its __cause__.
    for candidate in (error, error.__cause__):
        response = getattr(candidate, "response", None)
        if response is not None and getattr(response, "status_code", None) is not None:
            return int(response.status_code)
    return None


def _records(value: Any, what: str) -> list[Record]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise CbsAnswerError(f"{what}: the answer's `value` is not a list of records")
    return value


class LiveCbsClient:
    """StatLine's OData feed through cbsodata's own functions, with a timeout and retries."""

    source = "live"

    def __init__(
        self,
        catalog_url: str = "opendata.cbs.nl",
        use_https: bool = True,
        policy: HttpPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        warn: Callable[[str], None] = LOG.warning,
    ) -> None:
        self.catalog_url = catalog_url
        self.warn = warn
        self.use_https = use_https
        self.policy = policy or HttpPolicy()
        self.sleep = sleep

    def describe(self) -> str:
        return f"{'https' if self.use_https else 'http'}://{self.catalog_url}"

    def _request_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"timeout": self.policy.timeout_seconds}
        if _is_loopback(self.catalog_url):
            # cbsodata copies http(s)_proxy at import and would send loopback requests
            # to the proxy (it ignores no_proxy): a local mirror is always reached directly.
            kwargs["proxies"] = {"http": None, "https": None}
        return kwargs

    @contextmanager
    def _scheme(self) -> Iterator[None]:
        import cbsodata

        with _CBSODATA_OPTIONS_LOCK:
            previous = cbsodata.options.use_https
            cbsodata.options.use_https = self.use_https
            try:
                yield
            finally:
                cbsodata.options.use_https = previous

    def _call(self, table_id: str, name: str, function: Callable[[], T]) -> T:
        import requests

        url = f"{self.describe()}/ODataFeed/odata/{table_id}/{name}"
        what = f"CBS table {table_id}, {name or 'service document'} at {url}"
        attempts = self.policy.retries + 1
        last_problem = ""
        for attempt in range(1, attempts + 1):
            try:
                with self._scheme(), _next_link_guard(what):
                    return function()
            except requests.HTTPError as error:
                status = _status_of(error)
                if status is None or not (status >= 500 or status == 429):
                    raise CbsRequestError(
                        f"{what}: CBS refused the request (HTTP {status}): {error}"
                    ) from error
                last_problem = f"CBS answered HTTP {status}"
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as error:
                last_problem = f"the answer was cut off ({type(error).__name__}: {error})"
            except requests.Timeout as error:
                last_problem = (
                    f"no answer within {self.policy.timeout_seconds:g} s ({type(error).__name__})"
                )
            except requests.ConnectionError as error:
                last_problem = f"cannot connect ({connection_problem(error)})"
                if is_name_resolution_failure(error):
                    raise CbsUnavailableError(
                        f"{what}: {last_problem}; the host name does not resolve, not retried"
                    ) from error
            except json.JSONDecodeError as error:
                start = error.doc[:80] if isinstance(error.doc, str) else ""
                raise CbsAnswerError(
                    f"{what}: the answer is not JSON ({error.msg} at character {error.pos}); "
                    f"it starts with {start!r}"
                ) from error
            except (KeyError, TypeError) as error:
                raise CbsAnswerError(
                    f"{what}: the answer is JSON but not an OData feed (missing {error})"
                ) from error
            if attempt < attempts:
                delay = self.policy.delay(attempt)
                self.warn(
                    f"{what}: {last_problem}; retry {attempt} of {self.policy.retries} in {delay:.2f} s"
                )
                self.sleep(delay)
        raise CbsUnavailableError(
            f"{what}: {last_problem}, still failing after {attempts} attempts"
        )

    def table_info(self, table_id: str) -> Record:
        import cbsodata

        kwargs = self._request_kwargs()
        info = self._call(
            table_id,
            "TableInfos",
            lambda: cbsodata.get_info(table_id, catalog_url=self.catalog_url, **kwargs),
        )
        if not isinstance(info, dict):
            raise CbsAnswerError(
                f"CBS table {table_id}: TableInfos at {self.describe()} holds no record"
            )
        return info

    def entity(self, table_id: str, name: str) -> list[Record]:
        import cbsodata

        kwargs = self._request_kwargs()
        value = self._call(
            table_id,
            name,
            lambda: cbsodata.get_meta(table_id, name, catalog_url=self.catalog_url, **kwargs),
        )
        return _records(value, f"CBS table {table_id}, {name}")

    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[Record]:
        import cbsodata

        kwargs = self._request_kwargs()
        # get_meta hands filters/select to cbsodata's downloader, which sends them as
        # $filter/$select and follows odata.nextLink page by page: only the slice travels.
        value = self._call(
            table_id,
            "TypedDataSet",
            lambda: cbsodata.get_meta(
                table_id,
                "TypedDataSet",
                catalog_url=self.catalog_url,
                filters=filter_text,
                select=select,
                **kwargs,
            ),
        )
        return _records(value, f"CBS table {table_id}, TypedDataSet")


class SnapshotCbsClient:
    """The recorded OData answers under snapshots/cbs/<table_id>/<EntitySet>.json."""

    source = "snapshot"

    def __init__(self, snapshot_dir: Path = SNAPSHOT_DIR) -> None:
        self.snapshot_dir = snapshot_dir

    def describe(self) -> str:
        return f"snapshot {self.snapshot_dir}"

    def table_dir(self, table_id: str) -> Path:
        path = self.snapshot_dir / table_id
        if not path.is_dir():
            raise SnapshotError(f"CBS table {table_id}: the bundled snapshot has no folder {path}")
        return path

    def fingerprint(self, table_id: str) -> str:
        """SHA-256 of the table's recorded files: the snapshot's version (it has no Modified)."""
        digest = hashlib.sha256()
        for path in sorted(self.table_dir(table_id).glob("*.json")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def entity(self, table_id: str, name: str) -> list[Record]:
        path = self.table_dir(table_id) / f"{name}.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SnapshotError(
                f"CBS table {table_id}: the snapshot has no {name} ({path})"
            ) from None
        except json.JSONDecodeError as error:
            raise SnapshotError(f"{path}: not valid JSON: {error}") from None
        if not isinstance(document, dict) or "value" not in document:
            raise SnapshotError(f"{path}: not a recorded OData answer (no `value`)")
        return _records(document["value"], str(path))

    def table_info(self, table_id: str) -> Record:
        infos = self.entity(table_id, "TableInfos")
        if not infos:
            raise SnapshotError(f"CBS table {table_id}: the snapshot's TableInfos is empty")
        return infos[0]

    def data(self, table_id: str, filter_text: str, select: list[str]) -> list[Record]:
        # The same $filter/$select sent to CBS, answered from the recording.
        return apply_query(self.entity(table_id, "TypedDataSet"), filter_text, ",".join(select))
