"""Deploy figures of the whole control plane (`playbooks/site.yml`) on 3 controllers + 1 compute.

Fresh deploy time, the time of idempotent re-runs (each checked to change nothing), and the
machine's memory in use with the cloud up. With --linear one more re-run uses Ansible's own
`linear` strategy instead of Mitogen, side by side. The share of CPU time the hypervisor took
away (steal, from /proc/stat) is recorded for every run: on a shared 2-core VM it moves the
figures more than most changes do, so compare runs with it in view.

Run: python -m bench.deploy [--reruns N] [--linear] [--keep]. Prints the figures and writes
bench/results/deploy.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import bench_lab, say, summary, write
from stackha.lab.spec import make_spec

SPEC = make_spec(name="bench", controllers=3, computes=1, subnet="10.231.8.0/24")
RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    seconds: float
    changed: int
    steal_pct: float


def cpu_times() -> list[int]:
    """The machine's aggregate CPU counters (user nice system idle iowait irq softirq steal ...)."""
    return [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


def steal_pct(before: list[int], after: list[int]) -> float:
    """Share of CPU time stolen by the hypervisor between two cpu_times() readings, in percent."""
    delta = [a - b for a, b in zip(after, before, strict=True)]
    total = sum(delta[:8])  # guest time is already counted in user/nice
    return round(100 * delta[7] / total, 1) if total else 0.0


def memory_in_use_mib() -> float:
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    kib = int(info["MemTotal"].split()[0]) - int(info["MemAvailable"].split()[0])
    return kib / 1024


def site(root: Path, strategy: str | None = None) -> Run:
    """Run site.yml on the bench lab; stop the bench if it fails."""
    env = dict(os.environ, ANSIBLE_CONFIG=str(root / "ansible.cfg"))
    if strategy:
        env["ANSIBLE_STRATEGY"] = strategy
    exe = str(Path(sys.executable).parent / "ansible-playbook")
    cpu, started = cpu_times(), time.monotonic()
    proc = subprocess.run(
        [exe, "-i", str(root / "inventory" / SPEC.name), str(root / "playbooks" / "site.yml")],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )
    seconds = time.monotonic() - started
    recap = RECAP.findall(proc.stdout)
    if proc.returncode != 0 or not recap or any(int(r[2]) or int(r[3]) for r in recap):
        raise SystemExit(f"site.yml failed:\n{proc.stdout[-3000:]}")
    return Run(round(seconds, 1), sum(int(r[1]) for r in recap), steal_pct(cpu, cpu_times()))


def show(label: str, run: Run) -> None:
    say(f"{label}: {run.seconds:.1f} s, changed={run.changed}, CPU steal {run.steal_pct} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reruns", type=int, default=3, help="idempotent re-runs on Mitogen (default 3)")
    parser.add_argument("--linear", action="store_true", help="one more re-run with Ansible's linear strategy")
    parser.add_argument("--keep", action="store_true", help="leave the bench lab up afterwards")
    args = parser.parse_args()
    if args.reruns < 1:
        parser.error("--reruns must be at least 1")

    baseline = memory_in_use_mib()
    with bench_lab(SPEC, keep=args.keep) as root:
        say(f"fresh deploy of site.yml on {len(SPEC.hosts)} hosts (about 10-15 min)")
        fresh = site(root)
        show("fresh deploy", fresh)
        memory = memory_in_use_mib() - baseline
        say(f"memory in use with the cloud up: {memory / 1024:.2f} GiB more than before the lab")
        reruns = []
        for rep in range(1, args.reruns + 1):
            reruns.append(site(root))
            show(f"re-run {rep}/{args.reruns} (Mitogen)", reruns[-1])
        linear = site(root, "linear") if args.linear else None
        if linear:
            show("re-run (linear, without Mitogen)", linear)

    result: dict[str, Any] = {
        "hosts": len(SPEC.hosts),
        "fresh_deploy": vars(fresh),
        "memory_in_use_gib": round(memory / 1024, 2),
        "reruns": [vars(r) for r in reruns],
        "rerun_s": summary(r.seconds for r in reruns),
        "rerun_changed": sum(r.changed for r in reruns),
        "rerun_linear": vars(linear) if linear else None,
    }
    times = result["rerun_s"]
    say(f"re-run median {times['median']} s (max {times['max']} s), changed in all: {result['rerun_changed']}")
    say(f"written: {write('deploy.json', result)}")


if __name__ == "__main__":
    main()
