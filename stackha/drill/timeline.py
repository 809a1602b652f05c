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


def first_after(times: Iterable[float], moment: float) -> float | None:
    """Seconds from `moment` to the first time after it."""
    later = [t for t in times if t > moment]
    return min(later) - moment if later else None


def lost(acked: Iterable[int], present: Iterable[int]) -> list[int]:
    """Acknowledged ids missing from what the cluster holds now."""
    return sorted(set(acked) - set(present))


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None
