"""The OCI runtime wrapper's capability filtering (the part that decides, not the exec)."""

import json
from pathlib import Path

import pytest

from stackha.lab import capfilter

STATUS = "Name:\tcat\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n"


def test_bounding_set_and_missing_caps() -> None:
    mask = capfilter.bounding_set(STATUS)
    assert mask == 0x1FFFEFFFFFF
    assert capfilter.missing_caps(mask) == {"CAP_SYS_RESOURCE"}
    assert capfilter.missing_caps((1 << len(capfilter.CAP_NAMES)) - 1) == set()


def test_bounding_set_requires_the_line() -> None:
    with pytest.raises(ValueError, match="CapBnd"):
        capfilter.bounding_set("Name:\tcat\n")


def test_filter_caps_every_set() -> None:
    process: dict[str, object] = {
        "capabilities": {s: ["CAP_CHOWN", "CAP_SYS_RESOURCE"] for s in capfilter.CAP_SETS} | {"ambient": []}
    }
    assert capfilter.filter_caps(process, {"CAP_SYS_RESOURCE"})
    caps = process["capabilities"]
    assert isinstance(caps, dict)
    assert caps["bounding"] == ["CAP_CHOWN"] and caps["permitted"] == ["CAP_CHOWN"] and caps["ambient"] == []
    assert not capfilter.filter_caps(process, {"CAP_SYS_RESOURCE"})
    assert not capfilter.filter_caps({}, {"CAP_SYS_RESOURCE"})


def test_rewrite_bundle_config(tmp_path: Path) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(
        json.dumps(
            {
                "ociVersion": "1.0",
                "process": {"capabilities": {"effective": ["CAP_SYS_RESOURCE", "CAP_KILL"]}},
            }
        )
    )
    capfilter._rewrite(str(cfg), {"CAP_SYS_RESOURCE"}, nested=True)
    assert json.loads(cfg.read_text())["process"]["capabilities"]["effective"] == ["CAP_KILL"]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (
            [
                "--root",
                "/r",
                "--log",
                "/l",
                "--log-format",
                "json",
                "create",
                "--bundle",
                "/b",
                "id",
            ],
            "create",
        ),
        (["--root=/r", "exec", "--process", "/p", "id"], "exec"),
        (["--debug", "start", "id"], "start"),
        (["--root", "/r"], None),
    ],
)
def test_subcommand(args: list[str], command: str | None) -> None:
    assert capfilter.subcommand(args) == command
