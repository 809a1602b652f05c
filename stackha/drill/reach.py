"""A TCP probe that records when an address:port accepts connections (for VIP moves)."""

from __future__ import annotations

import socket
import threading
import time

INTERVAL_S = 0.02


class Reach(threading.Thread):
    """Connects every INTERVAL_S; `ok` holds the monotonic times of successful connects."""

    def __init__(self, host: str, port: int, max_seconds: float, timeout: float = 0.1) -> None:
        super().__init__(daemon=True, name=f"reach-{host}:{port}")
        self.host, self.port, self.timeout, self.max_seconds = host, port, timeout, max_seconds
        self.ok: list[float] = []
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def run(self) -> None:
        end = time.monotonic() + self.max_seconds
        while not self._stop_event.is_set() and time.monotonic() < end:
            started = time.monotonic()
            try:
                with socket.create_connection((self.host, self.port), timeout=self.timeout):
                    self.ok.append(time.monotonic())
            except OSError:
                pass
            time.sleep(max(0.0, INTERVAL_S - (time.monotonic() - started)))
