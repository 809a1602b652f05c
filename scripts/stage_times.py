"""Pass Molecule's output through unchanged and end it with how long each action took.

`make molecule` pipes `molecule test --all` through this, so the last lines of a CI log say where
the time went and, when an action failed, the failure lines of that action.
"""

from __future__ import annotations

import re
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field

ANSI = re.compile(r"\x1b\[[0-9;]*m")
EXECUTING = re.compile(r"(\S+) ➜ (\S+): Executing")
EXECUTED = re.compile(r"(\S+) ➜ (\S+): Executed: (\S+)")
PLAYBOOK = re.compile(r"/([\w.-]+)\.yml\b")
FAILURE = re.compile(r"fatal:|FAILED!|failed:|Traceback|Error|error:|msg:|stderr")
WIDTH = 118


@dataclass
class Stage:
    scenario: str
    action: str
    start: float
    label: str = ""
    seconds: float | None = None
    outcome: str = ""
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=400))

    def took(self, now: float) -> float:
        """Its duration, or how long it has run so far when it never ended."""
        return self.seconds if self.seconds is not None else now - self.start


def _mmss(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def summary(stages: list[Stage], started: float, now: float) -> list[str]:
    """A few lines: each scenario's total, then each action's duration, failures named."""
    lines = [f"--- Molecule stage times (total {_mmss(now - started)}) ---"]
    for scenario in dict.fromkeys(s.scenario for s in stages):
        mine = [s for s in stages if s.scenario == scenario]
        total = sum(s.took(now) for s in mine)
        words = []
        for s in mine:
            name = s.label if s.action in {"side_effect", "converge", "verify"} and s.label else s.action
            name = name.removeprefix("drill_").replace("rabbitmq", "rmq")
            mark = "" if s.outcome in {"Successful", ""} else f"[{s.outcome}]"
            words.append(f"{name} {_mmss(s.took(now))}{mark}")
        line = f"{scenario} {_mmss(total)}:"
        for word in words:
            if len(line) + len(word) + 1 > WIDTH:
                lines.append(line)
                line = "   "
            line += " " + word
        lines.append(line)
    for s in stages:
        if s.outcome not in {"Successful", "", "Missing"}:
            hits = [t for t in s.tail if FAILURE.search(t)][-8:]
            lines.append(f"{s.scenario}/{s.label or s.action} {s.outcome}:")
            lines.extend("  " + h.strip()[:WIDTH] for h in hits)
    return lines


def _stop(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signum)


def main() -> int:
    started = time.monotonic()
    stages: list[Stage] = []
    signal.signal(signal.SIGTERM, _stop)  # a CI timeout still gets the summary
    try:
        _follow(stages)
    except KeyboardInterrupt:
        sys.stdout.write("\n(interrupted)\n")
    sys.stdout.write("\n".join(summary(stages, started, time.monotonic())) + "\n")
    sys.stdout.flush()
    return 0


def _follow(stages: list[Stage]) -> None:
    for raw in sys.stdin.buffer:
        sys.stdout.buffer.write(raw)
        sys.stdout.buffer.flush()
        line = ANSI.sub("", raw.decode(errors="replace")).rstrip("\n")
        current = stages[-1] if stages and stages[-1].seconds is None else None
        if m := EXECUTING.search(line):
            stages.append(Stage(m.group(1), m.group(2), time.monotonic()))
        elif (m := EXECUTED.search(line)) and current is not None:
            current.seconds = time.monotonic() - current.start
            current.outcome = m.group(3)
        elif current is not None:
            current.tail.append(line)
            if not current.label and (p := PLAYBOOK.search(line)):
                current.label = p.group(1)


if __name__ == "__main__":
    sys.exit(main())
