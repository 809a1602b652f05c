"""The lab's base image: Debian bookworm with systemd and sshd, built with debootstrap, reused by hash."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import docker
import docker.errors

from stackha.lab.engine import STATE_DIR, Say

SUITE = "bookworm"
REPOSITORY = "stackha-base"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
PACKAGES = (
    "systemd", "systemd-sysv", "dbus", "python3", "python3-apt", "openssh-server", "sudo",
    "iproute2", "iputils-ping", "procps", "netbase", "ca-certificates", "less",
)  # fmt: skip
HOST_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
DEFAULT_SOURCES = f"""Types: deb
URIs: {DEFAULT_MIRROR}
Suites: {SUITE} {SUITE}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: {SUITE}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

# Run inside the debootstrapped tree (chroot). Each step is a lesson from running systemd hosts in
# containers: see ../shared/notes/lab-substrate.md.
SETUP_SCRIPT = r"""set -eu
export DEBIAN_FRONTEND=noninteractive
# One machine-id per host: systemd writes it at first boot when the file is empty.
: > /etc/machine-id
rm -f /var/lib/dbus/machine-id
# Units that make no sense in a container host (no consoles, no udev, no timers fighting the play).
systemctl mask getty.target console-getty.service systemd-udevd.service \
  systemd-udev-trigger.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
  apt-daily.timer apt-daily-upgrade.timer systemd-remount-fs.service \
  sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
  dev-hugepages.mount systemd-firstboot.service systemd-modules-load.service \
  systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
# Hosts share the machine's kernel: only per-namespace net.* sysctls may change. /proc/sys is made
# read-only at boot except /proc/sys/net, and the vendor kernel.*/fs.* sysctl files are masked.
cat > /etc/systemd/system/stackha-protect-sysctl.service <<'UNIT'
[Unit]
Description=Make kernel sysctls read-only in this lab host (net.* stays writable)
DefaultDependencies=no
Before=systemd-sysctl.service sysinit.target
ConditionPathIsReadWrite=/proc/sys/kernel

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/mount --bind /proc/sys /proc/sys
ExecStart=/bin/mount --bind /proc/sys/net /proc/sys/net
ExecStart=/bin/mount -o remount,bind,ro /proc/sys

[Install]
WantedBy=sysinit.target
UNIT
systemctl enable stackha-protect-sysctl.service
for f in /usr/lib/sysctl.d/*.conf /etc/sysctl.d/*.conf; do
  ln -sf /dev/null "/etc/sysctl.d/$(basename "$f")"
done
# SSH host keys are made per host at first boot, never baked into the image.
rm -f /etc/ssh/ssh_host_*
cat > /etc/systemd/system/stackha-ssh-hostkeys.service <<'UNIT'
[Unit]
Description=Generate this host's SSH host keys
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=multi-user.target
UNIT
systemctl enable stackha-ssh-hostkeys.service ssh.service
printf 'PasswordAuthentication no\nKbdInteractiveAuthentication no\n' > /etc/ssh/sshd_config.d/stackha.conf
install -d -m 0700 /root/.ssh
# No documentation or translations: smaller hosts, faster package installs.
cat > /etc/dpkg/dpkg.cfg.d/stackha-nodoc <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
echo 'Acquire::Languages "none";' > /etc/apt/apt.conf.d/99stackha-nolang
rm -f /etc/apt/sources.list
apt-get clean
rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/*.log /tmp/* /root/.bash_history
# An old mtime makes apt's cache_valid_time refresh the (empty) lists on the first install.
touch -d 2000-01-01 /var/lib/apt/lists
"""

DOCKERFILE = """FROM {base}
CMD ["/sbin/init"]
STOPSIGNAL SIGRTMIN+3
LABEL io.stackha.recipe={digest}
"""


class ImageError(RuntimeError):
    pass


def apt_sources() -> str:
    return HOST_SOURCES.read_text() if HOST_SOURCES.exists() else DEFAULT_SOURCES


def mirror_from_sources(sources: str) -> str:
    """The first Debian archive URI (not the security one) in deb822 sources text."""
    for match in re.finditer(r"^URIs:\s*(\S+)", sources, re.MULTILINE):
        uri = match.group(1)
        if "security" not in uri:
            return uri
    return DEFAULT_MIRROR


def recipe_digest(sources: str) -> str:
    h = hashlib.sha256()
    for part in (SUITE, " ".join(PACKAGES), SETUP_SCRIPT, DOCKERFILE, sources):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:12]


def image_tag(sources: str | None = None) -> str:
    return f"{REPOSITORY}:{recipe_digest(apt_sources() if sources is None else sources)}"


def _image_exists(cli: docker.DockerClient, tag: str) -> bool:
    try:
        cli.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ImageError(f"{what} failed ({' '.join(cmd[:3])} ...):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")


def _build(cli: docker.DockerClient, tag: str, sources: str, say: Say) -> None:
    digest = tag.split(":", 1)[1]
    work = Path(tempfile.mkdtemp(prefix="stackha-image-", dir="/var/tmp"))
    root = work / "rootfs"
    try:
        mirror = mirror_from_sources(sources)
        say(f"building base image {tag}: debootstrap {SUITE} from {mirror} (about 90 s, once)")
        _run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(PACKAGES)}",
                SUITE,
                str(root),
                mirror,
            ],
            "debootstrap",
        )
        (root / "etc/apt/sources.list.d/debian.sources").write_text(sources)
        _run(["chroot", str(root), "/bin/sh", "-c", SETUP_SCRIPT], "image setup")
        tarball = work / "rootfs.tar"
        _run(["tar", "--numeric-owner", "--xattrs", "-C", str(root), "-cf", str(tarball), "."], "tar")
        base = f"{REPOSITORY}-rootfs:{digest}"
        say("importing the root filesystem into the engine")
        cli.api.import_image_from_file(str(tarball), repository=base.split(":", maxsplit=1)[0], tag=digest)
        dockerfile = DOCKERFILE.format(base=base, digest=digest).encode()
        cli.images.build(fileobj=io.BytesIO(dockerfile), tag=tag, rm=True)
        cli.images.remove(base, noprune=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prune_old(cli: docker.DockerClient, keep: str) -> None:
    """Drop base images of older recipes that no container uses any more."""
    for img in cli.images.list(name=REPOSITORY):
        if keep not in img.tags:
            with contextlib.suppress(docker.errors.APIError):  # still used by a lab: goes with it
                cli.images.remove(img.id)


def ensure_image(cli: docker.DockerClient, say: Say) -> str:
    """Return the tag of the base image for the current recipe, building it when absent."""
    sources = apt_sources()
    tag = image_tag(sources)
    if _image_exists(cli, tag):
        return tag
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with (STATE_DIR / "image-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; a second caller reuses the first's
        if not _image_exists(cli, tag):
            started = time.monotonic()
            _build(cli, tag, sources, say)
            say(f"base image {tag} built in {time.monotonic() - started:.0f} s")
            _prune_old(cli, tag)
    return tag
