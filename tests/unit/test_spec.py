"""Lab request validation and the address plan."""

import pytest

from stackha.lab.spec import LabSpecError, make_spec, overlapping


def test_default_lab_plan() -> None:
    spec = make_spec()
    assert [(h.name, h.role, h.address) for h in spec.hosts] == [
        ("ctl1", "controller", "10.231.0.11"),
        ("ctl2", "controller", "10.231.0.12"),
        ("ctl3", "controller", "10.231.0.13"),
        ("cmp1", "compute", "10.231.0.21"),
        ("cmp2", "compute", "10.231.0.22"),
    ]
    assert spec.gateway == "10.231.0.1"
    assert spec.vip(0) == "10.231.0.100"
    assert spec.container("ctl1") == "stackha-lab-ctl1"
    assert spec.docker_network == "stackha-lab"
    assert len(spec.bridge) <= 15


def test_arbitrator_host_for_even_galera_count() -> None:
    spec = make_spec(controllers=2, computes=0, arbitrator=True)
    assert [(h.name, h.address) for h in spec.hosts] == [
        ("arb1", "10.231.0.5"),
        ("ctl1", "10.231.0.11"),
        ("ctl2", "10.231.0.12"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"controllers": 0}, "controllers must be between 1"),
        ({"controllers": 10}, "controllers must be between 1"),
        ({"computes": -1}, "computes must be between 0"),
        ({"controllers": 2}, "even Galera count"),
        ({"controllers": 4}, "--arbitrator"),
        ({"name": "Lab"}, "not valid"),
        ({"name": "x" * 11}, "not valid"),
        ({"name": "1lab"}, "not valid"),
        ({"name": "example"}, "reserved"),
        ({"subnet": "10.231.0.1/24"}, "not a valid IPv4 network"),
        ({"subnet": "banana"}, "not a valid IPv4 network"),
        ({"subnet": "10.231.0.0/25"}, "too small"),
        ({"subnet": "8.8.8.0/24"}, "not a private range"),
    ],
)
def test_bad_requests_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(LabSpecError, match=message):
        make_spec(**kwargs)  # type: ignore[arg-type]


def test_vip_index_bounds() -> None:
    with pytest.raises(LabSpecError):
        make_spec().vip(20)


def test_overlapping_networks() -> None:
    others = {
        "docker0": "172.17.0.0/16",
        "eth0": "192.0.2.0/24",
        "wide": "10.0.0.0/8",
        "v6": "fd00::/64",
    }
    assert overlapping("10.231.0.0/24", others) == ["wide (10.0.0.0/8)"]
    assert overlapping("172.17.5.0/24", others) == ["docker0 (172.17.0.0/16)"]
    assert overlapping("192.168.50.0/24", others) == []
