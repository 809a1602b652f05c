"""Make sure a container engine runs: install Debian's docker.io, start dockerd, cope with reduced caps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

from stackha.lab import capfilter

STATE_DIR = Path("/var/lib/stackha")
LOG_FILE = Path("/var/log/stackha-dockerd.log")
PID_FILE = Path("/run/stackha-dockerd.pid")
WRAPPER = STATE_DIR / "runc-capfilter"
RUNTIME_NAME = "stackha-runc"
APT_PACKAGES = ("docker.io", "debootstrap")
START_TIMEOUT = 60.0

Say = Callable[[str], None]


class EngineError(RuntimeError):
    pass


def client() -> docker.DockerClient:
    return docker.from_env(timeout=300)


def engine_running() -> bool:
    try:
        client().ping()
    except (docker.errors.DockerException, OSError):
        return False
    return True


def caps_missing() -> set[str]:
    return capfilter.missing_caps(capfilter.bounding_set(Path("/proc/self/status").read_text()))


def _install_packages(say: Say) -> None:
    missing = [
        p for p, binary in zip(APT_PACKAGES, ("dockerd", "debootstrap"), strict=True) if not shutil.which(binary)
    ]
    if not missing:
        return
    if os.geteuid() != 0:
        raise EngineError(f"{', '.join(missing)} missing and not root: install them or run as root")
    say(f"installing {' '.join(missing)} from Debian (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
    ):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise EngineError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def _install_wrapper() -> None:
    """Copy the capability filter next to the engine state, run by the system Python."""
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else os.path.realpath(sys.executable)
    body = Path(capfilter.__file__).read_text(encoding="utf-8")
    text = f"#!{python} -I\n{body}"
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    if not WRAPPER.exists() or WRAPPER.read_text(encoding="utf-8") != text:
        tmp = WRAPPER.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        tmp.replace(WRAPPER)


def dockerd_command(missing_caps: set[str]) -> list[str]:
    cmd = [
        "dockerd",
        "--exec-opt", "native.cgroupdriver=cgroupfs",
        "--storage-driver", "overlay2",
        "--pidfile", str(PID_FILE),
    ]  # fmt: skip
    if missing_caps:
        cmd += ["--add-runtime", f"{RUNTIME_NAME}={WRAPPER}", "--default-runtime", RUNTIME_NAME]
    return cmd


def _start_dockerd(say: Say) -> None:
    missing = caps_missing()
    if missing:
        _install_wrapper()
        say(f"this machine lacks {', '.join(sorted(missing))}: privileged hosts run through {WRAPPER}")
    cmd = dockerd_command(missing)
    say("starting dockerd: " + " ".join(cmd))
    with LOG_FILE.open("ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if engine_running():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.25)
    tail = LOG_FILE.read_text(errors="replace")[-3000:] if LOG_FILE.exists() else ""
    raise EngineError(f"dockerd did not come up (see {LOG_FILE}):\n{tail}")


def ensure_engine(say: Say) -> None:
    """Docker answering: nothing to do. Otherwise install what is missing and start dockerd."""
    if engine_running():
        _install_packages(say)  # debootstrap may still be missing
        return
    _install_packages(say)
    _start_dockerd(say)


def start_if_installed(say: Say) -> bool:
    """For clean-up: start an installed engine that is not running; never install anything."""
    if engine_running():
        return True
    if not shutil.which("dockerd"):
        return False
    _start_dockerd(say)
    return True


def privileged_supported(cli: docker.DockerClient) -> bool:
    """Privileged hosts start when the machine has every capability or the engine filters them."""
    if not caps_missing():
        return True
    info = cli.info()
    return RUNTIME_NAME in (info.get("Runtimes") or {}) and info.get("DefaultRuntime") == RUNTIME_NAME
