"""A background probe loop bounded in time, stopped on request."""

from __future__ import annotations

import threading
import time


class BoundedLoop(threading.Thread):
    """Subclasses implement step(); it runs until stop() or until max_seconds have passed."""

    def __init__(self, name: str, max_seconds: float) -> None:
        super().__init__(daemon=True, name=name)
        self.max_seconds = max_seconds
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join()

    def stopping(self) -> bool:
        return self._stop_event.is_set()

    def keep_going(self) -> bool:
        return True

    def step(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called once when the loop ends."""

    def run(self) -> None:
        end = time.monotonic() + self.max_seconds
        try:
            while not self._stop_event.is_set() and time.monotonic() < end and self.keep_going():
                self.step()
        finally:
            self.finish()
