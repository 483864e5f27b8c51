"""Rewrite the per-check toggle block of the hardening roles' defaults from the catalog.

    .venv/bin/python tools/gen_role_toggles.py        # after adding or retitling automated checks

Each automated check with `remediation.ansible_tags` gets `<role>_<id in snake case>: true` with its
id and title as the comment, in the role of its platform; tests/playbooks/test_catalog_tags.py
checks that every such check has one.
"""

from __future__ import annotations

import re
from pathlib import Path

from prakan.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[1]
ROLES = {"linux": "linux_baseline", "cisco_ios": "ios_baseline"}


def main() -> None:
    catalog = load_catalog()
    for platform, role in ROLES.items():
        lines = [
            f"{role}_{c.id.lower().replace('-', '_')}: true   # {c.id}: {c.title['en']}"
            for c in sorted(catalog.for_platform(platform), key=lambda c: c.id)
            if c.rule is not None and (c.remediation or {}).get("ansible_tags")
        ]
        path = ROOT / "playbooks" / "roles" / role / "defaults" / "main.yml"
        text = re.sub(rf"(?m)^{role}_[a-z]+_[a-z]+_\d+: true .*\n", "", path.read_text(encoding="utf-8"))
        path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(lines)} toggles")


if __name__ == "__main__":
    main()
