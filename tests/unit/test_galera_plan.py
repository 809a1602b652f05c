"""The Galera run plan: bootstrap once, most advanced node first, refuse unhealthy clusters."""

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("galera_plan", ROOT / "roles/galera/filter_plugins/galera_plan.py")
assert _spec is not None and _spec.loader is not None
plan_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(plan_mod)
HOSTS = ["ctl1", "ctl2", "ctl3"]
UUID = "6b5c1f6e-0000-11ef-8000-0242ac110002"


def member(state: str = "4", status: str = "Primary", name: str = "stackha", uuid: str = UUID) -> dict[str, Any]:
    return {
        "running": True,
        "uuid": uuid,
        "seqno": 10,
        "wsrep": {
            "wsrep_on": "ON",
            "wsrep_connected": "ON",
            "wsrep_cluster_name": name,
            "wsrep_cluster_status": status,
            "wsrep_local_state": state,
            "wsrep_local_state_comment": {"4": "Synced", "2": "Donor/Desynced", "1": "Joining"}[state],
            "wsrep_cluster_state_uuid": uuid,
        },
    }


def down(uuid: str = "", seqno: int = -1, safe: bool = False, **extra: Any) -> dict[str, Any]:
    return {"running": False, "uuid": uuid, "seqno": seqno, "safe_to_bootstrap": safe, "wsrep": {}, **extra}


def plan(states: dict[str, dict[str, Any]], preferred: str = "ctl1") -> dict[str, Any]:
    result: dict[str, Any] = plan_mod.galera_plan(states, HOSTS, "stackha", preferred)
    return result


def test_new_cluster_bootstraps_the_preferred_node_once() -> None:
    p = plan({h: down() for h in HOSTS})
    assert (p["action"], p["bootstrap"], p["joiners"]) == ("bootstrap", "ctl1", ["ctl2", "ctl3"])


def test_healthy_cluster_is_left_alone() -> None:
    p = plan({h: member() for h in HOSTS})
    assert (p["action"], p["bootstrap"], p["joiners"]) == ("none", None, [])


def test_stopped_node_joins_a_running_cluster_without_bootstrap() -> None:
    p = plan({"ctl1": member(), "ctl2": down(UUID, 9), "ctl3": member()})
    assert (p["action"], p["bootstrap"], p["joiners"]) == ("join", None, ["ctl2"])


def test_standalone_fresh_install_joins() -> None:
    fresh = {"running": True, "uuid": "", "seqno": -1, "wsrep": {"wsrep_on": "OFF", "wsrep_connected": "OFF"}}
    p = plan({"ctl1": member(), "ctl2": member(), "ctl3": fresh})
    assert (p["action"], p["joiners"]) == ("join", ["ctl3"])


def test_refuses_members_not_synced() -> None:
    p = plan({"ctl1": member(), "ctl2": member(state="2"), "ctl3": member()})
    assert p["action"] == "refuse" and "not Synced" in p["reason"] and "ctl2" in p["reason"]


def test_refuses_wrong_cluster_name() -> None:
    p = plan({"ctl1": member(name="other"), "ctl2": member(name="other"), "ctl3": down()})
    assert p["action"] == "refuse" and "another cluster" in p["reason"]


def test_refuses_non_primary_members() -> None:
    p = plan({"ctl1": member(status="non-Primary"), "ctl2": member(), "ctl3": member()})
    assert p["action"] == "refuse" and "Primary" in p["reason"]


def test_refuses_missing_state() -> None:
    p = plan({"ctl1": member(), "ctl2": member()})
    assert p["action"] == "refuse" and "ctl3" in p["reason"]


def test_full_outage_bootstraps_the_most_advanced_node() -> None:
    p = plan({"ctl1": down(UUID, 100), "ctl2": down(UUID, 140), "ctl3": down(UUID, 120)})
    assert (p["action"], p["bootstrap"], p["joiners"]) == ("recover", "ctl2", ["ctl1", "ctl3"])


def test_full_outage_tie_prefers_safe_to_bootstrap_then_preferred() -> None:
    p = plan({"ctl1": down(UUID, 7), "ctl2": down(UUID, 7), "ctl3": down(UUID, 7, safe=True)})
    assert p["bootstrap"] == "ctl3"
    p = plan({"ctl1": down(UUID, 7), "ctl2": down(UUID, 7), "ctl3": down(UUID, 7)}, preferred="ctl2")
    assert p["bootstrap"] == "ctl2"


def test_full_outage_refuses_when_nodes_disagree_on_uuid() -> None:
    other = "11111111-2222-3333-4444-555555555555"
    p = plan({"ctl1": down(UUID, 5), "ctl2": down(other, 9), "ctl3": down(UUID, 4)})
    assert p["action"] == "refuse" and "disagree" in p["reason"]


def test_full_outage_refuses_unknown_position() -> None:
    p = plan({"ctl1": down(UUID, 5), "ctl2": down(UUID, -1, recover_error="no Recovered position"), "ctl3": down()})
    assert p["action"] == "refuse" and "ctl2" in p["reason"] and "galera-recover.yml" in p["reason"]


def test_full_outage_node_without_state_joins() -> None:
    p = plan({"ctl1": down(UUID, 5), "ctl2": down(UUID, 8), "ctl3": down()})
    assert (p["bootstrap"], p["joiners"]) == ("ctl2", ["ctl1", "ctl3"])
