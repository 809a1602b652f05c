"""Drill figures: outage, losses, first success."""

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
