"""`lab down` removes the lab's hosts, network, key and inventory, and nothing else."""

import subprocess
import sys
from pathlib import Path

from stackha.lab import engine, hosts, image
from stackha.lab.spec import make_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = make_spec(name="itdown", controllers=1, computes=0, subnet="10.231.6.0/24")


def stackha(*args: str) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).parent / "stackha")
    return subprocess.run([exe, "lab", *args], capture_output=True, text=True, cwd=ROOT, check=False)


def test_down_removes_only_the_lab() -> None:
    up = stackha("up", "--name", SPEC.name, "--controllers", "1", "--computes", "0", "--subnet", SPEC.subnet)
    assert up.returncode == 0, up.stderr
    cli = engine.client()
    bystander = cli.containers.create(image.image_tag(), name="stackha-bystander", command="true")
    try:
        paths = hosts.Paths(ROOT, SPEC.name)
        assert paths.inventory.exists() and paths.key.exists()
        down = stackha("down", "--name", SPEC.name)
        assert down.returncode == 0, down.stderr
        assert cli.containers.list(all=True, filters={"label": f"{hosts.LABEL_LAB}={SPEC.name}"}) == []
        assert cli.networks.list(names=[SPEC.docker_network]) == []
        assert not paths.inventory_dir.exists() and not paths.state.exists()
        assert cli.containers.get("stackha-bystander").name == "stackha-bystander"
        again = stackha("down", "--name", SPEC.name)
        assert again.returncode == 0 and "removed 0 host" in again.stderr
    finally:
        bystander.remove(force=True)
