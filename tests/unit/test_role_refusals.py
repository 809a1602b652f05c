"""Bad input is refused before any host is touched: playbooks/validate.yml (the first play of
site.yml) run by Ansible against an inventory whose hosts cannot be reached (SSH to a closed port
on loopback), so any attempt to contact one would show as unreachable."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GOOD_COOKIE = "A" * 32
GOOD_PASSWORD = "x" * 16
SHORT_PASSWORD = "x" * 5
AFTER_VALIDATION = "the run went on after validation"


def run_validate(
    tmp_path: Path, group: str, hostvars: dict[str, dict[str, object]], also_in: tuple[str, ...] = ()
) -> tuple[int, str]:
    """Run validate.yml, then one more play, with these hosts in `group` (and in each of `also_in`)."""
    unreachable = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 9}
    groups: dict[str, object] = {group: {"hosts": {h: {**unreachable, **v} for h, v in hostvars.items()}}}
    groups.update({g: {"hosts": dict.fromkeys(hostvars)} for g in also_in})
    (tmp_path / "hosts.yml").write_text(yaml.safe_dump(groups))
    # validate.yml, then a play that must not run when validation failed anywhere (as site.yml's
    # tier plays follow it).
    playbook = tmp_path / "site.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {"ansible.builtin.import_playbook": str(ROOT / "playbooks" / "validate.yml")},
                {
                    "name": "After validation",
                    "hosts": "all",
                    "gather_facts": False,
                    "tasks": [{"ansible.builtin.debug": {"msg": AFTER_VALIDATION}}],
                },
            ]
        )
    )
    exe = shutil.which("ansible-playbook") or str(Path(sys.executable).parent / "ansible-playbook")
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    proc = subprocess.run(
        [exe, "-i", str(tmp_path / "hosts.yml"), str(playbook)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    out = " ".join((proc.stdout + proc.stderr).split())  # the YAML callback folds long messages
    assert "unreachable=1" not in out, "validation must not contact a host"
    if proc.returncode != 0:
        assert AFTER_VALIDATION not in out, "a failed validation must stop the run for every host"
    return proc.returncode, out


def rabbit_hosts(**override: dict[str, object]) -> dict[str, dict[str, object]]:
    base: dict[str, object] = {"rabbitmq_erlang_cookie": GOOD_COOKIE, "rabbitmq_openstack_password": GOOD_PASSWORD}
    return {h: {**base, **override.get(h, {})} for h in ("ctl1", "ctl2", "ctl3")}


def test_rabbitmq_accepts_a_sound_cluster(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "rabbitmq", rabbit_hosts())
    assert rc == 0, out


def test_rabbitmq_refuses_a_cookie_that_differs_between_nodes(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "rabbitmq", rabbit_hosts(ctl2={"rabbitmq_erlang_cookie": "B" * 32}))
    assert rc != 0
    assert "every node must share it" in out
    assert GOOD_COOKIE not in out and "B" * 32 not in out


def test_rabbitmq_refuses_a_missing_password_without_printing_secrets(tmp_path: Path) -> None:
    hosts = rabbit_hosts()
    for v in hosts.values():
        v["rabbitmq_openstack_password"] = SHORT_PASSWORD
    rc, out = run_validate(tmp_path, "rabbitmq", hosts)
    assert rc != 0
    assert "RabbitMQ user(s) openstack need a password" in out
    assert GOOD_COOKIE not in out


def test_rabbitmq_refuses_two_nodes(tmp_path: Path) -> None:
    hosts = rabbit_hosts()
    del hosts["ctl3"]
    rc, out = run_validate(tmp_path, "rabbitmq", hosts)
    assert rc != 0
    assert "at least 3 nodes" in out


def test_galera_refuses_an_even_count_without_arbitrator(tmp_path: Path) -> None:
    creds: dict[str, object] = {"galera_sst_password": GOOD_PASSWORD, "galera_admin_password": GOOD_PASSWORD}
    rc, out = run_validate(tmp_path, "galera", {"ctl1": creds, "ctl2": creds})
    assert rc != 0
    assert "odd number of voters" in out


def test_galera_refuses_missing_credentials(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "galera", {"ctl1": {}, "ctl2": {}, "ctl3": {}})
    assert rc != 0
    assert "stackha ships no default credentials" in out


# The credentials the OpenStack roles require, as the role itself lists them for its check.
OPENSTACK_SECRETS: list[str] = yaml.safe_load((ROOT / "roles" / "openstack" / "vars" / "main.yml").read_text())[
    "openstack__secret_names"
]


def test_openstack_refuses_missing_or_short_credentials_naming_only_the_variables(tmp_path: Path) -> None:
    creds: dict[str, object] = {name: f"{name}-{GOOD_PASSWORD}" for name in OPENSTACK_SECRETS}
    creds["nova_service_password"] = SHORT_PASSWORD
    del creds["glance_db_password"]
    rc, out = run_validate(tmp_path, "controllers", {"ctl1": creds})
    assert rc != 0
    assert "Set glance_db_password, nova_service_password (12+ characters each)" in out
    assert not [v for v in creds.values() if str(v) in out]


def whole_site(**override: dict[str, object]) -> dict[str, dict[str, object]]:
    """Three controllers that are also the Galera and RabbitMQ nodes, every credential set."""
    creds: dict[str, object] = {name: f"{name}-{GOOD_PASSWORD}" for name in OPENSTACK_SECRETS}
    creds.update(galera_sst_password=GOOD_PASSWORD, galera_admin_password=GOOD_PASSWORD)
    hosts = rabbit_hosts(**override)
    return {h: {"stackha_internal_address": f"10.0.0.1{i}", **creds, **v} for i, (h, v) in enumerate(hosts.items())}


def test_the_whole_site_is_accepted(tmp_path: Path) -> None:
    rc, out = run_validate(tmp_path, "controllers", whole_site(), also_in=("galera", "rabbitmq"))
    assert rc == 0, out


@pytest.mark.parametrize("address", ["0.0.0.0", "[::]", "127.0.0.1", "10.0.0.1,0.0.0.0", "*"])  # noqa: S104
def test_memcached_refuses_an_address_every_host_or_no_other_host_reaches(tmp_path: Path, address: str) -> None:
    hosts = whole_site(ctl2={"memcached_listen_address": address})
    rc, out = run_validate(tmp_path, "controllers", hosts, also_in=("galera", "rabbitmq"))
    assert rc != 0
    assert "keep it on the internal network" in out
    assert not [v for v in hosts["ctl1"].values() if len(str(v)) >= 12 and str(v) in out]
