"""Lab lifecycle: a network with a fixed subnet and systemd hosts on fixed addresses, reached over SSH."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors

from stackha import ssh
from stackha.lab import engine, image
from stackha.lab.engine import Say
from stackha.lab.inventory import SHARED_MOUNT, render_inventory, render_known_hosts
from stackha.lab.secrets import ensure_secrets
from stackha.lab.spec import ROLE_CONTROLLER, Host, LabSpec, overlapping, spec_from_dict

LABEL_LAB = "io.stackha.lab"
LABEL_SPEC = "io.stackha.spec"
LABEL_ROLE = "io.stackha.role"
BOOT_TIMEOUT = 120.0
TMPFS = {
    "/run": "rw,nosuid,nodev,mode=755",
    "/run/lock": "rw,nosuid,nodev,noexec",
    "/tmp": "rw,nosuid,nodev",
}


class LabError(RuntimeError):
    pass


@dataclass(frozen=True)
class Paths:
    root: Path
    name: str

    @property
    def state(self) -> Path:
        return self.root / ".stackha" / "labs" / self.name

    @property
    def key(self) -> Path:
        return self.state / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.state / "known_hosts"

    @property
    def inventory_dir(self) -> Path:
        return self.root / "inventory" / self.name

    @property
    def inventory(self) -> Path:
        return self.inventory_dir / "hosts.yml"

    @property
    def clouds_yaml(self) -> Path:
        # Not in the inventory folder: Ansible would read it as an inventory source.
        return self.state / "clouds.yaml"

    @property
    def secrets(self) -> Path:
        return self.inventory_dir / "group_vars" / "all" / "secrets.yml"


@dataclass(frozen=True)
class HostStatus:
    name: str
    role: str
    address: str
    container: str
    state: str
    systemd: str


def project_root() -> Path:
    """STACKHA_ROOT, or the nearest folder upward holding ansible.cfg and playbooks/."""
    env = os.environ.get("STACKHA_ROOT")
    if env:
        return Path(env).resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "ansible.cfg").is_file() and (folder / "playbooks").is_dir():
            return folder
    raise LabError("not inside a stackha checkout (no ansible.cfg + playbooks/ upward): cd there or set STACKHA_ROOT")


def spec_label(spec: LabSpec) -> str:
    return json.dumps(spec.to_dict(), sort_keys=True)


def _lab_containers(cli: docker.DockerClient, name: str) -> list[Any]:
    return list(cli.containers.list(all=True, filters={"label": f"{LABEL_LAB}={name}"}))


def _lab_networks(cli: docker.DockerClient, name: str) -> list[Any]:
    return list(cli.networks.list(filters={"label": f"{LABEL_LAB}={name}"}))


def _host_routes(exclude_dev: str) -> dict[str, str]:
    proc = subprocess.run(["ip", "-j", "-4", "route", "show"], capture_output=True, text=True, check=False)
    routes: dict[str, str] = {}
    for route in json.loads(proc.stdout or "[]"):
        dst, dev = route.get("dst", ""), route.get("dev", "")
        if dst and dst != "default" and dev != exclude_dev:
            routes[f"host route via {dev}"] = dst if "/" in dst else f"{dst}/32"
    return routes


def _docker_subnets(cli: docker.DockerClient, exclude: str) -> dict[str, str]:
    subnets: dict[str, str] = {}
    for net in cli.networks.list():
        if net.name == exclude:
            continue
        for cfg in (net.attrs.get("IPAM") or {}).get("Config") or []:
            if cfg.get("Subnet"):
                subnets[f"docker network {net.name}"] = cfg["Subnet"]
    return subnets


def preflight(cli: docker.DockerClient, spec: LabSpec) -> None:
    """Refuse, before anything is created, what would collide with something that exists."""
    mine = _lab_containers(cli, spec.name)
    for c in mine:
        if c.labels.get(LABEL_SPEC) != spec_label(spec):
            old = spec_from_dict(json.loads(c.labels.get(LABEL_SPEC, "{}")))
            raise LabError(
                f"lab {spec.name!r} already exists as {old.controllers} controllers + {old.computes} computes "
                f"on {old.subnet} (arbitrator: {old.arbitrator}); "
                f"take it down first: stackha lab down --name {spec.name}"
            )
    wanted = {spec.container(h.name) for h in spec.hosts}
    for c in cli.containers.list(all=True):
        if c.name in wanted and c.labels.get(LABEL_LAB) != spec.name:
            raise LabError(
                f"a container named {c.name} exists and is not part of lab {spec.name!r}: rename or remove it"
            )
    for net in cli.networks.list(names=[spec.docker_network]):
        if net.name == spec.docker_network and (net.attrs.get("Labels") or {}).get(LABEL_LAB) != spec.name:
            raise LabError(f"a network named {net.name} exists and is not lab {spec.name!r}'s: choose another --name")
    others = {**_docker_subnets(cli, spec.docker_network), **_host_routes(spec.bridge)}
    hits = overlapping(spec.subnet, others)
    if hits:
        raise LabError(f"subnet {spec.subnet} overlaps {', '.join(hits)}: pass another --subnet")


def _ensure_network(cli: docker.DockerClient, spec: LabSpec) -> Any:
    for net in _lab_networks(cli, spec.name):
        subnets = [c.get("Subnet") for c in (net.attrs.get("IPAM") or {}).get("Config") or []]
        if subnets == [spec.subnet]:
            return net
        net.remove()  # a leftover of a crashed run with another plan; its containers were checked
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=spec.subnet, gateway=spec.gateway)])
    return cli.networks.create(
        spec.docker_network,
        driver="bridge",
        ipam=ipam,
        labels={LABEL_LAB: spec.name},
        options={"com.docker.network.bridge.name": spec.bridge},
    )


def _etc_hosts(paths: Paths, host: Host) -> Path:
    """A host's own /etc/hosts, kept across power cycles (the engine rewrites its own at each start)."""
    path = paths.state / "etc-hosts" / host.name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            f"ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n{host.address}\t{host.name}\n"
        )
    return path


def _shared_dir(paths: Paths) -> Path:
    """The lab's shared storage (Glance's image store): one folder bind-mounted into every controller,
    as NFS would be on real servers."""
    path = paths.state / "shared"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _binds(paths: Paths, host: Host) -> dict[str, str]:
    """Container path -> host path of every bind mount a lab host gets."""
    binds = {"/etc/hosts": str(_etc_hosts(paths, host))}
    if host.role == ROLE_CONTROLLER:
        binds[SHARED_MOUNT] = str(_shared_dir(paths))
    return binds


def _mounts_ok(container: Any, binds: dict[str, str]) -> bool:
    sources = {m.get("Destination"): m.get("Source") for m in container.attrs.get("Mounts") or []}
    return all(sources.get(dest) == src for dest, src in binds.items())


def _host_config(cli: docker.DockerClient, mounts: dict[str, str]) -> Any:
    binds = {src: {"bind": dest, "mode": "rw"} for dest, src in mounts.items()}
    if engine.privileged_supported(cli):
        return cli.api.create_host_config(privileged=True, cgroupns="host", tmpfs=TMPFS, binds=binds)
    # An engine we did not start, on a machine with a reduced capability set: the equivalent of
    # --privileged minus the capabilities this machine cannot grant.
    return cli.api.create_host_config(
        cap_add=["ALL"],
        cap_drop=sorted(c.removeprefix("CAP_") for c in engine.caps_missing()),
        security_opt=["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"],
        binds={**binds, "/sys/fs/cgroup": {"bind": "/sys/fs/cgroup", "mode": "rw"}},
        cgroupns="host",
        tmpfs=TMPFS,
    )


def _create_host(cli: docker.DockerClient, spec: LabSpec, paths: Paths, host: Host, tag: str) -> Any:
    networking = cli.api.create_networking_config(
        {spec.docker_network: cli.api.create_endpoint_config(ipv4_address=host.address, aliases=[host.name])}
    )
    created = cli.api.create_container(
        tag,
        name=spec.container(host.name),
        hostname=host.name,
        labels={LABEL_LAB: spec.name, LABEL_SPEC: spec_label(spec), LABEL_ROLE: host.role},
        host_config=_host_config(cli, _binds(paths, host)),
        networking_config=networking,
        stop_signal="SIGRTMIN+3",
        detach=True,
    )
    return cli.containers.get(created["Id"])


def _systemd_state(container: Any) -> str:
    rc, out = container.exec_run(["systemctl", "is-system-running"])
    return str(out.decode(errors="replace").strip() or f"rc={rc}")


def _wait_booted(container: Any, deadline: float) -> None:
    state = "unknown"
    while time.monotonic() < deadline:
        container.reload()
        if container.status != "running":
            raise LabError(
                f"{container.name} stopped while booting: {container.logs(tail=20).decode(errors='replace')}"
            )
        state = _systemd_state(container)
        if state == "running":
            return
        if state == "degraded":  # booted; a unit failed (a service of the play, say): not the lab's business
            return
        time.sleep(0.2)
    raise LabError(f"{container.name}: systemd not running after {BOOT_TIMEOUT:.0f} s (state: {state})")


def _put_file(container: Any, path: str, data: bytes, mode: int) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(os.path.basename(path))
        info.size, info.mode, info.mtime = len(data), mode, int(time.time())
        tar.addfile(info, io.BytesIO(data))
    if not container.put_archive(os.path.dirname(path), buf.getvalue()):
        raise LabError(f"could not write {path} on {container.name}")


def _host_key(container: Any) -> str:
    rc, out = container.exec_run(["cat", "/etc/ssh/ssh_host_ed25519_key.pub"])
    if rc != 0:
        raise LabError(f"{container.name}: no SSH host key: {out.decode(errors='replace')}")
    keytype, key = out.decode().split()[:2]
    return f"{keytype} {key}"


def targets(spec: LabSpec, paths: Paths) -> list[ssh.Target]:
    return [ssh.Target(h.name, h.address, paths.key, paths.known_hosts) for h in spec.hosts]


def _boot(container: Any, deadline: float) -> None:
    if container.status != "running":
        container.start()
    _wait_booted(container, deadline)


def _ready(host: Host, container: Any, pubkey: bytes, deadline: float) -> tuple[str, str]:
    _boot(container, deadline)
    _put_file(container, "/root/.ssh/authorized_keys", pubkey, 0o600)
    return host.address, _host_key(container)


def up(spec: LabSpec, root: Path, say: Say) -> Paths:
    """Create (or resume) the lab; return where its key, known_hosts and inventory are."""
    engine.ensure_engine(say)
    cli = engine.client()
    preflight(cli, spec)
    tag = image.ensure_image(cli, say)
    paths = Paths(root, spec.name)
    if not paths.key.exists():
        ssh.new_keypair(paths.key, f"stackha-lab-{spec.name}")
    pubkey = paths.key.with_suffix(".pub").read_bytes()

    _ensure_network(cli, spec)
    existing = {c.name: c for c in _lab_containers(cli, spec.name)}
    todo: list[tuple[Host, Any]] = []
    for host in spec.hosts:
        container = existing.get(spec.container(host.name))
        if container is not None and not _mounts_ok(container, _binds(paths, host)):
            say(f"{container.name} is a leftover of another checkout or a crashed run: recreating it")
            container.remove(force=True, v=True)
            container = None
        if container is None:
            container = _create_host(cli, spec, paths, host, tag)
        todo.append((host, container))
    starting = [h.name for h, c in todo if c.status != "running"]
    if starting:
        say(f"starting {len(starting)} host(s): {' '.join(starting)}")
    deadline = time.monotonic() + BOOT_TIMEOUT
    with ThreadPoolExecutor(max_workers=len(todo)) as pool:
        keys = dict(pool.map(lambda hc: _ready(hc[0], hc[1], pubkey, deadline), todo))

    names = {h.address: h.name for h in spec.hosts}
    paths.known_hosts.write_text(render_known_hosts({a: (names[a], k) for a, k in keys.items()}))
    paths.inventory_dir.mkdir(parents=True, exist_ok=True)
    text = render_inventory(spec, paths.key, paths.known_hosts, paths.clouds_yaml)
    if not paths.inventory.exists() or paths.inventory.read_text() != text:
        paths.inventory.write_text(text)
    ensure_secrets(paths.secrets)
    with ThreadPoolExecutor(max_workers=len(todo)) as pool:
        results = list(pool.map(lambda t: ssh.run(t, "true", timeout=20), targets(spec, paths)))
    if not all(r.ok for r in results):
        raise LabError("hosts booted but SSH commands failed: " + "; ".join(r.stderr for r in results if not r.ok))
    return paths


def find_spec(name: str) -> LabSpec | None:
    if not engine.engine_running():
        return None
    for c in _lab_containers(engine.client(), name):
        return spec_from_dict(json.loads(c.labels[LABEL_SPEC]))
    return None


def status(name: str) -> list[HostStatus]:
    spec = find_spec(name)
    if spec is None:
        return []
    cli = engine.client()
    containers = {c.name: c for c in _lab_containers(cli, name)}
    rows = []
    for h in spec.hosts:
        c = containers.get(spec.container(h.name))
        state = c.status if c is not None else "missing"
        systemd = _systemd_state(c) if c is not None and state == "running" else "-"
        rows.append(HostStatus(h.name, h.role, h.address, spec.container(h.name), state, systemd))
    return rows


def _remove_container(container_name: str) -> int:
    """Kill and remove one container (own engine client: one per thread). Returns 1 when removed."""
    try:
        engine.client().containers.get(container_name).remove(force=True, v=True)
    except docker.errors.NotFound:
        return 0
    return 1


def down(name: str, root: Path, say: Say) -> int:
    """Remove the lab's hosts, network, key and inventory; nothing else. Returns hosts removed."""
    removed = 0
    if engine.start_if_installed(say):  # leftovers of a crashed run live in the engine's state
        cli = engine.client()
        names = [c.name for c in _lab_containers(cli, name)]
        if names:
            say(f"removing {len(names)} host(s): {' '.join(sorted(names))}")
        # Side by side: most of the time is the engine deleting each host's files.
        with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
            removed = sum(pool.map(_remove_container, names))
        for net in _lab_networks(cli, name):
            net.remove()
    paths = Paths(root, name)
    shutil.rmtree(paths.state, ignore_errors=True)
    shutil.rmtree(paths.inventory_dir, ignore_errors=True)
    return removed


def _running_spec(name: str) -> LabSpec:
    spec = find_spec(name)
    if spec is None:
        raise LabError(f"lab {name!r} is not running: stackha lab up --name {name}")
    return spec


def _pick(spec: LabSpec, names: list[str]) -> list[Host]:
    known = {h.name: h for h in spec.hosts}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise LabError(f"lab {spec.name!r} has no host {', '.join(unknown)} (hosts: {', '.join(known)})")
    return [known[n] for n in names] if names else list(spec.hosts)


def kill(name: str, names: list[str]) -> list[str]:
    """Hard power loss of the hosts, all at the same moment.

    First every victim's network link goes down (from the host, in the victim's network namespace),
    so the kernel cannot tell peers anything when the processes die: no FIN, no RST, exactly as
    when a server loses power. Then SIGKILL to each host's init: every process dies at once,
    nothing is flushed."""
    spec = _running_spec(name)
    cli = engine.client()
    victims = []
    for host in _pick(spec, names):
        container = cli.containers.get(spec.container(host.name))
        if container.status == "running":
            victims.append((host.name, container))
    for _, container in victims:
        pid = str(container.attrs["State"]["Pid"])
        subprocess.run(
            ["nsenter", "--target", pid, "--net", "ip", "link", "set", "eth0", "down"],
            capture_output=True,
            check=False,
            timeout=10,
        )
    for _, container in victims:
        container.kill(signal="SIGKILL")
    return [n for n, _ in victims]


def _wait_ssh(target: ssh.Target, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if ssh.run(target, "true", timeout=5).ok:
                return
        except ssh.SshError:
            pass
        time.sleep(0.2)
    raise LabError(f"{target.name}: SSH not answering after {BOOT_TIMEOUT:.0f} s")


def start(name: str, names: list[str], until: str = "booted") -> list[str]:
    """Power hosts back on; wait until systemd finished booting (until="booted") or only until SSH
    answers (until="ssh", what an operator's automation waits for before acting)."""
    spec = _running_spec(name)
    cli = engine.client()
    picked = _pick(spec, names)
    containers = [cli.containers.get(spec.container(h.name)) for h in picked]
    stopped = [h.name for h, c in zip(picked, containers, strict=True) if c.status != "running"]
    deadline = time.monotonic() + BOOT_TIMEOUT
    if until == "ssh":
        for c in containers:
            if c.status != "running":
                c.start()
        paths = Paths(project_root(), spec.name)
        with ThreadPoolExecutor(max_workers=len(picked)) as pool:
            list(pool.map(lambda t: _wait_ssh(t, deadline), [t for t in targets(spec, paths) if t.name in stopped]))
        return stopped
    with ThreadPoolExecutor(max_workers=len(picked)) as pool:
        list(pool.map(lambda c: _boot(c, deadline), containers))
    return stopped
