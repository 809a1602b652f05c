"""AMQP probes for RabbitMQ drills: a publisher with confirms and a consumer, both failing over.

Both connect to the cluster's nodes directly, as OpenStack services do (every node listed, no load
balancer), starting with a chosen node and moving on to the next one when their connection dies.
The client side is tuned the way a careful service would be: TCP_USER_TIMEOUT bounds how long an
unacknowledged publish may hang on a dead peer, TCP keepalives and a short AMQP heartbeat let an
idle consumer notice one.
"""

from __future__ import annotations

import contextlib
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pika
import pika.exceptions

from stackha.drill.loop import BoundedLoop

PAUSE_S = 0.01
QUORUM = {"x-queue-type": "quorum"}
# Connection errors that mean "this node is gone or refused us": move on to the next node.
CONN_ERRORS: tuple[type[Exception], ...] = (
    pika.exceptions.AMQPError,
    OSError,
    ssl.SSLError,
    ConnectionError,
)


@dataclass(frozen=True)
class AmqpTarget:
    """Where and how to reach the cluster: node addresses in preference order, credentials, TLS."""

    hosts: tuple[str, ...]
    port: int
    vhost: str
    user: str
    password: str
    ca_file: Path | None = None

    def params(self, host: str, timeout: float = 2.0) -> pika.ConnectionParameters:
        ssl_options = None
        if self.ca_file is not None:
            ctx = ssl.create_default_context(cafile=str(self.ca_file))
            ssl_options = pika.SSLOptions(ctx, server_hostname=host)
        return pika.ConnectionParameters(
            host=host,
            port=self.port,
            virtual_host=self.vhost,
            credentials=pika.PlainCredentials(self.user, self.password),
            ssl_options=ssl_options,
            heartbeat=2,
            socket_timeout=timeout,
            stack_timeout=timeout * 2,
            blocked_connection_timeout=timeout * 5,
            connection_attempts=1,
            tcp_options={
                "TCP_USER_TIMEOUT": int(timeout * 1000),
                "TCP_KEEPIDLE": 1,
                "TCP_KEEPINTVL": 1,
                "TCP_KEEPCNT": 2,
            },
        )

    def rotate_from(self, host: str) -> list[str]:
        """Every node, starting with `host` and going round the list."""
        i = self.hosts.index(host) if host in self.hosts else 0
        return list(self.hosts[i:] + self.hosts[:i])


def body_of(run: str, ident: int) -> bytes:
    """The content a message must carry; the consumer checks it, not just the count."""
    return f"{run}:{ident}:{ident * 7919 % 1000003}".encode()


def id_of(run: str, body: bytes) -> int | None:
    """The message id when `body` is exactly what body_of made for this run, else None."""
    parts = body.decode(errors="replace").split(":")
    if len(parts) != 3 or parts[0] != run or not parts[1].isdigit():
        return None
    ident = int(parts[1])
    return ident if body == body_of(run, ident) else None


class _Client(BoundedLoop):
    """Connection handling shared by the publisher and the consumer: connect to the current node,
    and on any connection error move on to the next one, recording when that happened."""

    def __init__(self, name: str, target: AmqpTarget, first: str, queue: str, max_seconds: float) -> None:
        super().__init__(name, max_seconds)
        self.target, self.queue = target, queue
        self.node = first
        self.conn: pika.BlockingConnection | None = None
        self.errors: list[tuple[float, str]] = []
        self.nodes_used: list[str] = []

    def channel(self) -> pika.adapters.blocking_connection.BlockingChannel:
        last: BaseException | None = None
        for host in self.target.rotate_from(self.node):
            try:
                self.conn = pika.BlockingConnection(self.target.params(host))
                self.node = host
                self.nodes_used.append(host)
                ch = self.conn.channel()
                ch.queue_declare(self.queue, durable=True, arguments=QUORUM)
                return ch
            except CONN_ERRORS as exc:
                last = exc
                self._drop()
        raise ConnectionError(f"no node answered: {last!r}")

    def failed(self, exc: BaseException) -> None:
        self.errors.append((time.monotonic(), f"{self.node}: {exc!r}"[:200]))
        self._drop()
        # Next attempt starts at the node after the one that failed.
        order = self.target.rotate_from(self.node)
        self.node = order[1] if len(order) > 1 else order[0]
        time.sleep(PAUSE_S)

    def _drop(self) -> None:
        if self.conn is not None:
            # The connection is already broken: closing it is best effort.
            with contextlib.suppress(Exception):
                self.conn.close()
        self.conn = None

    def finish(self) -> None:
        self._drop()


class Publisher(_Client):
    """Publishes persistent messages with publisher confirms; `confirmed` holds (id, time) pairs
    for every message the cluster confirmed. At most `limit` messages are published."""

    def __init__(
        self,
        target: AmqpTarget,
        first: str,
        queue: str,
        *,
        run: str,
        limit: int,
        max_seconds: float,
        pace_s: float = 0.0,
    ) -> None:
        super().__init__(f"publisher-{queue}", target, first, queue, max_seconds)
        self.run_id, self.limit, self.pace_s = run, limit, pace_s
        self.confirmed: list[tuple[int, float]] = []
        self._ch: pika.adapters.blocking_connection.BlockingChannel | None = None
        self._next = 0

    def keep_going(self) -> bool:
        return self._next < self.limit

    def step(self) -> None:
        try:
            if self._ch is None or self.conn is None or not self.conn.is_open:
                self._ch = self.channel()
                self._ch.confirm_delivery()
            ident = self._next
            self._ch.basic_publish(
                exchange="",
                routing_key=self.queue,
                body=body_of(self.run_id, ident),
                properties=pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent),
                mandatory=True,
            )
            self.confirmed.append((ident, time.monotonic()))
            self._next += 1
            if self.pace_s:
                time.sleep(self.pace_s)
        except CONN_ERRORS as exc:
            # Not confirmed: the same id is published again on the next connection.
            self._ch = None
            self.failed(exc)

    @property
    def confirmed_ids(self) -> list[int]:
        return [i for i, _ in self.confirmed]

    @property
    def confirm_times(self) -> list[float]:
        return [t for _, t in self.confirmed]


class Consumer(_Client):
    """Consumes with manual acks; `received` holds (id, time) per delivery (redeliveries included),
    `bad` the bodies that did not match what was published."""

    def __init__(self, target: AmqpTarget, first: str, queue: str, *, run: str, max_seconds: float) -> None:
        super().__init__(f"consumer-{queue}", target, first, queue, max_seconds)
        self.run_id = run
        self.received: list[tuple[int, float]] = []
        self.bad: list[bytes] = []
        self._lock = threading.Lock()
        self._ch: pika.adapters.blocking_connection.BlockingChannel | None = None

    def step(self) -> None:
        try:
            if self._ch is None or self.conn is None or not self.conn.is_open:
                self._ch = self.channel()
                self._ch.basic_qos(prefetch_count=50)
            for method, _props, body in self._ch.consume(self.queue, inactivity_timeout=0.2):
                if method is None:
                    return  # idle: give run() the chance to stop
                ident = id_of(self.run_id, body)
                with self._lock:
                    if ident is None:
                        self.bad.append(body[:80])
                    else:
                        self.received.append((ident, time.monotonic()))
                self._ch.basic_ack(method.delivery_tag)
                if self.stopping():
                    return
        except CONN_ERRORS as exc:
            self._ch = None
            self.failed(exc)

    def snapshot(self) -> tuple[set[int], list[float]]:
        with self._lock:
            return {i for i, _ in self.received}, [t for _, t in self.received]


def drain(target: AmqpTarget, first: str, queue: str, *, run: str, expected: int, max_seconds: float) -> Consumer:
    """Consume until `expected` distinct messages arrived or max_seconds passed; returns the consumer."""
    c = Consumer(target, first, queue, run=run, max_seconds=max_seconds)
    c.start()
    end = time.monotonic() + max_seconds
    while time.monotonic() < end and len(c.snapshot()[0]) < expected:
        time.sleep(0.1)
    c.stop()
    return c


def delete_queue(target: AmqpTarget, queue: str) -> None:
    for host in target.hosts:
        try:
            conn = pika.BlockingConnection(target.params(host))
        except CONN_ERRORS:
            continue
        try:
            conn.channel().queue_delete(queue)
        finally:
            conn.close()
        return
