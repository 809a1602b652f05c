"""RabbitMQ failure drills on a lab: confirmed messages through faults, every one accounted for.

client-node  a publisher (confirms) and a consumer both connected to one node, which also leads the
             drill's quorum queue, publish and consume continuously; that node is hard-killed. Both
             move to the other nodes; every confirmed message must be consumed, content intact.
rolling-restart
             the same load while playbooks/rabbitmq-rolling-restart.yml drains and restarts every
             node in turn.
power-loss   N confirmed messages wait in a quorum queue; every node loses power, comes back, and
             playbooks/rabbitmq-recover.yml runs; every confirmed message must be consumed.
power-loss-partial
             as power-loss, but one node stays dead: the others cannot finish booting on their own
             (they wait for it), so the recovery playbook forces the leader to boot (force_boot) and
             the survivors carry on; the dead node is powered on after and must rejoin.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from stackha.drill import timeline
from stackha.drill.amqp import AmqpTarget, Consumer, Publisher, delete_queue, drain
from stackha.drill.labcluster import DrillError, LabCluster, wait_for

FAULTS = ("client-node", "rolling-restart", "power-loss", "power-loss-partial")
WARMUP = 50
AFTER_FAULT = 50
STORED = 500
RECOVERY_TIMEOUT_S = 300.0
# How long the recovery playbook lets nodes find each other before forcing the leader to boot. The
# lab's nodes boot in about 20 s; production keeps the role's default (120 s).
BOOT_TIMEOUT_S = 60
UNREACHABLE_ONLY = 4
Say = Callable[[str], None]


@dataclass
class RabbitResult:
    fault: str
    victims: list[str]
    client_node: str = ""
    confirmed: int = 0
    consumed: int = 0
    duplicates: int = 0
    bad_content: int = 0
    lost: list[int] = field(default_factory=list)
    publish_resume_s: float | None = None
    consume_resume_s: float | None = None
    publish_outage_s: float | None = None
    power_on_to_consumable_s: float | None = None
    nodes_used: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.confirmed > 0 and not self.lost and self.bad_content == 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def target(c: LabCluster) -> AmqpTarget:
    return AmqpTarget(
        hosts=tuple(c.address(h) for h in c.controllers),
        port=5671,
        vhost="/openstack",
        user="openstack",
        password=c.secrets()["rabbitmq_openstack_password"],
        ca_file=c.paths.state / "pki" / "ca.crt",
    )


def running_nodes(c: LabCluster, host: str) -> list[str]:
    if not c.running(host):
        return []
    rc, out = c.exec(host, ["rabbitmqctl", "--quiet", "--timeout", "10", "cluster_status", "--formatter", "json"], 30)
    if rc != 0:
        return []
    try:
        return sorted(json.loads(out[out.index("{") :]).get("running_nodes", []))
    except ValueError:
        return []


def wait_whole(c: LabCluster, timeout: float) -> float:
    """Wait until every node sees every node running; returns the seconds it took."""
    want = sorted(f"rabbit@{h}" for h in c.controllers)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if all(running_nodes(c, h) == want for h in c.controllers):
            return time.monotonic() - started
        time.sleep(1)
    raise DrillError(f"RabbitMQ not back to {len(want)} running nodes within {timeout:.0f} s")


def _account(result: RabbitResult, pub: Publisher, cons: Consumer) -> None:
    got, _times = cons.snapshot()
    result.confirmed = len(pub.confirmed)
    result.consumed = len(got)
    result.duplicates = len(cons.received) - len(got)
    result.bad_content = len(cons.bad)
    result.lost = timeline.lost(pub.confirmed_ids, got)


@dataclass
class _Run:
    c: LabCluster
    t: AmqpTarget
    queue: str
    run: str
    say: Say


def run_drill(c: LabCluster, fault: str, say: Say) -> RabbitResult:
    if fault not in FAULTS:
        raise DrillError(f"unknown fault {fault!r} ({', '.join(FAULTS)})")
    wait_whole(c, 120)
    t = target(c)
    run = f"{fault}-{int(time.time())}"
    queue = f"stackha.drill.{run}"
    first = c.controllers[0]
    result = RabbitResult(fault=fault, victims=[], client_node=first)
    try:
        r = _Run(c, t, queue, run, say)
        if fault == "client-node":
            _client_node(r, first, result)
        elif fault == "rolling-restart":
            _rolling_restart(r, first, result)
        else:
            _power_loss(r, first, result, partial=fault == "power-loss-partial")
    finally:
        if result.victims:
            say(f"{fault}: restoring the lab ({', '.join(result.victims)} on, cluster whole)")
            c.start(result.victims, until="ssh")
            wait_whole(c, RECOVERY_TIMEOUT_S)
        delete_queue(t, queue)
    return result


def _client_node(r: _Run, first: str, result: RabbitResult) -> None:
    def kill() -> None:
        result.victims = [first]
        r.say(f"hard-killing {first}: the node the publisher and consumer use, leader of the queue")
        r.c.kill([first])

    _under_load(r, first, result, kill)


def _rolling_restart(r: _Run, first: str, result: RabbitResult) -> None:
    def restart() -> None:
        r.say("running playbooks/rabbitmq-rolling-restart.yml under load")
        proc = r.c.playbook("rabbitmq-rolling-restart.yml")
        if proc.returncode != 0:
            raise DrillError(f"rabbitmq-rolling-restart.yml failed:\n{proc.stdout[-4000:]}")

    _under_load(r, first, result, restart)


def _under_load(r: _Run, first: str, result: RabbitResult, fault: Callable[[], None]) -> None:
    """Publish and consume continuously through `first` while `fault` runs; then account for every
    confirmed message."""
    t, queue, run = r.t, r.queue, r.run
    host_addr = r.c.address(first)
    # Declared first over a connection to `first`, the queue's leader is on that node (client-local).
    pub = Publisher(t, host_addr, queue, run=run, limit=100_000, max_seconds=RECOVERY_TIMEOUT_S, pace_s=0.005)
    pub.start()
    cons = Consumer(t, host_addr, queue, run=run, max_seconds=RECOVERY_TIMEOUT_S + 60)
    fault_at = 0.0
    try:
        wait_for(lambda: len(pub.confirmed) >= 1, 30, "the first confirm")
        cons.start()
        wait_for(lambda: len(cons.snapshot()[0]) >= WARMUP, 60, "the first deliveries")
        fault_at = time.monotonic()
        fault()
        wait_for(
            lambda: sum(1 for x in pub.confirm_times if x > fault_at) >= AFTER_FAULT, RECOVERY_TIMEOUT_S, "confirms"
        )
        wait_for(
            lambda: sum(1 for x in cons.snapshot()[1] if x > fault_at) >= AFTER_FAULT, RECOVERY_TIMEOUT_S, "deliveries"
        )
        pub.stop()
        expected = set(pub.confirmed_ids)
        wait_for(lambda: expected <= cons.snapshot()[0], 60, "every confirmed message to be consumed")
    except DrillError as exc:
        result.notes.append(str(exc))
    finally:
        pub.stop()
        cons.stop()
    _account(result, pub, cons)
    result.publish_resume_s = timeline.rounded(timeline.resumed_after(pub.confirm_times, fault_at))
    result.consume_resume_s = timeline.rounded(timeline.resumed_after(cons.snapshot()[1], fault_at))
    result.publish_outage_s = timeline.rounded(timeline.outage(pub.confirm_times, fault_at))
    result.nodes_used = sorted(set(pub.nodes_used + cons.nodes_used))
    for who, client in (("publisher", pub), ("consumer", cons)):
        result.notes.extend(f"{who} at +{at - fault_at:.2f} s: {err}" for at, err in client.errors[:4])


def _power_loss(r: _Run, first: str, result: RabbitResult, *, partial: bool) -> None:
    c, t, queue, run, say = r.c, r.t, r.queue, r.run, r.say
    pub = Publisher(t, c.address(first), queue, run=run, limit=STORED, max_seconds=120)
    pub.start()
    pub.join()
    if len(pub.confirmed) < STORED:
        raise DrillError(f"only {len(pub.confirmed)} of {STORED} messages confirmed before the fault")
    say(f"{STORED} messages confirmed in {queue}; full power loss: hard-killing {', '.join(c.controllers)}")
    c.kill(list(c.controllers))
    back = c.controllers[:-1] if partial else list(c.controllers)
    result.victims = [h for h in c.controllers if h not in back]
    powered_on = time.monotonic()
    c.start(back, until="ssh")
    say(f"power back on {', '.join(back)}: running playbooks/rabbitmq-recover.yml")
    # Run as an operator would: the dead node is in the inventory and simply unreachable.
    proc = c.playbook("rabbitmq-recover.yml", ["-e", f"rabbitmq_boot_timeout={BOOT_TIMEOUT_S}"])
    # ansible-playbook exits 4 when the only trouble was unreachable hosts: the dead node, expected.
    if proc.returncode != 0 and not (partial and proc.returncode == UNREACHABLE_ONLY):
        raise DrillError(f"rabbitmq-recover.yml failed:\n{proc.stdout[-4000:]}")
    if "force_boot" in proc.stdout or "Forcing" in proc.stdout:
        result.notes.append("recovery forced the leader to boot (force_boot)")
    live = AmqpTarget(tuple(c.address(h) for h in back), t.port, t.vhost, t.user, t.password, t.ca_file)
    cons = drain(live, c.address(back[0]), queue, run=run, expected=STORED, max_seconds=120)
    _got, times = cons.snapshot()
    result.power_on_to_consumable_s = timeline.rounded(min(times) - powered_on) if times else None
    _account(result, pub, cons)
