"""Galera/VIP failure drills on a lab: inject a fault under a continuous write load, measure, count.

Each drill writes through the VIP's writer port the whole time, records every acknowledged write,
injects its fault, waits (bounded) for the service to come back, restores the lab to a whole
Synced cluster, and then checks every acknowledged row is present on every node.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from stackha.drill import timeline
from stackha.drill.labcluster import DrillError, LabCluster, wait_for
from stackha.drill.reach import Reach
from stackha.drill.writer import Endpoint, Writer, connect, prepare, present_ids

WARMUP_WRITES = 20
AFTER_RECOVERY_WRITES = 30
RECOVERY_TIMEOUT_S = 240.0
Say = Callable[[str], None]


@dataclass
class DrillResult:
    fault: str
    victims: list[str]
    acked: int = 0
    failed_writes: int = 0
    lost: list[int] = field(default_factory=list)
    write_outage_s: float | None = None
    vip_move_s: float | None = None
    vip_before: list[str] = field(default_factory=list)
    vip_after: list[str] = field(default_factory=list)
    writer_before: str = ""
    writer_after: str = ""
    power_on_to_writable_s: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and self.write_outage_s is not None and self.acked > 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def writer_node(ep: Endpoint) -> str:
    conn = connect(ep, timeout=2)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT @@hostname")
            row = cur.fetchone()
            return str(row[0]) if row else ""
    finally:
        conn.close()


def _acks_since(w: Writer, moment: float) -> int:
    return sum(1 for t in w.ack_times if t > moment)


def _check_everywhere(c: LabCluster, run: str, acked: list[int], result: DrillResult) -> None:
    """Every acknowledged id must be on every node (read from each node directly)."""
    missing: set[int] = set()
    for host in c.controllers:
        ep = c.endpoint(host=c.address(host))
        present = present_ids(ep, run)
        gone = timeline.lost(acked, present)
        if gone:
            result.notes.append(f"{host}: {len(gone)} acknowledged rows missing")
        missing.update(gone)
    result.lost = sorted(missing)


def run_drill(c: LabCluster, fault: str, say: Say) -> DrillResult:
    """fault: vip-holder | writer | power-loss | lost-state"""
    ep = c.endpoint()
    size = c.cluster_size
    c.wait_synced(size, timeout=120)
    run = f"{fault}-{int(time.time())}"
    prepare(ep, run)
    result = DrillResult(fault=fault, victims=[])
    result.writer_before = writer_node(ep)
    if fault == "writer" and result.writer_before in c.vip_holders():
        # Measure the writer's failure alone: move the VIP away from it first (gracefully).
        say(f"moving the VIP off the writer node {result.writer_before} first")
        c.move_vip_away(result.writer_before)
    result.vip_before = c.vip_holders()
    if len(result.vip_before) != 1:
        raise DrillError(f"expected one VIP holder before the fault, found {result.vip_before}")

    w = Writer(ep, run, max_seconds=RECOVERY_TIMEOUT_S + 120)
    reach = Reach(c.vip, 3306, max_seconds=RECOVERY_TIMEOUT_S + 120)
    w.start()
    reach.start()
    try:
        wait_for(lambda: len(w.acked) >= WARMUP_WRITES, 30, "the first writes")
        fault_at, powered_on = _inject(c, fault, result, say)
        wait_for(
            lambda: _acks_since(w, fault_at) >= AFTER_RECOVERY_WRITES, RECOVERY_TIMEOUT_S, "writes after the fault"
        )
    finally:
        w.stop()
        reach.stop()

    result.acked, result.failed_writes = len(w.acked), len(w.errors)
    result.write_outage_s = timeline.rounded(timeline.outage(w.ack_times, fault_at))
    if fault == "vip-holder":
        result.vip_move_s = timeline.rounded(timeline.outage(reach.ok, fault_at))
    if powered_on is not None:
        result.power_on_to_writable_s = timeline.rounded(timeline.first_after(w.ack_times, powered_on))
    result.vip_after = c.vip_holders()
    result.writer_after = writer_node(ep)

    say(f"{fault}: restoring the lab ({', '.join(result.victims)} back, cluster Synced)")
    c.start(result.victims)
    c.wait_synced(size, timeout=RECOVERY_TIMEOUT_S)
    _check_everywhere(c, run, w.acked_ids, result)
    return result


def _inject(c: LabCluster, fault: str, result: DrillResult, say: Say) -> tuple[float, float | None]:
    """Inject the fault; returns (fault time, power-on time or None)."""
    if fault == "vip-holder":
        result.victims = list(result.vip_before)
        say(f"hard-killing the VIP holder {result.victims[0]}")
        fault_at = time.monotonic()
        c.kill(result.victims)
        return fault_at, None
    if fault == "writer":
        result.victims = [result.writer_before]
        if result.writer_before in result.vip_before:
            result.notes.append("the writer node also held the VIP")
        say(f"hard-killing the writer node {result.writer_before}")
        fault_at = time.monotonic()
        c.kill(result.victims)
        return fault_at, None
    if fault in ("power-loss", "lost-state"):
        result.victims = list(c.controllers)
        if fault == "lost-state":
            # Simulate nodes whose saved primary-component state (gvwstate.dat) is gone, so Galera
            # cannot re-form by itself (pc.recovery) and the playbook's position recovery must.
            for host in c.controllers:
                c.exec(host, ["rm", "-f", "/var/lib/mysql/gvwstate.dat"])
        say(f"full power loss: hard-killing {', '.join(result.victims)}")
        fault_at = time.monotonic()
        c.kill(result.victims)
        powered_on = time.monotonic()
        c.start(result.victims, until="ssh")
        say("power back: running playbooks/galera-recover.yml")
        proc = c.playbook("galera-recover.yml")
        if proc.returncode != 0:
            raise DrillError(f"galera-recover.yml failed:\n{proc.stdout[-4000:]}")
        plan = [ln for ln in proc.stdout.splitlines() if '"msg":' in ln or "msg:" in ln]
        result.notes.extend(ln.strip() for ln in plan[:3])
        return fault_at, powered_on
    raise DrillError(f"unknown fault {fault!r} (vip-holder, writer, power-loss, lost-state)")


FAULTS = ("vip-holder", "writer", "power-loss", "lost-state")
