"""Hostile inventories: no code runs, no read hangs, no bomb explodes; each is a positioned finding
for `prakan lint` and a clear InventoryError for the commands that load an inventory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from prakan.inventory import InventoryError, load_inventory
from prakan.inventory.ansible_api import IGNORED_NAMES, SAFE_PLUGINS, SafeInventoryManager, processed_sources

PRAKAN = str(Path(sys.executable).parent / "prakan")
HOSTS = (
    "all:\n  children:\n    site_lab:\n      hosts:\n"
    "        lab-r1: {ansible_host: 192.0.2.1, prakan_platform: linux}\n"
)


def _inventory(tmp_path: Path) -> Path:
    inv = tmp_path / "inv"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "host_vars").mkdir()
    (inv / "hosts.yml").write_text(HOSTS, encoding="utf-8")
    return inv


def _prakan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """In a subprocess with a time limit: a hang or a crash of the interpreter fails the test."""
    return subprocess.run([PRAKAN, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_an_executable_in_the_inventory_is_never_run(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    marker = tmp_path / "ran"
    script = inv / "zz.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\necho '{{}}'\n", encoding="utf-8")
    script.chmod(0o755)
    evaluate = ["evaluate", "--evidence-dir", str(tmp_path), "-i", str(inv), "-o", str(tmp_path / "r.json")]
    for args in (["lint", "-i", str(inv)], ["collect", "--dry-run", "-i", str(inv)], evaluate):
        res = _prakan(*args, cwd=tmp_path)
        assert not marker.exists(), (args, res.stdout, res.stderr)
    lint = _prakan("lint", "-i", str(inv), "--format", "json", cwd=tmp_path)
    findings = json.loads(lint.stdout)["findings"]
    assert any(f["rule"] == "INV020" and f["file"].endswith("zz.sh") for f in findings), findings


def _bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _link_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


CASES: dict[str, tuple[str, Callable[[Path], None] | str, str]] = {
    "alias bomb": ("group_vars/all.yml", _bomb(), "alias bomb"),
    "fifo in group_vars": ("group_vars/all.yml", _fifo, "not a regular file"),
    "fifo beside hosts.yml": ("extra.yml", _fifo, "not a regular file"),
    "link to /dev/zero": ("group_vars/all.yml", _link_to("/dev/zero"), "not a regular file"),
    "json nested 50,000 deep": ("host_vars/lab-r1.json", '{"x": ' + "[" * 50_000 + "]" * 50_000 + "}", "levels deep"),
    "yaml nested 1,000 deep": ("group_vars/all.yml", "x: " + "[" * 1000 + "]" * 1000 + "\n", "levels deep"),
    "block nesting": (
        "group_vars/all.yml",
        "".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v: 1\n",
        "levels deep",
    ),
    "alias refers to itself": ("group_vars/all.yml", "x: &x [1, *x]\n", "contains it"),
    "100,000-digit integer": ("group_vars/all.yml", "n: " + "9" * 100_000 + "\n", "cannot be read"),
    "link loop": ("loop", _link_to("loop"), "cannot read"),
    "directory link loop": ("sub/back", _link_to(".."), "loops back"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_file_is_a_positioned_finding_and_a_clear_error(case: str, tmp_path: Path) -> None:
    where, make, reason = CASES[case]
    inv = _inventory(tmp_path)
    path = inv / where
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(make, str):
        path.write_text(make, encoding="utf-8")
    else:
        make(path)
    res = _prakan("lint", "-i", str(inv), "--format", "json", cwd=tmp_path)
    assert res.returncode == 1, (res.returncode, res.stderr[-2000:])
    findings = json.loads(res.stdout)["findings"]
    hit = [f for f in findings if f["rule"] == "INV000" and reason in f["message"]]
    assert hit and hit[0]["file"].endswith(where.split("/")[-1]), findings
    if case not in ("directory link loop",):  # a loop in the tree is reported, the files are all read
        with pytest.raises(InventoryError, match=reason):
            load_inventory(inv)


def test_ansible_internals_still_behave_as_relied_on(tmp_path: Path) -> None:
    """ansible_api.py's uses of ansible-core internals; a new ansible-core that changes one fails here."""
    from ansible.parsing.dataloader import DataLoader

    inv = _inventory(tmp_path)
    manager = SafeInventoryManager(loader=DataLoader(), sources=[str(inv / "hosts.yml")])
    plugins = manager._fetch_inventory_plugins()  # called by parse_source for every source
    assert [p._load_name.rsplit(".", 1)[-1] for p in plugins] == list(SAFE_PLUGINS)
    assert processed_sources(manager) == [str(inv / "hosts.yml")]
    assert IGNORED_NAMES.search(b"hosts.retry") and IGNORED_NAMES.search(b"hosts.yml~")
    assert not IGNORED_NAMES.search(b"hosts.yml")
