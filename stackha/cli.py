"""The `stackha` command line."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from stackha.drill import rabbit
from stackha.drill.galera import FAULTS, run_drill
from stackha.drill.labcluster import DrillError, LabCluster
from stackha.lab import hosts
from stackha.lab.engine import EngineError
from stackha.lab.image import ImageError
from stackha.lab.spec import DEFAULT_NAME, DEFAULT_SUBNET, LabSpecError, make_spec

app = typer.Typer(help="HA deployment and failover automation for OpenStack control planes.", no_args_is_help=True)
lab_app = typer.Typer(help="A local lab of systemd hosts reached over SSH, like real servers.", no_args_is_help=True)
drill_app = typer.Typer(help="Failure drills: inject a fault under load, measure recovery, count losses.")
app.add_typer(lab_app, name="lab")
app.add_typer(drill_app, name="drill")

console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

NameOpt = Annotated[str, typer.Option("--name", "-n", help="Lab name: hosts, network and inventory/<name>/.")]


def say(message: str) -> None:
    console.print(f"[dim]{time.strftime('%H:%M:%S')}[/dim] {message}")


def fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/bold red] {message}")
    return typer.Exit(code=2)


@lab_app.command("up")
def lab_up(
    name: NameOpt = DEFAULT_NAME,
    controllers: Annotated[int, typer.Option(help="Controller hosts (odd, or even with --arbitrator).")] = 3,
    computes: Annotated[int, typer.Option(help="Compute hosts.")] = 2,
    subnet: Annotated[str, typer.Option(help="IPv4 subnet of the lab network (/24 or larger).")] = DEFAULT_SUBNET,
    arbitrator: Annotated[bool, typer.Option(help="Add a Galera arbitrator host (arb1).")] = False,
) -> None:
    """Create the lab (or start what is missing of it); a running lab is left as it is."""
    try:
        spec = make_spec(name, controllers, computes, subnet, arbitrator)
        root = hosts.project_root()
        started = time.monotonic()
        paths = hosts.up(spec, root, say)
    except (LabSpecError, hosts.LabError, EngineError, ImageError) as exc:
        raise fail(str(exc)) from None
    say(f"lab {spec.name!r} ready in {time.monotonic() - started:.1f} s: {len(spec.hosts)} hosts on {spec.subnet}")
    out.print(f"inventory: {paths.inventory.relative_to(root)}")


@lab_app.command("status")
def lab_status(name: NameOpt = DEFAULT_NAME) -> None:
    """Show each host of the lab, its address and state."""
    rows = hosts.status(name)
    if not rows:
        out.print(f"lab {name!r} is not running")
        raise typer.Exit(code=1)
    table = Table(title=f"lab {name}")
    for col in ("host", "role", "address", "container", "state", "systemd"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.name, r.role, r.address, r.container, r.state, r.systemd)
    out.print(table)


@lab_app.command("down")
def lab_down(name: NameOpt = DEFAULT_NAME) -> None:
    """Remove the lab's hosts, network, key and generated inventory, and nothing else."""
    try:
        removed = hosts.down(name, hosts.project_root(), say)
    except (hosts.LabError, EngineError) as exc:
        raise fail(str(exc)) from None
    say(f"lab {name!r}: removed {removed} host(s)")


HostsArg = Annotated[list[str] | None, typer.Argument(help="Host names (default: every host).")]


@lab_app.command("kill")
def lab_kill(hosts_: HostsArg = None, name: NameOpt = DEFAULT_NAME) -> None:
    """Hard power loss of lab hosts: links cut first (peers get no FIN/RST), then every process dies at once."""
    try:
        killed = hosts.kill(name, hosts_ or [])
    except hosts.LabError as exc:
        raise fail(str(exc)) from None
    say(f"killed: {' '.join(killed) or 'nothing (already down)'}")


@lab_app.command("start")
def lab_start(hosts_: HostsArg = None, name: NameOpt = DEFAULT_NAME) -> None:
    """Power lab hosts back on and wait until systemd runs on them."""
    try:
        started = hosts.start(name, hosts_ or [])
    except hosts.LabError as exc:
        raise fail(str(exc)) from None
    say(f"started: {' '.join(started) or 'nothing (all running)'}")


class _Drill(Protocol):
    notes: list[str]

    def to_dict(self) -> dict[str, Any]: ...


D = TypeVar("D", bound=_Drill)


def _drill(run: Callable[[LabCluster], D], name: str, json_out: Path | None) -> D:
    """Run a drill on lab `name`, exit with its error if it could not finish, write its JSON."""
    try:
        result = run(LabCluster.open(name))
    except DrillError as exc:
        raise fail(str(exc)) from None
    if json_out is not None:
        json_out.write_text(json.dumps(result.to_dict(), indent=2))
    return result


def _report(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Print the drill's figures that it measured."""
    for key in keys:
        if data[key] is not None:
            out.print(f"{key}: {data[key]}")
    return data


@drill_app.command("galera")
def drill_galera(
    fault: Annotated[str, typer.Option(help="vip-holder, writer, power-loss or lost-state.")],
    name: NameOpt = DEFAULT_NAME,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result here as JSON.")] = None,
) -> None:
    """Write through the VIP, inject FAULT, wait for recovery, check no acknowledged write is lost."""
    if fault not in FAULTS:
        raise fail(f"unknown fault {fault!r}: choose one of {', '.join(FAULTS)}")
    result = _drill(lambda c: run_drill(c, fault, say), name, json_out)
    data = _report(
        result.to_dict(), ("acked", "failed_writes", "write_outage_s", "vip_move_s", "power_on_to_writable_s")
    )
    out.print(
        f"VIP {data['vip_before']} -> {data['vip_after']}; writer {data['writer_before']} -> {data['writer_after']}"
    )
    for note in result.notes:
        out.print(f"note: {note}")
    if not result.ok:
        raise fail(f"{fault}: {len(result.lost)} acknowledged writes lost: {result.lost[:20]}")
    say(f"{fault}: {result.acked} acknowledged writes, none lost")


@drill_app.command("rabbitmq")
def drill_rabbitmq(
    fault: Annotated[str, typer.Option(help="client-node, rolling-restart, power-loss or power-loss-partial.")],
    name: NameOpt = DEFAULT_NAME,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the result here as JSON.")] = None,
) -> None:
    """Publish with confirms to a quorum queue, inject FAULT, check every confirmed message is consumed."""
    if fault not in rabbit.FAULTS:
        raise fail(f"unknown fault {fault!r}: choose one of {', '.join(rabbit.FAULTS)}")
    result = _drill(lambda c: rabbit.run_drill(c, fault, say), name, json_out)
    _report(
        result.to_dict(),
        (
            "confirmed",
            "consumed",
            "duplicates",
            "publish_resume_s",
            "consume_resume_s",
            "publish_outage_s",
            "power_on_to_consumable_s",
        ),
    )
    for note in result.notes:
        out.print(f"note: {note}")
    if not result.ok:
        lost = f"{len(result.lost)} confirmed messages lost {result.lost[:20]}"
        raise fail(f"{fault}: {lost}, {result.bad_content} with bad content")
    say(f"{fault}: {result.confirmed} confirmed messages, every one consumed intact")


if __name__ == "__main__":
    app()
