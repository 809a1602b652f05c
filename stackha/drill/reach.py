"""A TCP probe that records when an address:port accepts connections (for VIP moves)."""

from __future__ import annotations

import socket
import time

from stackha.drill.loop import BoundedLoop

INTERVAL_S = 0.02


class Reach(BoundedLoop):
    """Connects every INTERVAL_S; `ok` holds the monotonic times of successful connects."""

    def __init__(self, host: str, port: int, max_seconds: float, timeout: float = 0.1) -> None:
        super().__init__(f"reach-{host}:{port}", max_seconds)
        self.host, self.port, self.timeout = host, port, timeout
        self.ok: list[float] = []

    def step(self) -> None:
        started = time.monotonic()
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout):
                self.ok.append(time.monotonic())
        except OSError:
            pass
        time.sleep(max(0.0, INTERVAL_S - (time.monotonic() - started)))
