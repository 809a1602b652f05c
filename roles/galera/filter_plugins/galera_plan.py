"""Decide what a Galera run may do from every node's state (pure logic, run on the controller).

Rules: bootstrap only when no member of the cluster runs, and only one node; the node with the
most advanced position bootstraps after a full outage; every other node joins one at a time;
refuse, with what to do, when the running cluster is not healthy or the nodes disagree.
"""

from __future__ import annotations

from typing import Any

SYNCED = "4"


def _member(state: dict[str, Any]) -> bool:
    wsrep = state.get("wsrep") or {}
    return bool(state.get("running")) and wsrep.get("wsrep_on") == "ON" and wsrep.get("wsrep_connected") == "ON"


def galera_plan(
    states: dict[str, dict[str, Any]], hosts: list[str], cluster_name: str, preferred: str
) -> dict[str, Any]:
    """states: host -> galera_state result. Returns {action, bootstrap, joiners, reason}."""
    missing = [h for h in hosts if h not in states]
    if missing:
        return _refuse(f"no state gathered from {', '.join(missing)} (unreachable?): every Galera node must answer")
    members = [h for h in hosts if _member(states[h])]
    if members:
        return _plan_running(states, hosts, members, cluster_name)
    return _plan_all_down(states, hosts, preferred)


def _refuse(reason: str) -> dict[str, Any]:
    return {"action": "refuse", "bootstrap": None, "joiners": [], "reason": reason}


def _plan_running(states: dict[str, dict[str, Any]], hosts: list[str], members: list[str], name: str) -> dict[str, Any]:
    wsrep = {h: states[h]["wsrep"] for h in members}
    wrong = [f"{h}={w.get('wsrep_cluster_name')!r}" for h, w in wsrep.items() if w.get("wsrep_cluster_name") != name]
    if wrong:
        return _refuse(
            f"running nodes belong to another cluster ({', '.join(wrong)}; expected {name!r}): "
            "fix galera_cluster_name or the inventory; nothing was changed"
        )
    non_primary = [h for h, w in wsrep.items() if w.get("wsrep_cluster_status") != "Primary"]
    if non_primary:
        return _refuse(
            f"{', '.join(non_primary)} run outside a Primary component (partition or lost quorum): "
            "restore the network, or stop MariaDB on every node and run playbooks/galera-recover.yml"
        )
    uuids = {w.get("wsrep_cluster_state_uuid") for w in wsrep.values()}
    if len(uuids) > 1:
        return _refuse(f"running nodes are in different clusters (uuids {', '.join(sorted(map(str, uuids)))})")
    unsynced = [
        f"{h} ({w.get('wsrep_local_state_comment')})" for h, w in wsrep.items() if w.get("wsrep_local_state") != SYNCED
    ]
    if unsynced:
        return _refuse(f"members not Synced: {', '.join(unsynced)}; wait until they are Synced, then run again")
    joiners = [h for h in hosts if h not in members]
    return {
        "action": "join" if joiners else "none",
        "bootstrap": None,
        "joiners": joiners,
        "reason": f"cluster running on {', '.join(members)}" + (f"; joining {', '.join(joiners)}" if joiners else ""),
    }


def _plan_all_down(states: dict[str, dict[str, Any]], hosts: list[str], preferred: str) -> dict[str, Any]:
    with_state = [h for h in hosts if states[h].get("uuid")]
    if not with_state:
        first = preferred if preferred in hosts else hosts[0]
        return {
            "action": "bootstrap",
            "bootstrap": first,
            "joiners": [h for h in hosts if h != first],
            "reason": f"new cluster: {first} bootstraps, the others join one at a time",
        }
    uuids = {states[h]["uuid"] for h in with_state}
    if len(uuids) > 1:
        detail = ", ".join(f"{h}={states[h]['uuid']}" for h in with_state)
        return _refuse(
            f"nodes disagree on the cluster uuid ({detail}): they are not one cluster; decide which data to keep, "
            "move the others' data aside (/var/lib/mysql) and run again"
        )
    unknown = [
        f"{h}: {states[h].get('recover_error', 'seqno -1')}" for h in with_state if states[h].get("seqno", -1) < 0
    ]
    if unknown:
        return _refuse(
            "whole cluster down and the position of "
            f"{'; '.join(unknown)} is unknown: run playbooks/galera-recover.yml (it runs mysqld --wsrep-recover)"
        )

    def rank(h: str) -> tuple[int, int, int]:
        st = states[h]
        return (int(st["seqno"]), 1 if st.get("safe_to_bootstrap") else 0, 1 if h == preferred else 0)

    best = max(with_state, key=lambda h: (rank(h), -hosts.index(h)))
    positions = ", ".join(f"{h}={states[h]['seqno']}" for h in with_state)
    return {
        "action": "recover",
        "bootstrap": best,
        "joiners": [h for h in hosts if h != best],
        "reason": f"whole cluster down; positions {positions}: {best} is the most advanced and bootstraps",
    }


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {"galera_plan": galera_plan}
