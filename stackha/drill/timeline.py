"""Pure figures from a drill's record: outages, losses, medians."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Sequence


def outage(ack_times: Sequence[float], fault_at: float) -> float | None:
    """Client-visible outage: the longest gap between consecutive acknowledgements that ends after
    the fault (the gap that straddles it). None when nothing was acknowledged after the fault."""
    times = sorted(ack_times)
    gaps = [b - a for a, b in itertools.pairwise(times) if b > fault_at]
    if not gaps:
        return None if not any(t > fault_at for t in times) else 0.0
    return max(gaps)


def resumed_after(times: Sequence[float], fault_at: float) -> float | None:
    """Seconds from the fault until service resumed: the end of the outage gap (the longest gap
    between consecutive events that ends after the fault). Events still in flight when the fault
    struck do not count as a resumption."""
    ordered = sorted(times)
    gaps = [(b - a, b) for a, b in itertools.pairwise(ordered) if b > fault_at]
    if not gaps:
        return first_after(ordered, fault_at)
    return max(gaps)[1] - fault_at


def first_after(times: Iterable[float], moment: float) -> float | None:
    """Seconds from `moment` to the first time after it."""
    later = [t for t in times if t > moment]
    return min(later) - moment if later else None


def lost(acked: Iterable[int], present: Iterable[int]) -> list[int]:
    """Acknowledged ids missing from what the cluster holds now."""
    return sorted(set(acked) - set(present))


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def rounded(value: float | None) -> float | None:
    """A figure for reports: milliseconds are enough."""
    return None if value is None else round(value, 3)
