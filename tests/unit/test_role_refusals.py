"""Roles refuse bad input before touching a host: the roles' own validation tasks, run by Ansible
against an inventory whose hosts are never contacted (every task of validate.yml is an assert that
runs on the controller)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GOOD_COOKIE = "A" * 32
GOOD_PASSWORD = "x" * 16
SHORT_PASSWORD = "x" * 5


def run_validate(tmp_path: Path, role: str, group: str, hostvars: dict[str, dict[str, object]]) -> tuple[int, str]:
    inventory = {group: {"hosts": {h: {"ansible_connection": "local", **v} for h, v in hostvars.items()}}}
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(inventory))
    playbook = [
        {
            "name": "validate",
            "hosts": group,
            "gather_facts": False,
            "tasks": [{"ansible.builtin.include_role": {"name": role, "tasks_from": "validate.yml"}}],
        }
    ]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(playbook))
    exe = shutil.which("ansible-playbook") or str(Path(sys.executable).parent / "ansible-playbook")
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_ROLES_PATH": str(ROOT / "roles")}
    proc = subprocess.run(
        [exe, "-i", str(tmp_path / "hosts.yml"), str(tmp_path / "play.yml")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    # The YAML callback folds long messages: compare with whitespace collapsed.
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split())


def rabbit_hosts(**override: dict[str, object]) -> dict[str, dict[str, object]]:
    base: dict[str, object] = {"rabbitmq_erlang_cookie": GOOD_COOKIE, "rabbitmq_openstack_password": GOOD_PASSWORD}
    return {h: {**base, **override.get(h, {})} for h in ("ctl1", "ctl2", "ctl3")}


def test_rabbitmq_accepts_a_sound_cluster(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "rabbitmq", "rabbitmq", rabbit_hosts())
    assert rc == 0, out


def test_rabbitmq_refuses_a_cookie_that_differs_between_nodes(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "rabbitmq", "rabbitmq", rabbit_hosts(ctl2={"rabbitmq_erlang_cookie": "B" * 32}))
    assert rc != 0
    assert "every node must share it" in out
    assert GOOD_COOKIE not in out and "B" * 32 not in out


def test_rabbitmq_refuses_a_missing_password_without_printing_secrets(tmp_path: Path) -> None:
    hosts = rabbit_hosts()
    for v in hosts.values():
        v["rabbitmq_openstack_password"] = SHORT_PASSWORD
    rc, out = run_validate(tmp_path, "rabbitmq", "rabbitmq", hosts)
    assert rc != 0
    assert "RabbitMQ user(s) openstack need a password" in out
    assert GOOD_COOKIE not in out


def test_rabbitmq_refuses_two_nodes(tmp_path: Path) -> None:
    hosts = rabbit_hosts()
    del hosts["ctl3"]
    rc, out = run_validate(tmp_path, "rabbitmq", "rabbitmq", hosts)
    assert rc != 0
    assert "at least 3 nodes" in out


def test_galera_refuses_an_even_count_without_arbitrator(tmp_path: Path) -> None:
    creds: dict[str, object] = {"galera_sst_password": GOOD_PASSWORD, "galera_admin_password": GOOD_PASSWORD}
    rc, out = run_validate(tmp_path, "galera", "galera", {"ctl1": creds, "ctl2": creds})
    assert rc != 0
    assert "odd number of voters" in out


def test_galera_refuses_missing_credentials(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "galera", "galera", {"ctl1": {}, "ctl2": {}, "ctl3": {}})
    assert rc != 0
    assert "stackha ships no default credentials" in out
