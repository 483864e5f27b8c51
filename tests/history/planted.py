"""Two nights of the sample department: night 1 as committed, night 2 with planted changes.

Planted on night 2 (2026-11-22T19:00:00Z, a Sunday; night 1 was Saturday 2026-11-21T19:00:00Z):
  * bkk-hq-web1  a fix (PAM nullok removed: LNX-PAM-006 fail -> pass) and a new local admin account
                 with UID 0 (`svc-backup` in /etc/passwd and /etc/shadow)
  * bkk-hq-r1    an ACL line removed (ACL-WAN-IN entry 30), remote logging turned off (`logging host`
                 removed), a new local admin (`username backup privilege 15`), a TACACS key changed
                 (only its redaction token changes)
  * prv-acr-sw1  gone: no evidence, and removed from the inventory
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from evidence_edit import (
    copy_evidence,
    edit_source,
    inventory_without,
    remove_host,
    replace_line,
    set_collected_at,
)
from prakan.paths import SAMPLE_EVIDENCE, SAMPLE_INVENTORY, SAMPLE_MANIFEST_KEY

NIGHT2 = "2026-11-22T19:00:00Z"
GONE = "prv-acr-sw1"
NEW_TACACS_TOKEN = "<redacted:prakan:00c0ffee00c0ffee>"


@dataclass
class Nights:
    ev1: Path
    ev2: Path
    inv1: Path
    inv2: Path
    r1: Path
    r2: Path


def evaluate(evidence: Path, inventory: Path, out: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "prakan",
            "evaluate",
            "--evidence-dir",
            str(evidence),
            "-i",
            str(inventory),
            "-o",
            str(out),
            "--manifest-key",
            str(SAMPLE_MANIFEST_KEY),
            "--max-age",
            "0",
        ],
        check=True,
        capture_output=True,
    )
    return out


def plant(ev2: Path) -> None:
    set_collected_at(ev2, NIGHT2)
    edit_source(ev2, "bkk-hq-web1", "pam", lambda t: t.replace(" nullok", ""))
    edit_source(ev2, "bkk-hq-web1", "passwd", lambda t: t.rstrip("\n") + "\nsvc-backup:x:0:0::/root:/bin/bash\n")
    edit_source(
        ev2,
        "bkk-hq-web1",
        "shadow",
        lambda t: t.rstrip("\n") + "\nsvc-backup:$prakan$9f8e7d6c5b4a3921:20414:0:99999:7:::\n",
    )
    r1 = ev2 / "bkk-hq-r1.json"
    assert r1.exists()
    edit_source(ev2, "bkk-hq-r1", "running_config", replace_line(" 30 deny   ip 10.10.0.0 0.0.255.255 any log\n", ""))
    edit_source(ev2, "bkk-hq-r1", "running_config", replace_line("logging host 10.10.0.31\n", ""))
    edit_source(
        ev2,
        "bkk-hq-r1",
        "running_config",
        replace_line(
            "username prakan-audit privilege 15",
            "username backup privilege 15 secret 9 <redacted:prakan:5eed5eed5eed5eed>\n"
            "username prakan-audit privilege 15",
        ),
    )
    edit_source(
        ev2,
        "bkk-hq-r1",
        "running_config",
        replace_line(" key 7 <redacted:prakan:6e8abb2a7de505ff>", f" key 7 {NEW_TACACS_TOKEN}"),
    )
    remove_host(ev2, GONE)


def build(tmp: Path) -> Nights:
    ev1 = copy_evidence(SAMPLE_EVIDENCE, tmp / "night1")
    ev2 = copy_evidence(SAMPLE_EVIDENCE, tmp / "night2")
    plant(ev2)
    inv1 = tmp / "inventory1"
    shutil.copytree(SAMPLE_INVENTORY, inv1)
    inv2 = inventory_without(SAMPLE_INVENTORY, tmp / "inventory2", GONE)
    r1 = evaluate(ev1, inv1, ev1 / "results.json")
    r2 = evaluate(ev2, inv2, ev2 / "results.json")
    return Nights(ev1, ev2, inv1, inv2, r1, r2)
