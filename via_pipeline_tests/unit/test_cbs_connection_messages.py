"""Connection failures are told by their cause, not by requests' and urllib3's wrappers around it."""

import socket
import struct
import threading

import pytest
import requests

from via_pipeline.core.cbs.client import connection_problem


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
