"""Database/VIP tier failover figures, stackha's defaults and the anchors' defaults side by side.

Run: python -m bench.galera_failover [--reps 5] [--keep]. Brings up its own 3-controller lab
(`bench`), deploys common + galera + keepalived + haproxy, and for each configuration runs
`--reps` hard kills of the VIP holder and of the writer node under a continuous write load
(stackha.drill), then (stackha's defaults) a full power loss and a full power loss without saved
primary-component state. Prints the figures and writes bench/results/galera_failover.json.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

from typing import Any

from bench.common import bench_lab, deploy, failover_args, say, summary, write
from stackha.drill.galera import DrillResult, run_drill
from stackha.drill.labcluster import LabCluster
from stackha.lab.spec import make_spec

SPEC = make_spec(name="bench", controllers=3, computes=0, subnet="10.231.8.0/24")
PLAYBOOKS = ("common.yml", "galera.yml", "keepalived.yml", "haproxy.yml")

# The anchors' defaults named in the issue: keepalived advert_int 1 with VRRPv2, HAProxy checks
# every 12 s with fall 3 (no fast intervals), and Galera's own EVS timeouts.
VARIANTS: dict[str, dict[str, Any]] = {
    "stackha": {},
    "anchor": {
        "keepalived_vrrp_version": 2,
        "keepalived_advert_int": 1,
        "haproxy_check_interval": "12s",
        "haproxy_check_fastinter": "12s",
        "haproxy_check_downinter": "12s",
        "haproxy_check_fall": 3,
        "haproxy_check_rise": 2,
        "haproxy_timeout_connect": "5s",
        "galera_evs_keepalive_period": "PT1S",
        "galera_evs_inactive_check_period": "PT0.5S",
        "galera_evs_suspect_timeout": "PT5S",
        "galera_evs_inactive_timeout": "PT15S",
        "galera_evs_install_timeout": "PT7.5S",
    },
}


def main() -> None:
    args = failover_args(__doc__)
    out: dict[str, Any] = {"reps": args.reps, "variants": {}}
    with bench_lab(SPEC, keep=args.keep) as root:
        for variant, extra in VARIANTS.items():
            say(f"configuring {variant} defaults {extra or ''}")
            deploy(root, SPEC.name, PLAYBOOKS, extra)
            cluster = LabCluster.open(SPEC.name)
            runs: dict[str, list[DrillResult]] = {"vip-holder": [], "writer": []}
            for rep in range(1, args.reps + 1):
                for fault, done in runs.items():
                    r = run_drill(cluster, fault, say)
                    done.append(r)
                    say(
                        f"{variant} {fault} #{rep}: outage {r.write_outage_s} s, VIP move {r.vip_move_s} s, "
                        f"acked {r.acked}, lost {len(r.lost)}"
                    )
            figures: dict[str, Any] = {
                "vip_move_s": summary(r.vip_move_s for r in runs["vip-holder"]),
                "write_outage_vip_holder_kill_s": summary(r.write_outage_s for r in runs["vip-holder"]),
                "write_outage_writer_kill_s": summary(r.write_outage_s for r in runs["writer"]),
                "acked": sum(r.acked for rs in runs.values() for r in rs),
                "lost": sum(len(r.lost) for rs in runs.values() for r in rs),
            }
            if variant == "stackha":
                for fault in ("power-loss", "lost-state"):
                    r = run_drill(cluster, fault, say)
                    figures[fault] = r.to_dict()
                    say(f"{variant} {fault}: power on to writable {r.power_on_to_writable_s} s, lost {len(r.lost)}")
            out["variants"][variant] = figures
    path = write("galera_failover.json", out)
    for variant, fig in out["variants"].items():
        print(
            f"{variant:8} VIP move median {fig['vip_move_s']['median']} s | write outage, VIP holder killed: "
            f"median {fig['write_outage_vip_holder_kill_s']['median']} s | writer killed: median "
            f"{fig['write_outage_writer_kill_s']['median']} s | acked {fig['acked']}, lost {fig['lost']}"
        )
        for fault in ("power-loss", "lost-state"):
            if fault in fig:
                print(f"{variant:8} {fault}: power on to writable {fig[fault]['power_on_to_writable_s']} s")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
