"""Guards the live CBS client against the replay server: cbsodata's own code path with a
timeout, retries with back-off on outages, paging, server-side $filter/$select, no proxy for
loopback, and a clear error for each kind of bad answer."""

from __future__ import annotations

from collections.abc import Iterator

import cbsodata
import pytest

from via_pipeline.core.cbs.catalogue import load_catalogue
from via_pipeline.core.cbs.client import (
    CbsAnswerError,
    CbsRequestError,
    CbsUnavailableError,
    HttpPolicy,
    LiveCbsClient,
)
from via_pipeline.core.cbs.ingest import fetch_table
from via_pipeline_tests.support.cbs_replay import (
    Body,
    CbsReplayServer,
    Delay,
    Pass,
    Reset,
    Status,
    Truncate,
)
from via_pipeline_tests.support.cbs_tables import recording

T82 = load_catalogue().table("82809NED")


@pytest.fixture
def replay() -> Iterator[CbsReplayServer]:
    with CbsReplayServer(recording(), page_size=20) as server:
        yield server


def client_for(
    server: CbsReplayServer, sleeps: list[float] | None = None, **policy: float
) -> LiveCbsClient:
    settings = {"timeout_seconds": 2.0, "retries": 2, "backoff_seconds": 0.01, **policy}
    return LiveCbsClient(
        server.catalog_url,
        use_https=False,
        policy=HttpPolicy(**settings),  # type: ignore[arg-type]
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
    )


def test_fetch_pages_through_next_links_with_filter_and_select(replay: CbsReplayServer) -> None:
    fetched = fetch_table(client_for(replay), T82)
    assert len(fetched.observations) == 190
    data_requests = [r for r in replay.requests if r.entity == "TypedDataSet"]
    assert len(data_requests) == 5  # 95 rows, 20 per page
    assert all("Geslacht eq 'T001038'" in r.query["$filter"] for r in data_requests)
    assert (
        data_requests[0]
        .query["$select"]
        .endswith("Werkloosheidspercentage_21,NettoArbeidsparticipatie_24")
    )
    assert [r.query.get("$skip") for r in data_requests] == [None, "20", "40", "60", "80"]
    # Only the used metadata travels: no CategoryGroups, no UntypedDataSet.
    assert {r.entity for r in replay.requests} == {
        "TableInfos",
        "DataProperties",
        "Geslacht",
        "Leeftijd",
        "Migratieachtergrond",
        "Perioden",
        "TypedDataSet",
    }
    # cbsodata's module options are left as they were.
    assert cbsodata.options.use_https is True


def test_two_server_errors_then_success(replay: CbsReplayServer) -> None:
    sleeps: list[float] = []
    replay.inject("82809NED/TypedDataSet", Status(500), Status(503))
    fetched = fetch_table(client_for(replay, sleeps, backoff_seconds=0.5), T82)
    assert len(fetched.observations) == 190
    statuses = [r.status for r in replay.requests if r.entity == "TypedDataSet"]
    assert statuses[:3] == [500, 503, 200]
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("fault", "cause"),
    [(Status(502), "HTTP 502"), (Reset(), "cannot connect"), (Truncate(40), "cut off")],
)
def test_persistent_outage_is_unavailable_after_the_retries(
    replay: CbsReplayServer, fault: object, cause: str
) -> None:
    replay.inject("82809NED/TableInfos", *([fault] * 3))
    with pytest.raises(CbsUnavailableError) as caught:
        client_for(replay).table_info("82809NED")
    message = str(caught.value)
    assert "82809NED" in message and "TableInfos" in message and cause in message
    assert "3 attempts" in message
    assert replay.count("82809NED", "TableInfos") == 3


def test_a_slow_answer_times_out(replay: CbsReplayServer) -> None:
    replay.inject("82809NED/TableInfos", Delay(1.0), Delay(1.0))
    with pytest.raises(CbsUnavailableError, match=r"no answer within 0.3 s"):
        client_for(replay, timeout_seconds=0.3, retries=1).table_info("82809NED")


@pytest.mark.parametrize(
    "body",
    [b"<html><body>Onderhoud</body></html>", b'{"odata.metadata": "x", "value": [{"Key": '],
)
def test_non_json_or_truncated_json_is_an_answer_error_naming_the_start(
    replay: CbsReplayServer, body: bytes
) -> None:
    replay.inject("82809NED/DataProperties", Body(body))
    with pytest.raises(CbsAnswerError) as caught:
        fetch_table(client_for(replay), T82)
    assert "DataProperties" in str(caught.value) and "not JSON" in str(caught.value)
    assert body[:20].decode() in str(caught.value)
    assert replay.count("82809NED", "TypedDataSet") == 0


def test_json_that_is_not_a_feed_is_an_answer_error(replay: CbsReplayServer) -> None:
    replay.inject(
        "82809NED/DataProperties", Body(b'{"error": "nope"}', content_type="application/json")
    )
    with pytest.raises(CbsAnswerError, match="not an OData feed"):
        client_for(replay).entity("82809NED", "DataProperties")


def test_unknown_table_is_refused_without_retries(replay: CbsReplayServer) -> None:
    with pytest.raises(CbsRequestError, match="HTTP 404"):
        client_for(replay).table_info("99999NED")
    assert replay.count("99999NED") == 1


def test_loopback_is_reached_directly_even_with_a_proxy_configured(
    replay: CbsReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cbsodata copies http_proxy at import; a proxy that does not exist would fail every request.
    monkeypatch.setitem(
        cbsodata.options.requests,
        "proxies",
        {"http": "http://127.0.0.1:9", "https": "http://127.0.0.1:9"},
    )
    assert client_for(replay).table_info("82809NED")["Identifier"] == "82809NED"


def test_next_links_of_queued_answers_are_rewritten_to_the_server(replay: CbsReplayServer) -> None:
    first = {
        "value": [{"Key": "A"}],
        "odata.nextLink": "https://opendata.cbs.nl/ODataFeed/odata/82809NED/CategoryGroups?$skip=1",
    }
    replay.queue_answer("82809NED/CategoryGroups", first)
    assert client_for(replay).entity("82809NED", "CategoryGroups") == [{"Key": "A"}]
    assert replay.count("82809NED", "CategoryGroups") == 2
    assert sum(replay.bytes_by_path().values()) > 0


def test_retry_delays_double_up_to_the_cap() -> None:
    policy = HttpPolicy(backoff_seconds=1.0, max_backoff_seconds=3.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]


def test_a_fault_on_a_later_page_is_retried_from_the_first_page(replay: CbsReplayServer) -> None:
    replay.inject("82809NED/TypedDataSet", Pass(), Reset())
    fetched = fetch_table(client_for(replay), T82)
    assert len(fetched.observations) == 190
    pages = [(r.query.get("$skip"), r.fault) for r in replay.requests if r.entity == "TypedDataSet"]
    assert pages[:3] == [(None, None), ("20", "Reset"), (None, None)]
