"""Run commands on hosts over SSH with paramiko, with strict host key checking."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519


@dataclass(frozen=True)
class Target:
    name: str
    address: str
    key_file: Path
    known_hosts: Path
    user: str = "root"
    port: int = 22


@dataclass(frozen=True)
class Result:
    rc: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.rc == 0


class SshError(RuntimeError):
    pass


def connect(target: Target, timeout: float = 10.0) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.load_host_keys(str(target.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(
            target.address,
            port=target.port,
            username=target.user,
            key_filename=str(target.key_file),
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
            allow_agent=False,
            look_for_keys=False,
        )
    except (paramiko.SSHException, OSError) as exc:
        client.close()
        raise SshError(f"ssh {target.user}@{target.name} ({target.address}): {exc}") from exc
    return client


def run(target: Target, command: str, timeout: float = 60.0) -> Result:
    """Run one command; the exit status, stdout and stderr come back (no exception on rc != 0)."""
    client = connect(target)
    try:
        _, stdout, stderr = client.exec_command(command, timeout=timeout)
        out = stdout.read().decode(errors="replace")
        err = stderr.read().decode(errors="replace")
        rc = stdout.channel.recv_exit_status()
    except (paramiko.SSHException, OSError) as exc:
        raise SshError(f"ssh {target.name}: {command!r}: {exc}") from exc
    finally:
        client.close()
    return Result(rc, out, err)


def new_keypair(private_path: Path, comment: str) -> str:
    """Write a new ed25519 key (0600) in OpenSSH format; return the public line."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    private_path.touch(mode=0o600, exist_ok=True)
    private_path.chmod(0o600)
    private_path.write_bytes(private)
    line = f"{public.decode()} {comment}\n"
    private_path.with_suffix(".pub").write_text(line)
    return line
