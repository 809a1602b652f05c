"""Parsing grastate.dat and mysqld --wsrep-recover output (the module's pure part)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("galera_state", ROOT / "library/galera_state.py")
assert _spec is not None and _spec.loader is not None
mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mod)

GRASTATE = """# GALERA saved state
version: 2.1
uuid:    6b5c1f6e-a8a1-11ef-8000-0242ac110002
seqno:   -1
safe_to_bootstrap: 0
"""


def test_parse_grastate_unclean() -> None:
    assert mod.parse_grastate(GRASTATE) == {
        "uuid": "6b5c1f6e-a8a1-11ef-8000-0242ac110002",
        "seqno": -1,
        "safe_to_bootstrap": False,
    }


def test_parse_grastate_clean_and_nil() -> None:
    clean = GRASTATE.replace("seqno:   -1", "seqno:   42").replace("safe_to_bootstrap: 0", "safe_to_bootstrap: 1")
    assert mod.parse_grastate(clean)["seqno"] == 42 and mod.parse_grastate(clean)["safe_to_bootstrap"]
    nil = GRASTATE.replace("6b5c1f6e-a8a1-11ef-8000-0242ac110002", mod.NIL_UUID)
    assert mod.parse_grastate(nil)["uuid"] == ""
    assert mod.parse_grastate("garbage") == {"uuid": "", "seqno": -1, "safe_to_bootstrap": False}


def test_parse_recovered_position() -> None:
    log = (
        "2026-11-21 10:00:00 0 [Note] InnoDB: Starting recovery\n"
        "2026-11-21 10:00:01 0 [Note] WSREP: Recovered position: 6b5c1f6e-a8a1-11ef-8000-0242ac110002:1234\n"
    )
    assert mod.parse_recovered(log) == ("6b5c1f6e-a8a1-11ef-8000-0242ac110002", 1234)


def test_parse_recovered_missing_position() -> None:
    # kolla's LP#1821173: the log may not carry the position at all; that must be reported, not guessed.
    assert mod.parse_recovered("2026-11-21 10:00:01 0 [ERROR] Aborting\n") is None


def test_settled_only_when_synced_in_primary() -> None:
    assert mod.settled({"wsrep_cluster_status": "Primary", "wsrep_local_state": "4"})
    assert not mod.settled({"wsrep_cluster_status": "non-Primary", "wsrep_local_state": "4"})
    assert not mod.settled({"wsrep_cluster_status": "Primary", "wsrep_local_state": "1"})  # joining
    assert not mod.settled({})  # not running
