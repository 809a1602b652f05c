"""Drill figures: outage, losses, first success."""

import pytest

from stackha.drill import timeline


def test_outage_is_the_gap_straddling_the_fault() -> None:
    acks = [0.0, 0.1, 0.2, 0.3, 2.9, 3.0, 3.1]
    assert abs((timeline.outage(acks, fault_at=0.25) or 0) - 2.6) < 1e-9


def test_outage_ignores_gaps_before_the_fault() -> None:
    acks = [0.0, 5.0, 5.1, 5.2, 5.9, 6.0]
    assert abs((timeline.outage(acks, fault_at=5.15) or 0) - 0.7) < 1e-9


def test_outage_none_when_service_never_came_back() -> None:
    assert timeline.outage([0.0, 0.1], fault_at=0.5) is None


def test_lost_and_first_after() -> None:
    assert timeline.lost([1, 2, 3, 4], [1, 2, 4, 5]) == [3]
    assert timeline.first_after([1.0, 2.5, 4.0], 2.0) == 0.5
    assert timeline.first_after([1.0], 2.0) is None


def test_resumed_after_skips_events_in_flight_at_the_fault() -> None:
    # Events every 0.1 s, fault at 1.0, two more land at 1.05/1.1 (in flight), then a 2 s gap.
    times = [0.1 * i for i in range(11)] + [1.05, 1.1, 3.1, 3.2]
    assert timeline.resumed_after(times, 1.0) == pytest.approx(2.1)


def test_resumed_after_without_a_gap_is_the_first_event() -> None:
    assert timeline.resumed_after([0.5, 1.2], 1.0) == pytest.approx(0.2)
    assert timeline.resumed_after([0.5], 1.0) is None
