"""The generated inventory, read back by Ansible itself."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from stackha.lab.inventory import render_inventory, render_known_hosts
from stackha.lab.spec import make_spec


def ansible_inventory(path: Path) -> dict[str, object]:
    exe = shutil.which("ansible-inventory") or str(Path(sys.executable).parent / "ansible-inventory")
    out = subprocess.run([exe, "-i", str(path), "--list"], capture_output=True, text=True, check=True)
    data: dict[str, object] = json.loads(out.stdout)
    return data


def hosts_of(data: dict[str, object], group: str) -> set[str]:
    """Every host in a group, through its child groups."""
    entry = data.get(group, {})
    assert isinstance(entry, dict)
    found = set(entry.get("hosts", []))
    for child in entry.get("children", []):
        found |= hosts_of(data, child)
    return found


def test_inventory_groups_and_connection(tmp_path: Path) -> None:
    spec = make_spec(name="inv", controllers=3, computes=2)
    inv = tmp_path / "hosts.yml"
    inv.write_text(render_inventory(spec, Path("/keys/id"), Path("/keys/known_hosts"), Path("/inv/clouds.yaml")))
    data = ansible_inventory(inv)
    controllers = {"ctl1", "ctl2", "ctl3"}
    assert hosts_of(data, "controllers") == controllers
    assert hosts_of(data, "computes") == {"cmp1", "cmp2"}
    for tier in ("galera", "haproxy", "keepalived", "rabbitmq", "pacemaker"):
        assert hosts_of(data, tier) == controllers, tier
    hostvars = data["_meta"]["hostvars"]  # type: ignore[index]
    assert hostvars["ctl2"]["ansible_host"] == "10.231.0.12"
    assert hostvars["cmp1"]["ansible_user"] == "root"
    assert hostvars["cmp1"]["ansible_ssh_private_key_file"] == "/keys/id"
    assert "StrictHostKeyChecking=yes" in hostvars["cmp1"]["ansible_ssh_common_args"]
    assert "UserKnownHostsFile=/keys/known_hosts" in hostvars["cmp1"]["ansible_ssh_common_args"]


def test_arbitrator_joins_galera_only(tmp_path: Path) -> None:
    spec = make_spec(name="inv", controllers=2, computes=1, arbitrator=True)
    inv = tmp_path / "hosts.yml"
    inv.write_text(render_inventory(spec, Path("/k"), Path("/kh"), Path("/c.yaml")))
    data = ansible_inventory(inv)
    assert hosts_of(data, "galera") == {"arb1", "ctl1", "ctl2"}
    assert hosts_of(data, "galera_arbitrator") == {"arb1"}
    assert hosts_of(data, "rabbitmq") == {"ctl1", "ctl2"}


def test_known_hosts_lines() -> None:
    text = render_known_hosts({"10.0.0.12": ("ctl2", "ssh-ed25519 BBB"), "10.0.0.11": ("ctl1", "ssh-ed25519 AAA")})
    assert text == "10.0.0.11,ctl1 ssh-ed25519 AAA\n10.0.0.12,ctl2 ssh-ed25519 BBB\n"
