"""Which RabbitMQ users a run must touch, from the cluster's exported definitions (pure logic).

One `rabbitmqctl export_definitions` holds every user (with its salted password hash), vhost and
permission; comparing it with rabbitmq_users here leaves the collection module to run only for the
users that differ, instead of five CLI calls per user on every run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

_HASHES = {
    "rabbit_password_hashing_sha256": hashlib.sha256,
    "rabbit_password_hashing_sha512": hashlib.sha512,
    "rabbit_password_hashing_md5": hashlib.md5,
}
_PRIVS = ("configure", "write", "read")


def password_matches(password: str, password_hash: str, algorithm: str | None) -> bool:
    """RabbitMQ's salted hash: base64(salt[4] + H(salt[4] + password))."""
    digest = _HASHES.get(algorithm or "")
    try:
        raw = base64.b64decode(password_hash, validate=True)
    except ValueError:
        return False
    if digest is None or len(raw) <= 4:
        return False
    salt = raw[:4]
    return hmac.compare_digest(raw[4:], digest(salt + password.encode()).digest())


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return sorted(t for t in value.split(",") if t)
    return sorted(str(t) for t in value or [])


def rabbitmq_users_to_update(definitions: dict[str, Any], users: list[dict[str, Any]]) -> list[str]:
    """Names of the users in `users` (rabbitmq_users items) whose definition differs or is missing."""
    have = {u["name"]: u for u in definitions.get("users", [])}
    perms: dict[str, dict[str, dict[str, Any]]] = {}
    for p in definitions.get("permissions", []):
        perms.setdefault(p["user"], {})[p["vhost"]] = p
    topics = {p["user"] for p in definitions.get("topic_permissions", [])}
    out = []
    for want in users:
        name = want["name"]
        cur = have.get(name) or {}
        mine = perms.get(name, {})
        if (
            not cur
            or not password_matches(str(want["password"]), cur.get("password_hash", ""), cur.get("hashing_algorithm"))
            or _tags(cur.get("tags")) != _tags(want.get("tags"))
            or set(mine) != {want["vhost"]}
            or any(mine[want["vhost"]].get(k) != want.get(k, ".*") for k in _PRIVS)
            or name in topics
        ):
            out.append(name)
    return out


def rabbitmq_missing_vhosts(definitions: dict[str, Any], vhosts: list[str]) -> list[str]:
    have = {v["name"] for v in definitions.get("vhosts", [])}
    return [v for v in vhosts if v not in have]


class FilterModule:
    def filters(self) -> dict[str, Any]:
        return {
            "rabbitmq_users_to_update": rabbitmq_users_to_update,
            "rabbitmq_missing_vhosts": rabbitmq_missing_vhosts,
        }
