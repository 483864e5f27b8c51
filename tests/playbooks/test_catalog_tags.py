"""The catalog and the playbooks agree: every automated check is fixed by a tagged task or says why not.

Generic over the catalog: a check added later (any platform) is held to the same contract, and a
failure names exactly the check ids at fault.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prakan.catalog import Check, load_catalog

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = ROOT / "playbooks"
ROLE_OF = {"linux": "linux_baseline", "cisco_ios": "ios_baseline"}  # platform -> the role that hardens it
NON_CHECK_TAGS = {"always"}


def _tags(node: Any) -> set[str]:
    """Every tag on a task, block or play anywhere under `node` (YAML anchors already resolved)."""
    found: set[str] = set()
    if isinstance(node, dict):
        tags = node.get("tags")
        if isinstance(tags, str):
            found.add(tags)
        elif isinstance(tags, list):
            found.update(map(str, tags))
        for v in node.values():
            found |= _tags(v)
    elif isinstance(node, list):
        for v in node:
            found |= _tags(v)
    return found


@functools.cache
def role_tags(role: str) -> frozenset[str]:
    tags: set[str] = set()
    for f in sorted((PLAYBOOKS / "roles" / role).glob("tasks/*.yml")):
        tags |= _tags(yaml.safe_load(f.read_text(encoding="utf-8")))
    return frozenset(tags)


def all_tags() -> dict[str, set[str]]:
    """Tag -> the files that carry it, over every playbook and role task file."""
    where: dict[str, set[str]] = {}
    for f in sorted(PLAYBOOKS.rglob("*.yml")):
        if "defaults" in f.parts or "vars" in f.parts or "meta" in f.parts:
            continue
        for t in _tags(yaml.safe_load(f.read_text(encoding="utf-8"))):
            where.setdefault(t, set()).add(str(f.relative_to(ROOT)))
    return where


@pytest.fixture(scope="module")
def automated() -> list[Check]:
    return [c for c in load_catalog().checks.values() if c.rule is not None]


def test_every_automated_check_has_a_task_or_a_reason(automated: list[Check]) -> None:
    tags_by_role = {role: role_tags(role) for role in set(ROLE_OF.values())}
    neither, both, untasked, no_role, half_reason = [], [], [], [], []
    for c in sorted(automated, key=lambda c: c.id):
        rem = c.remediation or {}
        tags, reason = rem.get("ansible_tags") or [], rem.get("not_automated")
        if tags and reason:
            both.append(c.id)
        elif not tags and not reason:
            neither.append(c.id)
        elif reason and not (isinstance(reason, dict) and reason.get("en") and reason.get("th")):
            half_reason.append(c.id)
        elif tags:
            roles = [ROLE_OF[p] for p in c.platforms if p in ROLE_OF]
            if not roles:
                no_role.append(f"{c.id} ({', '.join(c.platforms)})")
            missing = [t for t in tags for r in roles if t not in tags_by_role[r]]
            if missing:
                untasked.append(f"{c.id} (tags {', '.join(sorted(set(missing)))})")
    problems = {
        "checks with neither remediation.ansible_tags nor remediation.not_automated": neither,
        "checks with both ansible_tags and not_automated": both,
        "checks whose not_automated reason lacks `en` or `th`": half_reason,
        "checks whose ansible_tags no task of their platform's role carries": untasked,
        "checks with ansible_tags on a platform that no role hardens": no_role,
    }
    msg = "\n".join(f"{k}: {', '.join(v)}" for k, v in problems.items() if v)
    assert not msg, msg


def test_every_tag_names_a_check(automated: list[Check]) -> None:
    known = {t for c in automated for t in (c.remediation or {}).get("ansible_tags") or []}
    stray = {t: files for t, files in all_tags().items() if t not in known and t not in NON_CHECK_TAGS}
    assert not stray, "tags that name no check's remediation.ansible_tags: " + "; ".join(
        f"{t} ({', '.join(sorted(f))})" for t, f in sorted(stray.items())
    )


def test_tags_stay_on_their_platform(automated: list[Check]) -> None:
    """A Linux check's tag lives in linux_baseline only, an IOS check's in ios_baseline only."""
    wrong = []
    for c in automated:
        for tag in (c.remediation or {}).get("ansible_tags") or []:
            for platform, role in ROLE_OF.items():
                if platform not in c.platforms and tag in role_tags(role):
                    wrong.append(f"{c.id} in {role}")
    assert not wrong, "tags in the role of another platform: " + ", ".join(sorted(wrong))


def test_every_automated_check_has_a_documented_toggle(automated: list[Check]) -> None:
    missing = []
    for c in sorted(automated, key=lambda c: c.id):
        if not (c.remediation or {}).get("ansible_tags"):
            continue
        for p in c.platforms:
            role = ROLE_OF.get(p)
            if role is None:
                continue
            text = (PLAYBOOKS / "roles" / role / "defaults" / "main.yml").read_text(encoding="utf-8")
            name = f"{role}_{c.id.lower().replace('-', '_')}"
            if not re.search(rf"(?m)^{name}: true\s+# {re.escape(c.id)}: \S", text):
                missing.append(f"{c.id} ({name})")
    assert not missing, (
        "checks without a documented toggle in their role's defaults (run tools/gen_role_toggles.py): "
        + ", ".join(missing)
    )


def test_the_catalog_says_which_checks_are_by_hand() -> None:
    """`prakan checks list` shows the fix column; the not-automated ones say `by-hand`."""
    from click.testing import CliRunner
    from prakan.cli import cli

    out = CliRunner().invoke(cli, ["checks", "list", "--kind", "automated"]).output
    rows = {ln.split()[0]: ln.split()[4] for ln in out.splitlines() if ln[:3] in ("LNX", "IOS")}
    cat = load_catalog()
    for cid, fix in rows.items():
        rem = cat.checks[cid].remediation or {}
        assert fix == ("by-hand" if rem.get("not_automated") else "playbook"), cid
    assert sum(f == "by-hand" for f in rows.values()) >= 8
