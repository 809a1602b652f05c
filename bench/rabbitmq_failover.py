"""Message tier failover figures: what a client sees when its RabbitMQ node dies.

Run: python -m bench.rabbitmq_failover [--reps 5] [--keep]. Brings up its own 3-controller lab
(`benchmq`), deploys common + rabbitmq, and for each configuration runs `--reps` hard kills of the
node a publisher (with confirms) and a consumer are connected to, which also leads the quorum
queue (stackha.drill.rabbit, fault client-node). Figures: kill -> first confirmed publish, kill ->
first delivery, the longest gap between confirms, and confirmed messages lost. stackha's defaults
(net_ticktime 10 s) run beside RabbitMQ's own net_ticktime of 60 s. Then one full power loss with
recovery by playbooks/rabbitmq-recover.yml. Writes bench/results/rabbitmq_failover.json.
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

from typing import Any

from bench.common import bench_lab, deploy, failover_args, say, summary, write
from stackha.drill.labcluster import LabCluster
from stackha.drill.rabbit import RabbitResult, run_drill
from stackha.lab.spec import make_spec

SPEC = make_spec(name="benchmq", controllers=3, computes=0, subnet="10.231.9.0/24")
PLAYBOOKS = ("common.yml", "rabbitmq.yml")
VARIANTS: dict[str, dict[str, Any]] = {
    "stackha": {},
    "rabbitmq-default-ticktime": {"rabbitmq_net_ticktime": 60},
}


def main() -> None:
    args = failover_args(__doc__)
    out: dict[str, Any] = {"reps": args.reps, "variants": {}}
    with bench_lab(SPEC, keep=args.keep) as root:
        for variant, extra in VARIANTS.items():
            say(f"configuring {variant} {extra or ''}")
            deploy(root, SPEC.name, PLAYBOOKS, extra)
            cluster = LabCluster.open(SPEC.name)
            runs: list[RabbitResult] = []
            for rep in range(1, args.reps + 1):
                r = run_drill(cluster, "client-node", say)
                runs.append(r)
                say(
                    f"{variant} client-node #{rep}: publish resumes {r.publish_resume_s} s, consume resumes "
                    f"{r.consume_resume_s} s, confirmed {r.confirmed}, lost {len(r.lost)}"
                )
            figures: dict[str, Any] = {
                "publish_resume_s": summary(r.publish_resume_s for r in runs),
                "consume_resume_s": summary(r.consume_resume_s for r in runs),
                "publish_outage_s": summary(r.publish_outage_s for r in runs),
                "confirmed": sum(r.confirmed for r in runs),
                "lost": sum(len(r.lost) for r in runs),
                "bad_content": sum(r.bad_content for r in runs),
            }
            if variant == "stackha":
                r = run_drill(cluster, "power-loss", say)
                figures["power-loss"] = r.to_dict()
                say(f"power-loss: power on to consumable {r.power_on_to_consumable_s} s, lost {len(r.lost)}")
            out["variants"][variant] = figures
    path = write("rabbitmq_failover.json", out)
    for variant, fig in out["variants"].items():
        print(
            f"{variant:26} publish resumes median {fig['publish_resume_s']['median']} s | consume resumes median "
            f"{fig['consume_resume_s']['median']} s | confirmed {fig['confirmed']}, lost {fig['lost']}"
        )
        if "power-loss" in fig:
            print(f"{variant:26} power loss: power on to consumable {fig['power-loss']['power_on_to_consumable_s']} s")
    print(f"written: {path}")


if __name__ == "__main__":
    main()
