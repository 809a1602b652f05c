"""The reachability probe on loopback: bounded, stoppable, records successful connects."""

import socket
import time

from stackha.drill.reach import Reach


def test_reach_records_connects_and_stops() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    port = server.getsockname()[1]
    probe = Reach("127.0.0.1", port, max_seconds=5)
    probe.start()
    deadline = time.monotonic() + 5
    while len(probe.ok) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    probe.stop()
    server.close()
    assert len(probe.ok) >= 3
    assert not probe.is_alive()


def test_reach_ends_by_itself_at_its_bound() -> None:
    probe = Reach("127.0.0.1", 9, max_seconds=0.2, timeout=0.05)
    probe.start()
    probe.join(timeout=2)
    assert not probe.is_alive()
    assert probe.ok == []
