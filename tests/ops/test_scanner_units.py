"""The nightly job: the role's systemd units and wrapper, rendered by Ansible itself.

* `systemd-analyze verify` and `systemd-analyze security --offline=yes` on the rendered units
  (the exposure score is printed and must stay low);
* the wrapper for real, with `prakan scan` against simulated IOS devices: one run at a time (a run
  started while another holds the lock logs that and leaves every file alone), retention of the
  newest N runs, the `latest` link, no scan without a redaction key;
* ansible-lint (production profile) and yamllint on the role and the playbooks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab import MINIMAL_IOS, fakeios
from lab.inventory import write_inventory
from lab.keys import KeyPair
from prakan.paths import ROOT

pytest_plugins = ["lab.fixtures"]

BIN = Path(sys.executable).parent
ROLE = ROOT / "playbooks" / "roles" / "prakan_scanner"
EXPOSURE_LIMIT = 1.5  # systemd-analyze security: 0 = fully locked down, 10 = no sandboxing at all
MY_FILES = [ROOT / "playbooks" / "scanner_host.yml", ROOT / "playbooks" / "collect_evidence.yml", ROLE]


def render(root: Path, **overrides: Any) -> Path:
    """Render the role's units and wrapper under `root` with Ansible's template module."""
    (root / "etc/systemd/system").mkdir(parents=True, exist_ok=True)
    (root / "opt/prakan/bin").mkdir(parents=True, exist_ok=True)
    extra = root.parent / f"{root.name}-vars.json"
    extra.write_text(json.dumps(overrides))
    play = root.parent / f"{root.name}-render.yml"
    play.write_text(
        json.dumps(
            [
                {
                    "name": "render",
                    "hosts": "localhost",
                    "connection": "local",
                    "gather_facts": False,
                    "vars_files": [str(ROLE / "defaults" / "main.yml")],
                    "tasks": [
                        {
                            "name": f"render {t}",
                            "ansible.builtin.template": {
                                "src": str(ROLE / "templates" / f"{t}.j2"),
                                "dest": str(root / d),
                                "mode": m,
                            },
                        }
                        for t, d, m in (
                            ("prakan-scan.service", "etc/systemd/system/prakan-scan.service", "0644"),
                            ("prakan-scan.timer", "etc/systemd/system/prakan-scan.timer", "0644"),
                            ("prakan-nightly.sh", "opt/prakan/bin/prakan-nightly", "0755"),
                        )
                    ],
                }
            ]
        )
    )
    env = {
        **os.environ,
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
    }
    proc = subprocess.run(
        [str(BIN / "ansible-playbook"), str(play), "-e", f"@{extra}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return root


def _systemd_root(root: Path) -> None:
    """systemd-analyze --root needs the stock units (sysinit.target, ...) beside ours."""
    stock = Path("/usr/lib/systemd/system")
    if not stock.is_dir() or shutil.which("systemd-analyze") is None:
        pytest.skip("systemd is not installed (scripts/lab-deps.sh installs it)")
    shutil.copytree(stock, root / "usr/lib/systemd/system", symlinks=True, dirs_exist_ok=True)


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = render(tmp_path_factory.mktemp("units") / "root")
    _systemd_root(root)
    return root


def _analyze(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", *args, f"--root={root}"], capture_output=True, text=True, timeout=120, cwd=root
    )


def test_units_verify(units: Path) -> None:
    svc, timer = units / "etc/systemd/system/prakan-scan.service", units / "etc/systemd/system/prakan-scan.timer"
    proc = _analyze(units, "verify", "--man=no", str(svc), str(timer))
    assert proc.returncode == 0 and not proc.stderr.strip(), proc.stderr
    text = svc.read_text()
    wanted = (
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "User=prakan",
        "ReadWritePaths=/var/lib/prakan",
        "CapabilityBoundingSet=\n",
        "ExecStart=/opt/prakan/bin/prakan-nightly",
        "LoadCredential=redaction.key:/etc/prakan/",
    )
    for directive in wanted:
        assert directive in text, directive
    assert re.findall(r"^ReadWritePaths=(.*)$", text, re.M) == ["/var/lib/prakan"]  # nowhere else
    assert "Persistent=true" in timer.read_text() and "OnCalendar=*-*-* 01:30:00" in timer.read_text()


def test_a_broken_unit_fails_verify(units: Path, tmp_path: Path) -> None:
    """The verify step can fail: a unit whose ExecStart does not exist is refused."""
    svc = units / "etc/systemd/system/prakan-scan.service"
    bad = units / "etc/systemd/system/prakan-broken.service"
    bad.write_text(svc.read_text().replace("/opt/prakan/bin/prakan-nightly", "/opt/prakan/bin/missing"))
    try:
        proc = _analyze(units, "verify", "--man=no", str(bad))
        assert proc.returncode != 0 and "missing" in proc.stderr
    finally:
        bad.unlink()


def test_exposure_score(units: Path) -> None:
    svc = units / "etc/systemd/system/prakan-scan.service"
    proc = _analyze(units, "security", "--offline=yes", "--no-pager", str(svc))
    m = re.search(r"Overall exposure level for prakan-scan.service: ([0-9.]+) (\w+)", proc.stdout)
    assert m, proc.stdout[-2000:] + proc.stderr
    score = float(m.group(1))
    print(f"\nsystemd-analyze security exposure of prakan-scan.service: {score} {m.group(2)}")
    assert score <= EXPOSURE_LIMIT, proc.stdout
    # and with the optional management-network allow list it only gets better
    root = render(units.parent / "allow", prakan_scanner_ip_allow=["10.0.0.0/8", "192.0.2.0/24"])
    _systemd_root(root)
    svc2 = root / "etc/systemd/system/prakan-scan.service"
    assert "IPAddressDeny=any" in svc2.read_text()
    assert _analyze(root, "verify", "--man=no", str(svc2)).returncode == 0
    m2 = re.search(
        r"exposure level for prakan-scan.service: ([0-9.]+)",
        _analyze(root, "security", "--offline=yes", "--no-pager", str(svc2)).stdout,
    )
    assert m2 and float(m2.group(1)) < score


# --- the wrapper, for real -------------------------------------------------------------------


class Nightly:
    """The rendered wrapper, wired to a lab inventory of simulated devices and a scratch state dir."""

    def __init__(self, base: Path, inventory: Path, **overrides: Any) -> None:
        self.state = base / "state"
        self.config = inventory.parent
        (self.config / "redaction.key").write_text("0123456789abcdef" * 4 + "\n")
        self.root = render(
            base / "root",
            prakan_scanner_venv=str(Path(sys.prefix)),
            prakan_scanner_state_dir=str(self.state),
            prakan_scanner_config_dir=str(self.config),
            prakan_scanner_inventory_dir=str(inventory),
            **overrides,
        )
        self.script = self.root / "opt/prakan/bin/prakan-nightly"
        (self.state / "runs").mkdir(parents=True)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PRAKAN_REDACTION_KEY", "CREDENTIALS_DIRECTORY")}
        return env | {"HOME": str(self.state), "XDG_CONFIG_HOME": str(self.state / "config")}

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            ["/bin/sh", str(self.script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env()
        )

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["/bin/sh", str(self.script)], capture_output=True, text=True, env=self.env(), timeout=300
        )

    def runs(self) -> list[str]:
        return sorted(p.name for p in (self.state / "runs").iterdir() if p.name != "latest")


def _tree(path: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(path)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in path.rglob("*")
        if not p.is_symlink()
    }


@pytest.fixture
def devices() -> Iterator[list[fakeios.Device]]:
    devs = fakeios.start([fakeios.DeviceSpec(f"NIGHT{i}", MINIMAL_IOS.format(name=f"NIGHT{i}")) for i in range(2)])
    try:
        yield devs
    finally:
        for d in devs:
            d.stop()


def test_retention_keeps_the_newest_runs(tmp_path: Path, devices: list[fakeios.Device], lab_keypair: KeyPair) -> None:
    inv = write_inventory(tmp_path / "inventory", [], devices, lab_keypair)
    job = Nightly(
        tmp_path,
        inv,
        prakan_scanner_keep_runs=2,
        prakan_scanner_timeout=30,
        prakan_scanner_post_commands=['echo "post $SCAN_STATUS" > "$RUN_DIR/post.txt"'],
    )
    seen = []
    for _ in range(3):
        proc = job.run()
        assert proc.returncode in (0, 1), proc.stderr[-3000:]  # 1: the minimal configs fail checks
        seen.append(re.search(r"scan (\d{8}T\d{6}Z) starting", proc.stderr).group(1))  # type: ignore[union-attr]
        run = job.state / "runs" / seen[-1]
        assert (run / "manifest.json").is_file() and (run / "results.json").is_file()
        assert (run / "post.txt").read_text().strip() == f"post {proc.returncode}"
        results = json.loads((run / "results.json").read_text())
        assert results["summary"]["hosts"] == 2 and results["summary"]["hosts_in_error"] == 0
    assert job.runs() == seen[1:]  # the oldest is gone, the newest two stay
    assert "retention: removed run " + seen[0] in proc.stderr
    assert os.readlink(job.state / "runs" / "latest") == seen[-1]
    mode = (job.state / "runs" / seen[-1] / "results.json").stat().st_mode & 0o777
    assert mode & 0o007 == 0, oct(mode)  # others never read evidence or results
    assert (job.state / "runs" / seen[-1]).stat().st_mode & 0o077 == 0  # run directories: umask 0077


def test_a_run_while_another_holds_the_lock_touches_nothing(tmp_path: Path, lab_keypair: KeyPair) -> None:
    hang = fakeios.Device(fakeios.DeviceSpec("HANG1", MINIMAL_IOS.format(name="HANG1"), behaviour="hang")).start()
    try:
        inv = write_inventory(tmp_path / "inventory", [], [hang], lab_keypair)
        job = Nightly(tmp_path, inv, prakan_scanner_timeout=8)
        first = job.start()
        deadline = time.monotonic() + 60
        while not job.runs() and time.monotonic() < deadline:  # the first scan is under way
            time.sleep(0.2)
        assert job.runs(), "the first scan never started"
        before = _tree(job.state)
        second = job.run()
        assert second.returncode == 0
        assert "previous scan is still running" in second.stderr and "skipped" in second.stderr
        assert "starting" not in second.stderr
        after = _tree(job.state)
        assert {k: v for k, v in after.items() if k in before} == {k: before[k] for k in before if k in after}
        assert set(after) >= set(before)  # the second run removed nothing
        assert first.poll() is None, "the first scan ended before the second tried"
        _, err = first.communicate(timeout=120)
        assert first.returncode == 2, err[-2000:]  # the hung device is a host in error
        assert len(job.runs()) == 1
    finally:
        hang.stop()


def test_no_redaction_key_no_scan(tmp_path: Path, devices: list[fakeios.Device], lab_keypair: KeyPair) -> None:
    inv = write_inventory(tmp_path / "inventory", [], devices, lab_keypair)
    job = Nightly(tmp_path, inv)
    (job.config / "redaction.key").unlink()
    proc = job.run()
    assert proc.returncode == 2 and "no redaction key" in proc.stderr
    assert job.runs() == []


# --- linters ---------------------------------------------------------------------------------


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.skip(f"{name} is not installed (the dev extra pins it)")
    return str(path)


def test_ansible_lint_production_profile() -> None:
    targets = [str(p) for p in MY_FILES if p.exists()]
    proc = subprocess.run(
        [_tool("ansible-lint"), "--profile", "production", "--nocolor", *targets],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]


def test_yamllint() -> None:
    targets = [str(p) for p in MY_FILES if p.exists()] + [str(ROOT / "requirements" / "collections.yml")]
    proc = subprocess.run([_tool("yamllint"), "-s", *targets], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
