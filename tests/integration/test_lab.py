"""A real 2-host lab: up, SSH into each host, no-op re-run, refusals, down.

Needs root and a container engine (the lab installs and starts Docker when missing)."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from stackha import ssh
from stackha.lab import engine, hosts, image
from stackha.lab.spec import LabSpec, make_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = make_spec(name="itest", controllers=1, computes=1, subnet="10.231.3.0/24")


def stackha(*args: str) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).parent / "stackha")
    return subprocess.run([exe, "lab", *args], capture_output=True, text=True, cwd=ROOT, check=False)


def lab_ids(cli: docker.DockerClient, spec: LabSpec) -> dict[str, str]:
    found = cli.containers.list(all=True, filters={"label": f"{hosts.LABEL_LAB}={spec.name}"})
    return {c.name: c.id for c in found}


@pytest.fixture(scope="module")
def lab() -> Iterator[hosts.Paths]:
    stackha("down", "--name", SPEC.name)  # leftovers of a crashed run
    up = stackha("up", "--name", SPEC.name, "--controllers", "1", "--computes", "1", "--subnet", SPEC.subnet)
    assert up.returncode == 0, up.stderr
    yield hosts.Paths(ROOT, SPEC.name)
    down = stackha("down", "--name", SPEC.name)
    assert down.returncode == 0, down.stderr


def test_ssh_into_every_host(lab: hosts.Paths) -> None:
    for host in SPEC.hosts:
        target = ssh.Target(host.name, host.address, lab.key, lab.known_hosts)
        result = ssh.run(target, "hostname && systemctl is-system-running && id -u")
        assert result.ok, result.stderr
        assert result.stdout.split() == [host.name, "running", "0"]


def test_ansible_reaches_every_host_through_the_inventory(lab: hosts.Paths) -> None:
    exe = str(Path(sys.executable).parent / "ansible")
    out = subprocess.run(
        [exe, "-i", str(lab.inventory_dir), "all", "-m", "ansible.builtin.ping", "-o"],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert sorted(line.split()[0] for line in out.stdout.splitlines()) == ["cmp1", "ctl1"]


def test_keys_are_private(lab: hosts.Paths) -> None:
    assert lab.key.stat().st_mode & 0o077 == 0


def test_up_again_is_a_no_op(lab: hosts.Paths) -> None:
    cli = engine.client()
    before = lab_ids(cli, SPEC)
    again = stackha("up", "--name", SPEC.name, "--controllers", "1", "--computes", "1", "--subnet", SPEC.subnet)
    assert again.returncode == 0, again.stderr
    assert "starting" not in again.stderr
    assert lab_ids(cli, SPEC) == before


def test_status_lists_each_host(lab: hosts.Paths) -> None:
    rows = {r.name: r for r in hosts.status(SPEC.name)}
    assert set(rows) == {"ctl1", "cmp1"}
    assert {(r.address, r.state, r.systemd) for r in rows.values()} == {
        ("10.231.3.11", "running", "running"),
        ("10.231.3.21", "running", "running"),
    }


def test_refusals_create_nothing(lab: hosts.Paths) -> None:
    cli = engine.client()
    networks_before = {n.name for n in cli.networks.list()}
    overlap = stackha("up", "--name", "itest2", "--controllers", "1", "--computes", "0", "--subnet", SPEC.subnet)
    assert overlap.returncode == 2
    assert "overlaps docker network stackha-itest" in " ".join(overlap.stderr.split())
    resize = stackha("up", "--name", SPEC.name, "--controllers", "3", "--subnet", SPEC.subnet)
    assert resize.returncode == 2
    assert "already exists" in resize.stderr
    foreign = cli.containers.create(image.image_tag(), name="stackha-itest3-ctl1", command="true")
    try:
        taken = stackha(
            "up",
            "--name",
            "itest3",
            "--controllers",
            "1",
            "--computes",
            "0",
            "--subnet",
            "10.231.4.0/24",
        )
        assert taken.returncode == 2
        assert "is not part of lab 'itest3'" in " ".join(taken.stderr.split())
    finally:
        foreign.remove(force=True)
    assert {n.name for n in cli.networks.list()} == networks_before
    assert lab_ids(cli, make_spec(name="itest2", controllers=1, computes=0, subnet="10.231.5.0/24")) == {}


def test_power_loss_and_start(lab: hosts.Paths) -> None:
    assert stackha("kill", "--name", SPEC.name, "cmp1").returncode == 0
    states = {r.name: r.state for r in hosts.status(SPEC.name)}
    assert states == {"ctl1": "running", "cmp1": "exited"}
    started = stackha("start", "--name", SPEC.name)
    assert started.returncode == 0, started.stderr
    cmp1 = next(h for h in SPEC.hosts if h.name == "cmp1")
    result = ssh.run(ssh.Target("cmp1", cmp1.address, lab.key, lab.known_hosts), "systemctl is-system-running")
    assert result.stdout.strip() == "running"
