"""A local stand-in for CBS's OData feed, so tests run the real cbsodata code path offline.

`CbsReplayServer` serves recorded OData answers (by default the bundled snapshot) on
127.0.0.1 at a free port, under the paths cbsodata requests:

    /ODataFeed/odata/<table_id>/                 service document (lists the entity sets)
    /ODataFeed/odata/<table_id>/<EntitySet>      TableInfos, DataProperties, CategoryGroups,
                                                 each code list, TypedDataSet (UntypedDataSet
                                                 answers the same rows)

It applies `$filter`/`$select` with the ingest's own OData evaluator, pages answers
(`page_size` rows per page, `$skip` in an `odata.nextLink` that points at this server), and
logs every request before answering it, so a client that has its answer finds it logged
(`requests`, `count()`, `bytes_by_path()`).

Point the ingest at it with VIA_CBS_CATALOG_URL=<server.catalog_url> and VIA_CBS_USE_HTTPS=false.

Changing what CBS "publishes": edit `server.recording[table_id][entity]` (a list of records)
between runs, e.g. `server.set_modified("82809NED", "2024-03-01T02:00:00")`, or queue a whole
recorded answer with `server.queue_answer(path, document)` (its `odata.nextLink`, if it names
another host, is rewritten to this server).

Fault injection (the hook the fault-injection suite builds on): `server.inject(path, *faults)`
queues faults for requests whose path key matches `path` ("82809NED/TypedDataSet",
"82809NED/TableInfos", "82809NED/" for the service document, or "*" for any path). Each
matching request takes the next fault off the queue; once the queue is empty, requests are
answered normally. Faults:

    Status(503)             answer with that HTTP status and a short text body
    Reset()                 close the TCP connection without answering (the client sees a reset)
    Delay(2.0)              wait, then answer normally (for timeouts)
    Truncate(keep=100)      promise the whole body in Content-Length, send `keep` bytes, close
    Body(b"<html>...")      answer 200 (or `status`) with this exact body and content type
    Pass()                  answer normally: `inject(path, Pass(), Status(500))` faults the
                            second request only (e.g. the second page of a TypedDataSet)

`server.faults_left(path)` says how many are still queued.
"""

from __future__ import annotations

import copy
import json
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from via_pipeline.core.cbs.odata import ODataQueryError, apply_query
from via_pipeline.core.settings.paths import SNAPSHOT_DIR

FEED_PREFIX = "/ODataFeed/odata/"
Recording = dict[str, dict[str, list[dict[str, Any]]]]


# -- faults -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    code: int
    body: bytes = b"Service temporarily unavailable"
    content_type: str = "text/plain"


@dataclass(frozen=True)
class Reset:
    pass


@dataclass(frozen=True)
class Delay:
    seconds: float


@dataclass(frozen=True)
class Truncate:
    keep: int = 64


@dataclass(frozen=True)
class Pass:
    pass


@dataclass(frozen=True)
class Body:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


Fault = Status | Reset | Delay | Truncate | Body | Pass


@dataclass(frozen=True)
class RequestRecord:
    path_key: str
    table_id: str
    entity: str
    query: dict[str, str]
    status: int
    bytes_sent: int
    fault: str | None


# -- recordings -------------------------------------------------------------------------------


def load_recording(snapshot_dir: Path = SNAPSHOT_DIR) -> Recording:
    """Every <table_id>/<EntitySet>.json under the snapshot folder, as lists of records."""
    recording: Recording = {}
    for table_dir in sorted(p for p in snapshot_dir.iterdir() if p.is_dir()):
        recording[table_dir.name] = {
            path.stem: json.loads(path.read_text(encoding="utf-8"))["value"]
            for path in sorted(table_dir.glob("*.json"))
        }
    return recording


# -- the server -------------------------------------------------------------------------------


@dataclass
class _State:
    recording: Recording
    page_size: int
    requests: list[RequestRecord] = field(default_factory=list)
    faults: dict[str, deque[Fault]] = field(default_factory=lambda: defaultdict(deque))
    answers: dict[str, deque[dict[str, Any]]] = field(default_factory=lambda: defaultdict(deque))
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {
            name: values[-1]
            for name, values in parse_qs(parts.query, keep_blank_values=True).items()
        }
        if not parts.path.startswith(FEED_PREFIX):
            self._send(404, b"not an ODataFeed path", "text/plain", "", "", "", query, None)
            return
        rest = parts.path[len(FEED_PREFIX) :]
        table_id, _, entity = rest.partition("/")
        path_key = f"{table_id}/{entity}"
        fault = self._next_fault(path_key)
        if isinstance(fault, Pass):
            fault = None
        if isinstance(fault, Delay):
            time.sleep(fault.seconds)
        if isinstance(fault, Reset):
            self._log(path_key, table_id, entity, query, 0, 0, "Reset")
            self._reset()
            return
        if isinstance(fault, Status):
            self._send(
                fault.code, fault.body, fault.content_type, path_key, table_id, entity, query, fault
            )
            return
        if isinstance(fault, Body):
            self._send(
                fault.status,
                fault.body,
                fault.content_type,
                path_key,
                table_id,
                entity,
                query,
                fault,
            )
            return
        status, document = self._answer(table_id, entity, query)
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        if isinstance(fault, Truncate):
            self._truncate(body, fault, path_key, table_id, entity, query)
            return
        self._send(
            status,
            body,
            "application/json;odata=minimalmetadata;charset=utf-8",
            path_key,
            table_id,
            entity,
            query,
            fault,
        )

    # -- answers ------------------------------------------------------------------------------

    def _next_fault(self, path_key: str) -> Fault | None:
        state = self.server.state
        with state.lock:
            for key in (path_key, "*"):
                if state.faults.get(key):
                    return state.faults[key].popleft()
        return None

    def _answer(
        self, table_id: str, entity: str, query: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        state = self.server.state
        path_key = f"{table_id}/{entity}"
        with state.lock:
            queued = state.answers.get(path_key)
            if queued:
                return 200, _rewrite_next_link(queued.popleft(), state.base_url)
            table = state.recording.get(table_id)
            rows = (
                None
                if table is None
                else table.get("TypedDataSet" if entity == "UntypedDataSet" else entity)
            )
            rows = copy.deepcopy(rows) if rows is not None else None
            entities = sorted(table) if table is not None else []
        metadata = f"{state.base_url}{FEED_PREFIX}{table_id}/$metadata"
        if table is None:
            return 404, {"odata.error": {"message": {"value": f"unknown table {table_id}"}}}
        if entity == "":
            names = sorted({*entities, "UntypedDataSet"})
            return 200, {
                "odata.metadata": metadata,
                "value": [
                    {"name": name, "url": f"{state.base_url}{FEED_PREFIX}{table_id}/{name}"}
                    for name in names
                ],
            }
        if rows is None:
            return 404, {"odata.error": {"message": {"value": f"unknown entity set {entity}"}}}
        try:
            selected = apply_query(rows, query.get("$filter"), query.get("$select"))
        except ODataQueryError as error:
            return 400, {"odata.error": {"message": {"value": str(error)}}}
        skip = int(query.get("$skip") or 0)
        page = selected[skip : skip + state.page_size]
        document: dict[str, Any] = {
            "odata.metadata": f"{metadata}#Cbs.OData.WebAPI.{entity}",
            "value": page,
        }
        if skip + state.page_size < len(selected):
            following = {key: value for key, value in query.items() if key != "$skip"}
            following["$skip"] = str(skip + state.page_size)
            document["odata.nextLink"] = (
                f"{state.base_url}{FEED_PREFIX}{table_id}/{entity}?{urlencode(following)}"
            )
        return 200, document

    # -- writing ------------------------------------------------------------------------------

    def _log(
        self,
        path_key: str,
        table_id: str,
        entity: str,
        query: dict[str, str],
        status: int,
        sent: int,
        fault: str | None,
    ) -> None:
        state = self.server.state
        with state.lock:
            state.requests.append(
                RequestRecord(path_key, table_id, entity, query, status, sent, fault)
            )

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        path_key: str,
        table_id: str,
        entity: str,
        query: dict[str, str],
        fault: Fault | None,
    ) -> None:
        # Logged before the answer goes out: a client that has read the answer finds it logged.
        self._log(
            path_key,
            table_id,
            entity,
            query,
            status,
            len(body),
            type(fault).__name__ if fault else None,
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a Delay longer than its timeout): nothing left to answer.
            self.close_connection = True

    def _truncate(
        self,
        body: bytes,
        fault: Truncate,
        path_key: str,
        table_id: str,
        entity: str,
        query: dict[str, str],
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        kept = body[: fault.keep]
        self._log(path_key, table_id, entity, query, 200, len(kept), "Truncate")
        self.wfile.write(kept)
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _reset(self) -> None:
        # SO_LINGER 0: close sends RST, which the client reports as "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()


def _rewrite_next_link(document: dict[str, Any], base_url: str) -> dict[str, Any]:
    document = copy.deepcopy(document)
    link = document.get("odata.nextLink")
    if isinstance(link, str):
        parts = urlsplit(link)
        document["odata.nextLink"] = f"{base_url}{parts.path}" + (
            f"?{parts.query}" if parts.query else ""
        )
    return document


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-answer are part of the fault tests, not server errors.
        return


class CbsReplayServer:
    """Replays recorded CBS OData answers on 127.0.0.1; use as a context manager."""

    def __init__(self, recording: Recording | None = None, page_size: int = 10_000) -> None:
        self._state = _State(recording if recording is not None else load_recording(), page_size)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> CbsReplayServer:
        self._server = _Server(self._state)
        host, port = self._server.server_address[:2]
        self._state.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="cbs-replay", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> CbsReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def catalog_url(self) -> str:
        """host:port, the value for VIA_CBS_CATALOG_URL."""
        return self._state.base_url.removeprefix("http://")

    @property
    def base_url(self) -> str:
        return self._state.base_url

    # -- content -----------------------------------------------------------------------------

    @property
    def recording(self) -> Recording:
        return self._state.recording

    @property
    def page_size(self) -> int:
        return self._state.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        self._state.page_size = value

    def set_modified(self, table_id: str, modified: str | None) -> None:
        with self._state.lock:
            self._state.recording[table_id]["TableInfos"][0]["Modified"] = modified

    def queue_answer(self, path: str, document: dict[str, Any]) -> None:
        """Serve this recorded answer (once) for the next request to `path` ("<table>/<Entity>")."""
        with self._state.lock:
            self._state.answers[path].append(document)

    # -- faults ------------------------------------------------------------------------------

    def inject(self, path: str, *faults: Fault) -> None:
        """Queue faults for requests to `path` ("<table>/<Entity>", "<table>/" or "*")."""
        with self._state.lock:
            self._state.faults[path].extend(faults)

    def faults_left(self, path: str) -> int:
        with self._state.lock:
            return len(self._state.faults.get(path, ()))

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.faults.clear()

    # -- what was asked ----------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self._state.lock:
            return list(self._state.requests)

    def count(self, table_id: str | None = None, entity: str | None = None) -> int:
        return sum(
            1
            for r in self.requests
            if (table_id is None or r.table_id == table_id)
            and (entity is None or r.entity == entity)
        )

    def bytes_by_path(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for record in self.requests:
            totals[record.path_key] += record.bytes_sent
        return dict(totals)

    def reset_log(self) -> None:
        with self._state.lock:
            self._state.requests.clear()
