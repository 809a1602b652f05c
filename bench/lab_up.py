"""Lab figures: base image build time, `lab up` time for a 5-host lab from a built image, idle RSS.

Run: python -m bench.lab_up [--reps N] [--rebuild]. Prints the figures and writes
bench/results/lab_up.json. Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from stackha.lab import engine, hosts, image
from stackha.lab.spec import make_spec

RESULTS = Path(__file__).resolve().parent / "results"
SPEC = make_spec(name="bench", controllers=3, computes=2, subnet="10.231.8.0/24")
SETTLE_S = 10.0  # let first-boot work finish before reading the idle footprint


def quiet(_: str) -> None:
    pass


def lab_rss_mib() -> dict[str, float]:
    """RSS of every process in each lab host, summed per host, in MiB."""
    cli = engine.client()
    per_host = {}
    for h in SPEC.hosts:
        top = cli.containers.get(SPEC.container(h.name)).top(ps_args="-o pid,rss")
        col = top["Titles"].index("RSS")
        per_host[h.name] = sum(int(p[col]) for p in top["Processes"]) / 1024
    return per_host


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="lab up/down repetitions")
    parser.add_argument("--rebuild", action="store_true", help="also time a base image rebuild")
    args = parser.parse_args()
    root = hosts.project_root()
    engine.ensure_engine(print)
    cli = engine.client()
    result: dict[str, Any] = {"hosts": len(SPEC.hosts), "reps": args.reps}

    hosts.down(SPEC.name, root, quiet)
    if args.rebuild:
        tag = image.image_tag()
        if tag in {t for img in cli.images.list(name=image.REPOSITORY) for t in img.tags}:
            cli.images.remove(tag)
        started = time.monotonic()
        image.ensure_image(cli, quiet)
        result["image_build_s"] = round(time.monotonic() - started, 1)
        print(f"base image build: {result['image_build_s']} s")
    else:
        image.ensure_image(cli, print)

    ups = []
    for rep in range(1, args.reps + 1):
        started = time.monotonic()
        hosts.up(SPEC, root, quiet)
        ups.append(time.monotonic() - started)
        print(f"rep {rep}: lab up ({len(SPEC.hosts)} hosts, systemd running, SSH answering) {ups[-1]:.1f} s")
        if rep < args.reps:
            hosts.down(SPEC.name, root, quiet)
    started = time.monotonic()
    hosts.up(SPEC, root, quiet)
    result["noop_up_s"] = round(time.monotonic() - started, 2)
    time.sleep(SETTLE_S)
    rss = lab_rss_mib()
    hosts.down(SPEC.name, root, quiet)

    result["lab_up_s"] = [round(u, 1) for u in ups]
    result["lab_up_median_s"] = round(statistics.median(ups), 1)
    result["idle_rss_mib"] = {k: round(v, 1) for k, v in rss.items()}
    result["idle_rss_total_mib"] = round(sum(rss.values()), 1)
    print(f"lab up median: {result['lab_up_median_s']} s; up on a running lab: {result['noop_up_s']} s")
    print(f"idle RSS: {result['idle_rss_total_mib']} MiB in all ({result['idle_rss_mib']})")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "lab_up.json"
    out.write_text(json.dumps({"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **result}, indent=2))
    print(f"written: {out}")


if __name__ == "__main__":
    main()
