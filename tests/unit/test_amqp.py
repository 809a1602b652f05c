"""Pure logic of the AMQP drill probes: message content and node rotation (no broker involved)."""

from __future__ import annotations

from stackha.drill.amqp import AmqpTarget, body_of, id_of

PASSWORD = "not-a-secret"  # noqa: S105 - a test value, never used to log in
TARGET = AmqpTarget(hosts=("10.0.0.11", "10.0.0.12", "10.0.0.13"), port=5671, vhost="/v", user="u", password=PASSWORD)


def test_body_round_trips_to_its_id() -> None:
    assert id_of("run1", body_of("run1", 42)) == 42


def test_body_from_another_run_is_not_counted() -> None:
    assert id_of("run2", body_of("run1", 42)) is None


def test_tampered_body_is_rejected() -> None:
    good = body_of("run1", 42)
    assert id_of("run1", good[:-1] + b"0" if not good.endswith(b"0") else good[:-1] + b"1") is None
    assert id_of("run1", b"garbage") is None


def test_rotation_starts_at_the_given_node_and_wraps() -> None:
    assert TARGET.rotate_from("10.0.0.12") == ["10.0.0.12", "10.0.0.13", "10.0.0.11"]


def test_rotation_from_an_unknown_node_starts_at_the_first() -> None:
    assert TARGET.rotate_from("10.9.9.9") == list(TARGET.hosts)


def test_connection_parameters_bound_a_dead_peer() -> None:
    params = TARGET.params("10.0.0.11", timeout=1.5)
    assert params.tcp_options["TCP_USER_TIMEOUT"] == 1500
    assert params.heartbeat == 2
    assert params.ssl_options is None
