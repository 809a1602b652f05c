"""A client that writes continuously through the VIP and records every acknowledged write."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import pymysql

from stackha.drill.loop import BoundedLoop

SCHEMA = "stackha_drill"
TABLE = f"{SCHEMA}.writes"
PAUSE_S = 0.01  # between writes and between reconnect attempts: bounded, never a busy spin
# The probe's own patience: connect 0.5 s, read/write 1 s. A write to a node that vanished fails
# after 1 s and is retried on a new connection (an ordinary client would hang far longer).
WRITE_TIMEOUT_S = 0.5


@dataclass
class Endpoint:
    host: str
    port: int
    user: str
    password: str = field(repr=False)


def connect(ep: Endpoint, timeout: float = 1.0) -> pymysql.connections.Connection:
    return pymysql.connect(
        host=ep.host,
        port=ep.port,
        user=ep.user,
        password=ep.password,
        connect_timeout=timeout,
        read_timeout=2 * timeout,
        write_timeout=2 * timeout,
        autocommit=True,
    )


def prepare(ep: Endpoint, run: str, deadline_s: float = 60.0) -> None:
    """Create the drill table (retrying while the cluster comes up) and forget this run's old rows."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            conn = connect(ep)
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE IF NOT EXISTS {SCHEMA}")
                cur.execute(
                    f"CREATE TABLE IF NOT EXISTS {TABLE} "
                    "(run VARCHAR(40) NOT NULL, id BIGINT NOT NULL, at DOUBLE NOT NULL, PRIMARY KEY (run, id))"
                )
                cur.execute(f"DELETE FROM {TABLE} WHERE run = %s", (run,))  # noqa: S608 - constant table
            conn.close()
            return
        except pymysql.MySQLError:
            if time.monotonic() > end:
                raise
            time.sleep(0.5)


class Writer(BoundedLoop):
    """Inserts (run, id) rows one at a time; `acked` holds (id, monotonic time) of each commit."""

    def __init__(self, ep: Endpoint, run: str, max_seconds: float, max_writes: int = 200_000) -> None:
        super().__init__(f"writer-{run}", max_seconds)
        self.ep, self.run_id, self.max_writes = ep, run, max_writes
        self.acked: list[tuple[int, float]] = []
        self.errors: list[tuple[float, str]] = []
        self._conn: pymysql.connections.Connection | None = None
        self._next_id = 1

    def keep_going(self) -> bool:
        return self._next_id <= self.max_writes

    def step(self) -> None:
        try:
            if self._conn is None:
                self._conn = connect(self.ep, timeout=WRITE_TIMEOUT_S)
            with self._conn.cursor() as cur:
                cur.execute(
                    f"INSERT INTO {TABLE} (run, id, at) VALUES (%s, %s, UNIX_TIMESTAMP(NOW(6)))",  # noqa: S608
                    (self.run_id, self._next_id),
                )
            self.acked.append((self._next_id, time.monotonic()))
        except (pymysql.MySQLError, OSError) as exc:
            # Not acknowledged: the row may or may not exist; only acknowledged ones count.
            self.errors.append((time.monotonic(), f"{type(exc).__name__}: {exc}"))
            self.finish()
        self._next_id += 1
        time.sleep(PAUSE_S)

    def finish(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(pymysql.MySQLError, OSError):
                self._conn.close()
        self._conn = None

    @property
    def ack_times(self) -> list[float]:
        return [t for _, t in self.acked]

    @property
    def acked_ids(self) -> list[int]:
        return [i for i, _ in self.acked]


def present_ids(ep: Endpoint, run: str) -> list[int]:
    conn = connect(ep, timeout=5)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT id FROM {TABLE} WHERE run = %s", (run,))  # noqa: S608 - constant table
            return [int(row[0]) for row in cur.fetchall()]
    finally:
        conn.close()
