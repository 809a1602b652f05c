"""The lab as a cluster under test: who holds the VIP, Galera status per node, faults, recovery."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stackha.drill.writer import Endpoint
from stackha.lab import engine, hosts
from stackha.lab.spec import ROLE_CONTROLLER, LabSpec


class DrillError(RuntimeError):
    pass


def wait_for(cond: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `cond` until it holds; DrillError after `timeout` seconds (every drill wait is bounded)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise DrillError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class LabCluster:
    spec: LabSpec
    root: Path

    @classmethod
    def open(cls, name: str) -> LabCluster:
        spec = hosts.find_spec(name)
        if spec is None:
            raise DrillError(f"lab {name!r} is not running")
        return cls(spec, hosts.project_root())

    @property
    def paths(self) -> hosts.Paths:
        return hosts.Paths(self.root, self.spec.name)

    @property
    def controllers(self) -> list[str]:
        return [h.name for h in self.spec.hosts if h.role == ROLE_CONTROLLER]

    @property
    def cluster_size(self) -> int:
        """Galera members when healthy: every controller, plus garbd when the lab has an arbitrator."""
        return len(self.controllers) + (1 if self.spec.arbitrator else 0)

    @property
    def vip(self) -> str:
        return self.spec.vip(0)

    def secrets(self) -> dict[str, str]:
        data: dict[str, Any] = yaml.safe_load(self.paths.secrets.read_text()) or {}
        return {str(k): str(v) for k, v in data.items()}

    def endpoint(self, port: int = 3306, host: str | None = None) -> Endpoint:
        return Endpoint(host or self.vip, port, "stackha_admin", self.secrets()["galera_admin_password"])

    def address(self, host: str) -> str:
        return next(h.address for h in self.spec.hosts if h.name == host)

    def exec(self, host: str, cmd: list[str], timeout: float = 30) -> tuple[int, str]:
        container = self.spec.container(host)
        proc = subprocess.run(
            ["docker", "exec", container, *cmd], capture_output=True, text=True, timeout=timeout, check=False
        )
        return proc.returncode, proc.stdout + proc.stderr

    def running(self, host: str) -> bool:
        return bool(engine.client().containers.get(self.spec.container(host)).status == "running")

    def vip_holders(self) -> list[str]:
        holders = []
        for host in self.controllers:
            if not self.running(host):
                continue
            rc, out = self.exec(host, ["ip", "-4", "-o", "addr", "show"])
            if rc == 0 and f" {self.vip}/" in out:
                holders.append(host)
        return holders

    def wsrep(self, host: str) -> dict[str, str]:
        if not self.running(host):
            return {}
        rc, out = self.exec(host, ["mysql", "-N", "-B", "-e", "SHOW GLOBAL STATUS LIKE 'wsrep_%'"], timeout=10)
        if rc != 0:
            return {}
        return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)

    def synced(self, expected_size: int) -> bool:
        for host in self.controllers:
            st = self.wsrep(host)
            if (st.get("wsrep_local_state"), st.get("wsrep_cluster_status"), st.get("wsrep_cluster_size")) != (
                "4",
                "Primary",
                str(expected_size),
            ):
                return False
        return True

    def wait_synced(self, expected_size: int, timeout: float = 180) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.synced(expected_size):
                return time.monotonic() - started
            time.sleep(0.5)
        raise DrillError(f"Galera not back to {expected_size} Synced nodes within {timeout:.0f} s")

    def kill(self, names: list[str]) -> None:
        hosts.kill(self.spec.name, names)

    def start(self, names: list[str], until: str = "booted") -> None:
        hosts.start(self.spec.name, names, until=until)

    def move_vip_away(self, host: str, timeout: float = 30) -> None:
        """Gracefully move the VIP off `host` (restart its keepalived) and wait until another holds it."""
        self.exec(host, ["systemctl", "restart", "keepalived"])
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            holders = self.vip_holders()
            if len(holders) == 1 and holders[0] != host:
                return
            time.sleep(0.1)
        raise DrillError(f"the VIP did not leave {host} within {timeout:.0f} s")

    def playbook(self, name: str, extra: list[str] | None = None) -> subprocess.CompletedProcess[str]:
        exe = str(Path(sys.executable).parent / "ansible-playbook")
        env = {**os.environ, "ANSIBLE_CONFIG": str(self.root / "ansible.cfg")}
        return subprocess.run(
            [exe, "-i", str(self.paths.inventory_dir), str(self.root / "playbooks" / name), *(extra or [])],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=900,
            check=False,
        )
