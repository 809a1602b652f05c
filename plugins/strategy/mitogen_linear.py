"""The `linear` strategy on Mitogen (the `mitogen` package, a dependency of stackha).

Mitogen keeps one Python interpreter per host for the whole run and sends it each task, instead of
an SSH exec, a fresh interpreter and a module upload per task and host: the same tasks, results and
ordering as `linear`, with far less per-task overhead. ansible.cfg names this file's folder in
`strategy_plugins` so no path into the installed package is needed; `ANSIBLE_STRATEGY=linear`
runs without it.
"""

import ansible_mitogen.loaders
import ansible_mitogen.strategy

Base = ansible_mitogen.loaders.strategy_loader.get("linear", class_only=True)


class StrategyModule(ansible_mitogen.strategy.StrategyMixin, Base):  # type: ignore[misc,valid-type]
    pass
