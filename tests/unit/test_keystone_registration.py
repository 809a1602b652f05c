"""The Keystone registration module's endpoint plan (its pure part)."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("keystone_registration", ROOT / "library/keystone_registration.py")
assert _spec is not None and _spec.loader is not None
mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mod)

URL = "http://192.0.2.10:8774/v2.1"
WANTED = {"public": URL, "internal": URL, "admin": URL}


def test_nothing_registered_creates_every_interface() -> None:
    assert mod.endpoint_plan({}, WANTED) == (["public", "internal", "admin"], {})


def test_everything_in_place_changes_nothing() -> None:
    existing = {i: (f"id-{i}", URL) for i in WANTED}
    assert mod.endpoint_plan(existing, WANTED) == ([], {})


def test_moved_url_updates_that_endpoint_only() -> None:
    existing = {i: (f"id-{i}", URL) for i in WANTED}
    existing["public"] = ("id-public", "http://198.51.100.1:8774/v2.1")
    assert mod.endpoint_plan(existing, WANTED) == ([], {"id-public": URL})


def test_missing_interface_is_created_beside_the_others() -> None:
    existing = {"public": ("id-public", URL)}
    assert mod.endpoint_plan(existing, WANTED) == (["internal", "admin"], {})


class _Role:
    def __init__(self, role_id: str) -> None:
        self.id = role_id


def test_missing_roles_none_when_all_assigned() -> None:
    assert mod.missing_roles({"admin": _Role("r1"), "service": _Role("r2")}, {"r1", "r2", "r9"}) == []


def test_missing_roles_lists_unassigned_and_uncreated() -> None:
    roles = {"admin": _Role("r1"), "service": None, "reader": _Role("r3")}
    assert mod.missing_roles(roles, {"r1"}) == ["service", "reader"]


class _Assignment:
    def __init__(self, role_id: str, scope: dict[str, object]) -> None:
        self.role = {"id": role_id}
        self.scope = scope


def test_direct_role_ids_ignores_inherited_assignments() -> None:
    assignments = [
        _Assignment("r1", {"project": {"id": "p"}}),
        _Assignment("r2", {"project": {"id": "p"}, "OS-INHERIT:inherited_to": "projects"}),
    ]
    assert mod.direct_role_ids(assignments) == {"r1"}
