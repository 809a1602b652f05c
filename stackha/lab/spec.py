"""What a lab is: its name, size, subnet and the address plan of its hosts (pure logic)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_NAME = "lab"
DEFAULT_SUBNET = "10.231.0.0/24"
# Names a generated inventory may not take: committed inventories live beside generated ones.
RESERVED_NAMES = frozenset({"example", "production", "group_vars", "host_vars"})
NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,9}$")

MAX_CONTROLLERS = 9
MAX_COMPUTES = 20
# Address plan inside the lab subnet (host part): .1 bridge, .5 arbitrator,
# .11-.19 controllers, .21-.40 computes, .100-.119 virtual IPs.
GATEWAY_OFFSET = 1
ARBITRATOR_OFFSET = 5
CONTROLLER_BASE = 10
COMPUTE_BASE = 20
VIP_BASE = 100
MAX_VIPS = 20

ROLE_CONTROLLER = "controller"
ROLE_COMPUTE = "compute"
ROLE_ARBITRATOR = "arbitrator"


class LabSpecError(ValueError):
    """A lab request that cannot be honoured; the message says what to change."""


@dataclass(frozen=True)
class Host:
    name: str
    role: str
    address: str


@dataclass(frozen=True)
class LabSpec:
    name: str = DEFAULT_NAME
    controllers: int = 3
    computes: int = 2
    subnet: str = DEFAULT_SUBNET
    arbitrator: bool = False
    hosts: tuple[Host, ...] = field(default=(), compare=False)

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.subnet)

    @property
    def gateway(self) -> str:
        return str(self.network[GATEWAY_OFFSET])

    @property
    def docker_network(self) -> str:
        return f"stackha-{self.name}"

    @property
    def bridge(self) -> str:
        # Linux interface names are at most 15 characters.
        return f"br-sh-{self.name}"[:15]

    def container(self, host: str) -> str:
        return f"stackha-{self.name}-{host}"

    def vip(self, index: int = 0) -> str:
        """The index-th virtual IP reserved for this lab (never given to a host)."""
        if not 0 <= index < MAX_VIPS:
            raise LabSpecError(f"VIP index {index} out of range 0..{MAX_VIPS - 1}")
        return str(self.network[VIP_BASE + index])

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hosts")
        return data


def _plan_hosts(name: str, controllers: int, computes: int, subnet: str, arbitrator: bool) -> tuple[Host, ...]:
    net = ipaddress.IPv4Network(subnet)
    hosts: list[Host] = []
    if arbitrator:
        hosts.append(Host("arb1", ROLE_ARBITRATOR, str(net[ARBITRATOR_OFFSET])))
    hosts += [Host(f"ctl{i}", ROLE_CONTROLLER, str(net[CONTROLLER_BASE + i])) for i in range(1, controllers + 1)]
    hosts += [Host(f"cmp{i}", ROLE_COMPUTE, str(net[COMPUTE_BASE + i])) for i in range(1, computes + 1)]
    return tuple(hosts)


def make_spec(
    name: str = DEFAULT_NAME,
    controllers: int = 3,
    computes: int = 2,
    subnet: str = DEFAULT_SUBNET,
    arbitrator: bool = False,
) -> LabSpec:
    """Validate a lab request and return its spec; raise LabSpecError with a clear message."""
    if not NAME_RE.match(name):
        raise LabSpecError(
            f"lab name {name!r} is not valid: use 1-10 lowercase letters or digits, starting with a letter"
        )
    if name in RESERVED_NAMES:
        raise LabSpecError(f"lab name {name!r} is reserved (inventory/{name} is not generated)")
    if not 1 <= controllers <= MAX_CONTROLLERS:
        raise LabSpecError(f"controllers must be between 1 and {MAX_CONTROLLERS}, not {controllers}")
    if not 0 <= computes <= MAX_COMPUTES:
        raise LabSpecError(f"computes must be between 0 and {MAX_COMPUTES}, not {computes}")
    if controllers % 2 == 0 and not arbitrator:
        raise LabSpecError(
            f"{controllers} controllers is an even Galera count: a partition could leave no majority. "
            "Use an odd number, or pass --arbitrator to add a Galera arbitrator host (arb1)"
        )
    try:
        net = ipaddress.IPv4Network(subnet, strict=True)
    except ValueError as exc:
        raise LabSpecError(f"subnet {subnet!r} is not a valid IPv4 network: {exc}") from exc
    if net.prefixlen > 24:
        raise LabSpecError(f"subnet {subnet} is too small: the lab's address plan needs a /24 or larger")
    if not net.is_private or net.is_loopback or net.is_link_local:
        raise LabSpecError(f"subnet {subnet} is not a private range: the lab only uses private addresses")
    return LabSpec(
        name=name,
        controllers=controllers,
        computes=computes,
        subnet=str(net),
        arbitrator=arbitrator,
        hosts=_plan_hosts(name, controllers, computes, str(net), arbitrator),
    )


def spec_from_dict(data: dict[str, Any]) -> LabSpec:
    return make_spec(
        name=str(data["name"]),
        controllers=int(data["controllers"]),
        computes=int(data["computes"]),
        subnet=str(data["subnet"]),
        arbitrator=bool(data.get("arbitrator", False)),
    )


def overlapping(subnet: str, others: dict[str, str]) -> list[str]:
    """Names from `others` (name -> CIDR) whose network overlaps `subnet`."""
    net = ipaddress.IPv4Network(subnet)
    hits = []
    for name, cidr in sorted(others.items()):
        try:
            other = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if other.version == 4 and net.overlaps(other):
            hits.append(f"{name} ({cidr})")
    return hits
