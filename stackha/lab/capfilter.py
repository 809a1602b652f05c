"""OCI runtime wrapper that lets privileged lab hosts start on machines with a reduced capability set.

Some virtual machines run everything with a capability bounding set that lacks a capability
(CAP_SYS_RESOURCE here). Docker's `--privileged` asks runc for every capability it knows, and runc
fails with "unable to apply caps: operation not permitted". Registered with
`dockerd --add-runtime`, this wrapper removes from the OCI config (and from `exec` process specs)
the capabilities missing from its own bounding set, then hands over to the real runc. On machines
with the full set it is never installed.

This file is copied verbatim to the machine and run by the system Python: standard library only.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterable

# Linux capability numbers (include/uapi/linux/capability.h).
CAP_NAMES = (
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
)  # fmt: skip
CAP_SETS = ("bounding", "effective", "inheritable", "permitted", "ambient")


def bounding_set(status_text: str) -> int:
    for line in status_text.splitlines():
        if line.startswith("CapBnd:"):
            return int(line.split()[1], 16)
    raise ValueError("no CapBnd line in /proc/self/status")


def missing_caps(mask: int) -> set[str]:
    """Names (CAP_X) of the known capabilities absent from a bounding-set mask."""
    return {f"CAP_{name}" for bit, name in enumerate(CAP_NAMES) if not mask >> bit & 1}


def filter_caps(process: dict[str, object], missing: Iterable[str]) -> bool:
    """Drop `missing` from an OCI process spec's capability sets; True when anything changed."""
    caps = process.get("capabilities")
    if not isinstance(caps, dict):
        return False
    drop = set(missing)
    changed = False
    for key in CAP_SETS:
        values = caps.get(key)
        if isinstance(values, list):
            kept = [c for c in values if c not in drop]
            if len(kept) != len(values):
                caps[key] = kept
                changed = True
    return changed


def _rewrite(path: str, missing: set[str], nested: bool) -> None:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    process = doc.get("process", {}) if nested else doc
    if filter_caps(process, missing):
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh)


def _option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


GLOBAL_OPTS_WITH_VALUE = frozenset({"--root", "--log", "--log-format", "--criu", "--rootless"})


def subcommand(args: list[str]) -> str | None:
    """The runc subcommand: the first word that is not a global option or its value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in GLOBAL_OPTS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def real_runc(self_path: str) -> str:
    for candidate in ("/usr/sbin/runc", "/usr/bin/runc", shutil.which("runc")):
        if candidate and os.path.exists(candidate) and os.path.realpath(candidate) != self_path:
            return candidate
    raise SystemExit("capfilter: no runc found")


def main(argv: list[str]) -> None:
    args = argv[1:]
    with open("/proc/self/status", encoding="ascii") as fh:
        missing = missing_caps(bounding_set(fh.read()))
    if missing:
        command = subcommand(args)
        if command in ("create", "run"):
            bundle = _option(args, "--bundle") or _option(args, "-b") or os.getcwd()
            _rewrite(os.path.join(bundle, "config.json"), missing, nested=True)
        elif command == "exec":
            process_file = _option(args, "--process") or _option(args, "-p")
            if process_file:
                _rewrite(process_file, missing, nested=False)
    runc = real_runc(os.path.realpath(argv[0]))
    os.execv(runc, [runc, *args])  # noqa: S606 - the real runc, with the caller's arguments


if __name__ == "__main__":
    main(sys.argv)
