"""Which RabbitMQ users and vhosts a run must touch, read from exported definitions."""

import base64
import hashlib
import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "rabbitmq_accounts", ROOT / "roles/rabbitmq/filter_plugins/rabbitmq_accounts.py"
)
assert _spec is not None and _spec.loader is not None
mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mod)
SHA256 = "rabbit_password_hashing_sha256"
SECRET = "s3cret"  # noqa: S105 -- test data


def rabbit_hash(password: str, salt: bytes = b"\x01\x02\x03\x04") -> str:
    """As rabbit_password:hash/2 computes it."""
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(
    secret: str = SECRET, tags: Any = (), perms: tuple[str, str, str] = (".*", ".*", ".*")
) -> dict[str, Any]:
    user = {"name": "nova", "password_hash": rabbit_hash(secret), "hashing_algorithm": SHA256, "tags": list(tags)}
    return {
        "users": [user],
        "vhosts": [{"name": "/openstack"}],
        "permissions": [
            {"user": "nova", "vhost": "/openstack", "configure": perms[0], "write": perms[1], "read": perms[2]}
        ],
        "topic_permissions": [],
    }


WANT = [{"name": "nova", "password": SECRET, "vhost": "/openstack"}]


def test_password_hash_checked_the_way_rabbitmq_salts_it() -> None:
    assert mod.password_matches(SECRET, rabbit_hash(SECRET), SHA256)
    assert not mod.password_matches("other", rabbit_hash(SECRET), SHA256)
    assert not mod.password_matches(SECRET, "not base64!", SHA256)
    assert not mod.password_matches(SECRET, rabbit_hash(SECRET), "unknown_algorithm")


def test_matching_user_left_alone() -> None:
    assert mod.rabbitmq_users_to_update(definitions(), WANT) == []


def test_missing_user_or_changed_password_updated() -> None:
    assert mod.rabbitmq_users_to_update({"users": []}, WANT) == ["nova"]
    assert mod.rabbitmq_users_to_update(definitions(SECRET + "-old"), WANT) == ["nova"]


def test_tags_and_permissions_compared() -> None:
    assert mod.rabbitmq_users_to_update(definitions(tags=["monitoring"]), WANT) == ["nova"]
    assert mod.rabbitmq_users_to_update(definitions(perms=("", ".*", ".*")), WANT) == ["nova"]
    assert mod.rabbitmq_users_to_update(definitions(), [{**WANT[0], "configure": ""}]) == ["nova"]
    extra = definitions()
    extra["permissions"].append({"user": "nova", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"})
    assert mod.rabbitmq_users_to_update(extra, WANT) == ["nova"]  # rights on another vhost get removed


def test_tags_as_comma_string_and_missing_vhosts() -> None:
    d = definitions()
    d["users"][0]["tags"] = "administrator"
    assert mod.rabbitmq_users_to_update(d, [{**WANT[0], "tags": ["administrator"]}]) == []
    assert mod.rabbitmq_missing_vhosts(d, ["/openstack", "/drill"]) == ["/drill"]
