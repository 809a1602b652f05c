#!/usr/bin/python3
"""Ansible module: this node's Galera state, for safe bootstrap and full-outage recovery."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: galera_state
short_description: Gather a MariaDB Galera node's state, recovering its position when needed
description:
  - Reports whether MariaDB runs, its live wsrep status (over the local socket), and the saved
    state in grastate.dat (cluster uuid, seqno, safe_to_bootstrap).
  - With I(recover=true), on a stopped node whose grastate.dat seqno is -1 (it was not shut down
    cleanly), runs C(mysqld --wsrep-recover) and parses the recovered position, so the node with
    the most advanced position can be chosen to bootstrap after a full outage.
  - Changes nothing on the node (wsrep-recover only reads the InnoDB logs).
options:
  datadir:
    description: MariaDB data directory.
    type: path
    default: /var/lib/mysql
  socket:
    description: Local MariaDB socket used to read the live status (as root, unix_socket auth).
    type: path
    default: /run/mysqld/mysqld.sock
  service:
    description: systemd unit of MariaDB.
    type: str
    default: mariadb
  recover:
    description: Run mysqld --wsrep-recover on a stopped node whose seqno is unknown (-1).
    type: bool
    default: false
  settle_timeout:
    description:
      - Seconds to keep re-reading a running node that is not yet Synced in a Primary component
        (joining, or re-forming the component after a restart), until it is or the time is up.
      - 0 reads once. The result is the last read; C(settled) says whether the node got there.
    type: int
    default: 0
author: stackha
"""

EXAMPLES = r"""
- name: Read the node's Galera state
  galera_state:
    recover: true
  register: galera_node
"""

RETURN = r"""
running:
  description: MariaDB's unit is active.
  type: bool
  returned: always
unit_state:
  description: systemctl is-active of the unit (active, activating, failed, inactive...).
  type: str
  returned: always
wsrep:
  description: Live wsrep status variables (empty when not running), e.g. wsrep_local_state.
  type: dict
  returned: always
uuid:
  description: Cluster state uuid, live when running, else from grastate.dat ("" when none).
  type: str
  returned: always
seqno:
  description: Last committed seqno (live, grastate.dat, or recovered); -1 when unknown.
  type: int
  returned: always
safe_to_bootstrap:
  description: grastate.dat safe_to_bootstrap flag.
  type: bool
  returned: always
position_source:
  description: Where seqno came from (live, grastate, recovered, none).
  type: str
  returned: always
settled:
  description: The node runs Synced in a Primary component.
  type: bool
  returned: always
"""

import os
import pwd
import re
import subprocess
import tempfile
import time
from typing import Any

from ansible.module_utils.basic import AnsibleModule

NIL_UUID = "00000000-0000-0000-0000-000000000000"
RECOVERED_RE = re.compile(r"Recovered position:\s*([0-9a-f-]{36}):(-?\d+)")
WSREP_KEYS = (
    "wsrep_on",
    "wsrep_ready",
    "wsrep_connected",
    "wsrep_cluster_name",
    "wsrep_cluster_state_uuid",
    "wsrep_cluster_status",
    "wsrep_cluster_size",
    "wsrep_local_state",
    "wsrep_local_state_comment",
    "wsrep_last_committed",
    "wsrep_node_name",
)


def parse_grastate(text: str) -> dict[str, Any]:
    """uuid/seqno/safe_to_bootstrap from grastate.dat; a nil uuid counts as no state."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and not key.startswith("#"):
            values[key.strip()] = value.strip()
    uuid = values.get("uuid", "")
    try:
        seqno = int(values.get("seqno", "-1"))
    except ValueError:
        seqno = -1
    return {
        "uuid": "" if uuid in ("", NIL_UUID) else uuid,
        "seqno": seqno,
        "safe_to_bootstrap": values.get("safe_to_bootstrap", "0") == "1",
    }


def parse_recovered(log: str) -> tuple[str, int] | None:
    """The last 'Recovered position: uuid:seqno' in a --wsrep-recover log, if any."""
    found = RECOVERED_RE.findall(log)
    if not found:
        return None
    uuid, seqno = found[-1]
    return ("" if uuid == NIL_UUID else uuid), int(seqno)


def _live_status(socket: str) -> dict[str, str]:
    import pymysql  # python3-pymysql on the node

    conn = pymysql.connect(unix_socket=socket, user="root", connect_timeout=5, read_timeout=10)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'wsrep%%'")
            status = {str(k).lower(): str(v) for k, v in cur.fetchall()}
            cur.execute(
                "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'wsrep_cluster_name', 'wsrep_node_name')"
            )
            status.update({str(k).lower(): str(v) for k, v in cur.fetchall()})
    finally:
        conn.close()
    return {k: status.get(k, "") for k in WSREP_KEYS}


def _recover(datadir: str) -> tuple[str, int] | None:
    fd, log = tempfile.mkstemp(prefix="wsrep-recover-", suffix=".log")
    os.close(fd)
    mysql = pwd.getpwnam("mysql")
    os.chown(log, mysql.pw_uid, mysql.pw_gid)  # mysqld writes it as the mysql user
    try:
        subprocess.run(
            ["mysqld", "--user=mysql", f"--datadir={datadir}", "--wsrep-recover", f"--log-error={log}"],
            capture_output=True,
            timeout=300,
            check=False,
        )
        with open(log, encoding="utf-8", errors="replace") as fh:
            return parse_recovered(fh.read())
    finally:
        os.unlink(log)


def settled(wsrep: dict[str, str]) -> bool:
    """Synced (state 4) in a Primary component."""
    return wsrep.get("wsrep_cluster_status") == "Primary" and wsrep.get("wsrep_local_state") == "4"


def _read_live(result: dict[str, Any], socket: str) -> None:
    """Update result with the live wsrep status (or wsrep_error) of a running node."""
    try:
        wsrep = _live_status(socket)
    except Exception as exc:
        result["wsrep_error"] = str(exc)
        return
    result.pop("wsrep_error", None)
    result["wsrep"] = wsrep
    uuid = wsrep.get("wsrep_cluster_state_uuid", "")
    if uuid and uuid != NIL_UUID:
        result["uuid"] = uuid
        result["seqno"] = int(wsrep.get("wsrep_last_committed") or -1)
        result["position_source"] = "live"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "datadir": {"type": "path", "default": "/var/lib/mysql"},
            "socket": {"type": "path", "default": "/run/mysqld/mysqld.sock"},
            "service": {"type": "str", "default": "mariadb"},
            "recover": {"type": "bool", "default": False},
            "settle_timeout": {"type": "int", "default": 0},
        },
        supports_check_mode=True,
    )
    p = module.params
    unit_state = subprocess.run(
        ["systemctl", "is-active", p["service"]], capture_output=True, text=True, check=False
    ).stdout.strip()
    running = unit_state == "active"
    grastate_path = os.path.join(p["datadir"], "grastate.dat")
    saved = {"uuid": "", "seqno": -1, "safe_to_bootstrap": False}
    if os.path.exists(grastate_path):
        with open(grastate_path, encoding="utf-8", errors="replace") as fh:
            saved = parse_grastate(fh.read())

    result: dict[str, Any] = {
        "changed": False,
        "running": running,
        "unit_state": unit_state,
        "wsrep": {},
        **saved,
        "position_source": "none",
    }
    if saved["uuid"] and saved["seqno"] >= 0:
        result["position_source"] = "grastate"
    if running:
        _read_live(result, p["socket"])
        deadline = time.monotonic() + p["settle_timeout"]
        while not settled(result["wsrep"]) and time.monotonic() < deadline:
            time.sleep(1)
            _read_live(result, p["socket"])
    elif p["recover"] and saved["uuid"] and saved["seqno"] < 0:
        recovered = _recover(p["datadir"])
        if recovered is None:
            result["recover_error"] = "mysqld --wsrep-recover printed no 'Recovered position'"
        elif recovered[0] and recovered[0] != saved["uuid"]:
            result["recover_error"] = f"recovered uuid {recovered[0]} differs from grastate.dat {saved['uuid']}"
        else:
            result["seqno"] = recovered[1]
            result["position_source"] = "recovered"
    result["settled"] = settled(result["wsrep"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
