"""What the benches share: progress lines, deploying playbooks with extra vars, medians."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stackha.drill import timeline
from stackha.lab import hosts
from stackha.lab.spec import LabSpec

RESULTS = Path(__file__).resolve().parent / "results"


def say(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


def deploy(root: Path, lab: str, playbooks: Iterable[str], extra: dict[str, Any]) -> None:
    """Run the playbooks on lab `lab` with `extra` as extra vars; stop the bench if one fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(extra, fh)
    exe = str(Path(sys.executable).parent / "ansible-playbook")
    try:
        for book in playbooks:
            proc = subprocess.run(
                [exe, "-i", str(root / "inventory" / lab), str(root / "playbooks" / book), "-e", f"@{fh.name}"],
                capture_output=True,
                text=True,
                cwd=root,
                check=False,
            )
            if proc.returncode != 0:
                raise SystemExit(f"{book} failed:\n{proc.stdout[-3000:]}")
    finally:
        Path(fh.name).unlink()


def summary(values: Iterable[float | None]) -> dict[str, Any]:
    kept = [v for v in values if v is not None]
    return {"values": kept, "median": timeline.median(kept), "max": max(kept) if kept else None}


def write(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **data}, indent=2))
    return path


def failover_args(doc: str | None) -> argparse.Namespace:
    """The options every failover bench takes: --reps and --keep."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the bench lab up afterwards")
    return parser.parse_args()


@contextmanager
def bench_lab(spec: LabSpec, *, keep: bool) -> Iterator[Path]:
    """A fresh lab for one bench (leftovers of an earlier run removed first), taken down afterwards
    unless `keep`; yields the project root."""
    root = hosts.project_root()
    hosts.down(spec.name, root, say)
    hosts.up(spec, root, say)
    try:
        yield root
    finally:
        if not keep:
            hosts.down(spec.name, root, say)
