"""Connection failures are told by their cause, not by requests' and urllib3's wrappers around it."""

import socket
import struct
import threading
import time

import pytest
import requests

from via_pipeline.core.cbs.client import (
    CbsUnavailableError,
    HttpPolicy,
    LiveCbsClient,
    connection_problem,
    is_name_resolution_failure,
)


def failure(url: str) -> requests.ConnectionError:
    with pytest.raises(requests.ConnectionError) as raised:
        requests.get(url, timeout=5, proxies={"http": None, "https": None})
    return raised.value


def test_unknown_host() -> None:
    message = connection_problem(failure("http://no-such-host.invalid/ODataFeed/odata/82809NED"))
    assert message.startswith("NameResolutionError: Failed to resolve 'no-such-host.invalid'")


def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    message = connection_problem(failure(f"http://127.0.0.1:{port}/x"))
    assert message.startswith("NewConnectionError: Failed to establish a new connection")
    assert "Connection refused" in message


def test_reset_connection() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def reset_the_first_client() -> None:
        client, _ = server.accept()
        # SO_LINGER 0: close() sends RST instead of FIN.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.recv(1024)
        client.close()

    thread = threading.Thread(target=reset_the_first_client)
    thread.start()
    try:
        message = connection_problem(failure(f"http://127.0.0.1:{server.getsockname()[1]}/x"))
    finally:
        thread.join(timeout=5)
        server.close()
    assert message == "ConnectionResetError: [Errno 104] Connection reset by peer"


def test_only_an_unresolvable_host_counts_as_a_name_resolution_failure() -> None:
    assert is_name_resolution_failure(failure("http://no-such-host.invalid/x"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not is_name_resolution_failure(failure(f"http://127.0.0.1:{port}/x"))


def test_an_unresolvable_host_is_not_retried() -> None:
    """Offline `auto` reaches the snapshot at once: no retries, no back-off waits."""
    sleeps: list[float] = []
    warnings: list[str] = []
    client = LiveCbsClient(
        catalog_url="no-such-host.invalid",
        use_https=False,
        policy=HttpPolicy(retries=3, backoff_seconds=1.0),
        sleep=sleeps.append,
        warn=warnings.append,
    )
    started = time.monotonic()
    with pytest.raises(CbsUnavailableError) as raised:
        client.table_info("82809NED")
    assert time.monotonic() - started < 5
    assert sleeps == [] and warnings == []
    message = str(raised.value)
    assert "NameResolutionError" in message and "not retried" in message
    assert "82809NED" in message


def test_offline_auto_reaches_the_snapshot_within_a_second_per_table() -> None:
    from via_pipeline.core.cbs.catalogue import load_catalogue
    from via_pipeline.core.cbs.client import SnapshotCbsClient
    from via_pipeline.core.cbs.ingest import StatLineReader

    warnings: list[str] = []
    live = LiveCbsClient(catalog_url="no-such-host.invalid", use_https=False, warn=warnings.append)
    reader = StatLineReader("auto", live, SnapshotCbsClient(), warn=warnings.append)
    for table in load_catalogue().tables:
        started = time.monotonic()
        outcome = reader.refresh(table, None)
        assert time.monotonic() - started < 1.0
        assert outcome.version.source == "snapshot" and outcome.fetched is not None
    assert len(warnings) == 2 and all("not retried" in w for w in warnings)
