"""Evidence that must not pass: no or an unsigned or forged manifest, stale or future evidence,
another device's configuration, empty never-empty sources, a missing `rc`, files that vanished,
symlinks, FIFOs, bombs; outputs that would overwrite inputs; a killed evaluate's temp files.

Each reproduction from the trust issue is here and gives `error` (or a usage error), never a pass.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from evidence_helpers import SAMPLE_EVALUATE, seal
from prakan.cli import cli
from prakan.evidence import HostEvidence, SourceResult, write_host, write_manifest
from prakan.paths import SAMPLE_EVIDENCE, SAMPLE_INVENTORY, SAMPLE_MANIFEST_KEY

SSHD_OK = "port 22\npermitrootlogin no\npasswordauthentication no\n"
NOW = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
ROUTER = "bkk-hq-core1"  # hardened in the sample: many passes
NONCOMPLIANT = "prv-nan-r1"


def linux(name: str = "h1", **kw: Any) -> HostEvidence:
    return HostEvidence(
        name, "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_OK, collected_at=NOW)}, collected_at=NOW, **kw
    )


def evaluate(ev: Path, *extra: str, code: int = 0, out_dir: Path | None = None) -> dict[str, Any]:
    out_dir = out_dir or ev.parent
    out = out_dir / f"results-{len(list(out_dir.glob('results-*')))}.json"
    res = CliRunner().invoke(cli, ["evaluate", "--evidence-dir", str(ev), "-o", str(out), *extra])
    assert res.exit_code == code, res.output
    return json.loads(out.read_text(encoding="utf-8")) if code == 0 else {"output": res.output}


def hosts(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["name"]: h for h in results["hosts"]}


def only_errors(host: dict[str, Any]) -> bool:
    return bool(host["results"]) and {r["status"] for r in host["results"]} <= {"error", "not_applicable"}


def sample_copy(tmp_path: Path, *names: str) -> Path:
    """Some hosts of the signed sample evidence, re-signed with the test key and dated now."""
    ev = tmp_path / "ev"
    ev.mkdir()
    for name in names:
        doc = json.loads((SAMPLE_EVIDENCE / f"{name}.json").read_text(encoding="utf-8"))
        doc["collected_at"] = NOW
        for src in doc["sources"].values():
            src["collected_at"] = NOW
        (ev / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    seal(ev)
    return ev


# ---- 4. the manifest: missing, unsigned, forged ----------------------------------------------


def test_the_signed_sample_passes_and_says_it_was_verified(tmp_path: Path) -> None:
    res = evaluate(
        SAMPLE_EVIDENCE,
        "-i",
        str(SAMPLE_INVENTORY),
        "--manifest-key",
        str(SAMPLE_MANIFEST_KEY),
        "--max-age",
        "0",
        "--limit",
        ROUTER,
        out_dir=tmp_path,
    )
    trust = res["run"]["evidence_trust"]
    assert trust["manifest"] == "signed" and trust["verified"] is True and trust["max_age_days"] is None
    (host,) = res["hosts"]
    assert host["evidence_verified"] is True and host["error"] is None
    assert sum(r["status"] == "pass" for r in host["results"]) > 40


def test_without_the_sample_key_the_sample_is_not_trusted(tmp_path: Path) -> None:
    res = evaluate(SAMPLE_EVIDENCE, "-i", str(SAMPLE_INVENTORY), "--max-age", "0", "--limit", ROUTER, out_dir=tmp_path)
    (host,) = res["hosts"]
    assert "signed with another key" in host["error"] and only_errors(host)
    assert host["evidence_verified"] is False and res["run"]["evidence_trust"]["manifest"] == "bad-signature"


def test_no_manifest_makes_every_host_an_error(tmp_path: Path) -> None:
    """The headquarters core's evidence given to a non-compliant router, manifest deleted: 63 passes before."""
    ev = sample_copy(tmp_path, ROUTER)
    doc = json.loads((ev / f"{ROUTER}.json").read_text(encoding="utf-8"))
    doc["host"] = NONCOMPLIANT
    (ev / f"{NONCOMPLIANT}.json").write_text(json.dumps(doc), encoding="utf-8")
    (ev / f"{ROUTER}.json").unlink()
    (ev / "manifest.json").unlink()
    res = hosts(evaluate(ev, "-i", str(SAMPLE_INVENTORY), "--limit", NONCOMPLIANT))
    host = res[NONCOMPLIANT]
    assert "no manifest.json" in host["error"] and only_errors(host)
    assert not any(r["status"] == "pass" for r in host["results"])


def test_a_run_killed_before_its_manifest_is_all_errors(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux())
    res = hosts(evaluate(ev))
    assert "no manifest.json" in res["h1"]["error"] and only_errors(res["h1"])


def test_forged_output_hash_and_manifest_are_refused(tmp_path: Path) -> None:
    """Edit the output, its SHA-256 and the manifest together: without the key, the signature fails."""
    ev = tmp_path / "ev"
    write_host(ev, linux())
    seal(ev)
    assert hosts(evaluate(ev))["h1"]["error"] is None
    doc = json.loads((ev / "h1.json").read_text(encoding="utf-8"))
    from prakan.evidence import sha256_text

    src = doc["sources"]["sshd_effective"]
    src["output"] = SSHD_OK.replace("permitrootlogin no", "permitrootlogin no\nx 1")
    src["sha256"] = sha256_text(src["output"])
    (ev / "h1.json").write_text(json.dumps(doc), encoding="utf-8")
    manifest = json.loads((ev / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    manifest["files"]["h1.json"] = hashlib.sha256((ev / "h1.json").read_bytes()).hexdigest()
    (ev / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")  # old signature kept
    host = hosts(evaluate(ev))["h1"]
    assert "does not match its content" in host["error"] and only_errors(host)
    seal(ev, key=b"an attacker's own key, not ours")  # re-signed with another key
    assert "signed with another key" in hosts(evaluate(ev))["h1"]["error"]


def test_unsigned_manifest_only_with_trust_unsigned_and_marked(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    _, digest = write_host(ev, linux())
    (ev / "manifest.json").write_text(json.dumps({"files": {"h1.json": digest}}), encoding="utf-8")
    host = hosts(evaluate(ev))["h1"]
    assert "carries no signature" in host["error"] and "--trust-unsigned" in host["error"]
    res = evaluate(ev, "--trust-unsigned")
    host = hosts(res)["h1"]
    assert host["error"] is None and host["evidence_verified"] is False
    assert res["run"]["evidence_trust"]["manifest"] == "unsigned" and not res["run"]["evidence_trust"]["verified"]
    assert "--trust-unsigned" in res["run"]["evidence_trust"]["detail"]


def test_a_bad_signature_is_never_accepted_even_with_trust_unsigned(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux())
    seal(ev, key=b"someone else's key entirely")
    assert "signed with another key" in hosts(evaluate(ev, "--trust-unsigned"))["h1"]["error"]


@pytest.mark.parametrize("content", ["[]", "null", "42", '"x"', "{", "{}", '{"files": 3}'])
def test_a_manifest_that_is_not_one_makes_every_host_an_error(tmp_path: Path, content: str) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux())
    (ev / "manifest.json").write_text(content, encoding="utf-8")
    host = hosts(evaluate(ev, "--trust-unsigned"))["h1"]
    assert host["error"] and "manifest" in host["error"] and only_errors(host)


def test_a_missing_key_file_is_a_usage_error(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux())
    seal(ev)
    out = evaluate(ev, "--manifest-key", str(tmp_path / "nope.key"), code=3)["output"]
    assert "nope.key" in out


# ---- 6. hosts that vanish, files that are not evidence ---------------------------------------


def test_a_listed_host_whose_file_is_gone_is_an_error_without_inventory(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux("h1"))
    write_host(ev, linux("h2"))
    seal(ev)
    (ev / "h2.json").unlink()
    res = evaluate(ev)
    assert "lists h2.json, but it is not in" in hosts(res)["h2"]["error"]
    assert res["summary"]["hosts_in_error"] == 1


def test_a_collect_manifest_host_without_a_file_is_an_error(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_manifest(
        ev,
        {
            "files": {},
            "hosts": {
                "r9": {"platform": "cisco_ios", "status": "error", "reason": "evidence file not written: disk full"}
            },
        },
    )
    host = hosts(evaluate(ev))["r9"]
    assert "disk full" in host["error"] and host["platform"] == "cisco_ios" and only_errors(host)


def test_symlinked_evidence_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_host(outside, linux("h1"))
    ev = tmp_path / "ev"
    ev.mkdir()
    (ev / "h1.json").symlink_to(outside / "h1.json")
    seal(ev)  # even listed with the right hash
    host = hosts(evaluate(ev))["h1"]
    assert "symbolic link" in host["error"] and not any(r["status"] == "pass" for r in host["results"])


def test_special_files_and_bombs_in_the_evidence_dir(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux("good"))
    seal(ev)
    os.mkfifo(ev / "fifo.json")
    (ev / "zero.json").symlink_to("/dev/zero")
    (ev / "loop.json").symlink_to(ev / "loop.json")
    (ev / "dir.json").mkdir()
    (ev / "deep.json").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    (ev / "deep1000.json").write_text('{"a":' * 1000 + "1" + "}" * 1000, encoding="utf-8")
    (ev / "bigint.json").write_text('{"format": "prakan-evidence", "version": ' + "9" * 100_000 + "}", encoding="utf-8")
    (ev / "null.json").write_text("null", encoding="utf-8")
    started = time.monotonic()
    res = hosts(evaluate(ev))
    assert time.monotonic() - started < 60
    assert res["good"]["error"] is None
    expect = {
        "fifo": "FIFO",
        "zero": "symbolic link",
        "loop": "symbolic link",
        "dir": "directory",
        "deep": "not valid JSON",
        "deep1000": "not valid JSON",
        "bigint": "not valid JSON",
        "null": "not a prakan evidence file",
    }
    for name, why in expect.items():
        assert why in (res[name]["error"] or ""), (name, res[name]["error"])


def test_an_oversized_evidence_file_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import prakan.trust

    ev = tmp_path / "ev"
    write_host(ev, linux())
    seal(ev)
    monkeypatch.setattr(prakan.trust, "MAX_EVIDENCE_BYTES", 100)
    assert "more than the 100 allowed" in hosts(evaluate(ev))["h1"]["error"]


def evaluate_unprivileged(ev: Path, code: int = 0) -> dict[str, Any]:
    """`evaluate` as a user the file modes apply to: as root (CI), `nobody` in a subprocess, since root
    reads any file; the evidence and output must then lie where `nobody` can reach them."""
    if os.geteuid() != 0:
        return evaluate(ev, code=code)
    out = ev.parent / "results.json"
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    env = {**os.environ, "HOME": str(ev.parent), "XDG_CACHE_HOME": str(ev.parent / "cache"), "PRAKAN_NO_CACHE": "1"}
    cmd = [sys.executable, "-m", "prakan", "evaluate", "--evidence-dir", str(ev), "-o", str(out)]
    probe = subprocess.run([*drop, sys.executable, "-c", "import prakan"], capture_output=True, env=env, timeout=60)
    if probe.returncode:
        pytest.skip(f"root reads any file, and `nobody` cannot run this checkout's Python: {probe.stderr[-200:]!r}")
    res = subprocess.run([*drop, *cmd], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == code, res.stderr
    return json.loads(out.read_text(encoding="utf-8")) if code == 0 else {"output": res.stderr}


@pytest.fixture
def shared_tmp(tmp_path: Path) -> Any:
    """A scratch directory `nobody` can enter and write (pytest's own are private to root)."""
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="prakan-unpriv-"))
    d.chmod(0o777)
    yield d
    for p in d.rglob("*"):
        p.chmod(0o700 if p.is_dir() else 0o600)
    shutil.rmtree(d)


def test_an_unreadable_evidence_file_is_an_error(shared_tmp: Path) -> None:
    ev = shared_tmp / "ev"
    write_host(ev, linux())
    seal(ev)
    ev.chmod(0o755)
    (ev / "manifest.json").chmod(0o644)
    (ev / "h1.json").chmod(0)
    assert "Permission denied" in hosts(evaluate_unprivileged(ev))["h1"]["error"]


# ---- 5. the wrong device, the wrong time, empty or exit-less outputs ---------------------------


def _ios(tmp_path: Path, name: str, config: str, collected_at: str = NOW) -> Path:
    ev = tmp_path / "ev"
    write_host(
        ev,
        HostEvidence(
            name,
            "cisco_ios",
            {"running_config": SourceResult("show running-config", config, rc=None, collected_at=collected_at)},
            collected_at=collected_at,
        ),
    )
    seal(ev)
    return ev


def test_a_running_config_of_another_device_is_an_error(tmp_path: Path) -> None:
    config = (Path(__file__).parent.parent / "checks" / "data" / "ios_xe17_hardened.cfg").read_text(encoding="utf-8")
    ev = _ios(tmp_path, "prv-kkn-r1", config)  # its hostname line says bkk-hq-rtr01
    host = hosts(evaluate(ev))["prv-kkn-r1"]
    assert "names hostname 'bkk-hq-rtr01', not this host" in host["error"] and only_errors(host)
    shutil.rmtree(ev)
    ev = _ios(tmp_path, "BKK-HQ-RTR01.example.go.th", config)  # case and domain do not matter
    assert hosts(evaluate(ev))["BKK-HQ-RTR01.example.go.th"]["error"] is None


def test_prakan_hostname_names_the_device(tmp_path: Path) -> None:
    import yaml

    config = (Path(__file__).parent.parent / "checks" / "data" / "ios_xe17_hardened.cfg").read_text(encoding="utf-8")
    ev = _ios(tmp_path, "core-a", config)
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "hosts.yml").write_text(
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {
                        "core-a": {
                            "ansible_host": "192.0.2.1",
                            "prakan_platform": "cisco_ios",
                            "prakan_role": "core_switch",
                            "prakan_hostname": "bkk-hq-rtr01",
                        }
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    assert hosts(evaluate(ev, "-i", str(inv)))["core-a"]["error"] is None


@pytest.mark.parametrize(
    ("delta", "extra", "why"),
    [
        (timedelta(days=400), (), "days old"),
        (timedelta(days=8), (), "older than the maximum of 7 days"),
        (timedelta(days=2), ("--max-age", "1"), "older than the maximum of 1 days"),
        (-timedelta(days=365), (), "dated in the future"),
        (-timedelta(hours=1), (), "dated in the future"),
    ],
)
def test_stale_and_future_evidence_is_an_error(
    tmp_path: Path, delta: timedelta, extra: tuple[str, ...], why: str
) -> None:
    when = (datetime.now(UTC) - delta).strftime("%Y-%m-%dT%H:%M:%SZ")
    ev = tmp_path / "ev"
    write_host(
        ev,
        HostEvidence(
            "h1", "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_OK, collected_at=when)}, collected_at=when
        ),
    )
    seal(ev)
    res = evaluate(ev, *extra)
    host = hosts(res)["h1"]
    assert why in host["error"] and only_errors(host)
    assert host["evidence_age_days"] is not None


def test_evidence_age_is_shown_and_a_small_skew_tolerated(tmp_path: Path) -> None:
    when = (datetime.now(UTC) + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ev = tmp_path / "ev"
    write_host(
        ev,
        HostEvidence(
            "h1", "linux", {"sshd_effective": SourceResult("sshd -T", SSHD_OK, collected_at=when)}, collected_at=when
        ),
    )
    seal(ev)
    res = evaluate(ev)
    assert hosts(res)["h1"]["error"] is None and res["run"]["evidence_trust"]["max_age_days"] == 7


def test_an_undated_source_is_an_error(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    doc = linux().to_json()
    doc["sources"]["sshd_effective"]["collected_at"] = "yesterday"
    (ev / "h1.json").write_text(json.dumps(doc), encoding="utf-8")
    seal(ev)
    assert "is not a UTC timestamp" in hosts(evaluate(ev))["h1"]["error"]


def test_a_linux_source_without_rc_is_an_error(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    ev.mkdir()
    doc = linux().to_json()
    del doc["sources"]["sshd_effective"]["rc"]
    (ev / "h1.json").write_text(json.dumps(doc), encoding="utf-8")
    seal(ev)
    r = next(r for r in hosts(evaluate(ev))["h1"]["results"] if r["check"] == "LNX-SSH-004")
    assert r["status"] == "error" and "has no `rc`" in r["reason"]


def test_empty_enabled_services_is_an_error_not_a_fail(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(
        ev,
        HostEvidence("h1", "linux", {"enabled_services": SourceResult("find", "", collected_at=NOW)}, collected_at=NOW),
    )
    seal(ev)
    r = next(r for r in hosts(evaluate(ev))["h1"]["results"] if r["check"] == "LNX-AUD-001")
    assert r["status"] == "error" and "never is on a real host" in r["reason"]


# ---- 8. outputs onto inputs ------------------------------------------------------------------


def test_evaluate_refuses_to_overwrite_its_inputs(tmp_path: Path) -> None:
    ev = tmp_path / "ev"
    write_host(ev, linux())
    seal(ev)
    before = {p.name: p.read_bytes() for p in ev.iterdir()}
    for target in (ev / "h1.json", ev / "manifest.json", ev / "new.json"):
        res = CliRunner().invoke(cli, ["evaluate", "--evidence-dir", str(ev), "-o", str(target)])
        assert res.exit_code == 3 and "would" in res.output, res.output
    inv = tmp_path / "inv"
    shutil.copytree(SAMPLE_INVENTORY, inv)
    hosts_yml = (inv / "hosts.yml").read_bytes()
    res = CliRunner().invoke(cli, ["evaluate", "--evidence-dir", str(ev), "-i", str(inv), "-o", str(inv / "hosts.yml")])
    assert res.exit_code == 3 and (inv / "hosts.yml").read_bytes() == hosts_yml
    assert {p.name: p.read_bytes() for p in ev.iterdir()} == before
    ok = CliRunner().invoke(cli, ["evaluate", "--evidence-dir", str(ev), "-o", str(ev / "results.json")])
    assert ok.exit_code == 0, ok.output  # the one name `prakan scan` writes beside its evidence


def test_evidence_import_refuses_to_write_into_its_inputs(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "r1.cfg").write_text("hostname r1\nend\n", encoding="utf-8")
    for out in (backups, backups / "sub"):
        res = CliRunner().invoke(
            cli, ["evidence", "import", "--platform", "cisco_ios", "--evidence-dir", str(out), str(backups)]
        )
        assert res.exit_code == 3 and "the input" in res.output, res.output
    assert sorted(p.name for p in backups.iterdir()) == ["r1.cfg"]
    ev = tmp_path / "ev"
    assert (
        CliRunner()
        .invoke(cli, ["evidence", "import", "--platform", "cisco_ios", "--evidence-dir", str(ev), str(backups)])
        .exit_code
        == 0
    )
    again = CliRunner().invoke(
        cli, ["evidence", "import", "--platform", "cisco_ios", "--evidence-dir", str(ev), str(backups)]
    )
    assert again.exit_code == 3 and "already holds" in again.output


def test_imported_evidence_is_signed_and_a_fifo_backup_is_an_error(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "r1.cfg").write_text("version 15.2\nhostname r1\nline vty 0 4\n transport input ssh\nend\n")
    os.mkfifo(backups / "r2.cfg")
    ev = tmp_path / "ev"
    res = CliRunner().invoke(
        cli,
        [
            "evidence",
            "import",
            "--platform",
            "cisco_ios",
            "--evidence-dir",
            str(ev),
            str(backups / "r1.cfg"),
            str(backups / "r2.cfg"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "FIFO" in res.output
    result = evaluate(ev)
    assert result["run"]["evidence_trust"]["verified"] is True
    assert hosts(result)["r1"]["evidence_verified"] is True


def test_refuse_output_inside() -> None:
    from prakan.trust import refuse_output_inside

    here = Path(__file__).parent
    assert refuse_output_inside(here / "x.json", here)
    assert refuse_output_inside(Path(__file__), Path(__file__))
    assert refuse_output_inside(here.parent / "x.json", here) is None
    assert refuse_output_inside("-", here) is None


# ---- 9. a killed evaluate leaves no temp files; a second collection into one directory ----------


def test_a_killed_evaluate_leaves_no_temp_files(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cmd = [
        sys.executable,
        "-m",
        "prakan",
        "evaluate",
        *SAMPLE_EVALUATE,
        "-o",
        str(out_dir / "results.json"),
    ]

    def start_and_kill(sig: int) -> None:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while not list(out_dir.glob(".results.json.*")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, "evaluate finished before it could be killed"
        proc.send_signal(sig)
        proc.wait(timeout=60)

    start_and_kill(signal.SIGTERM)  # unwinds: the temp file goes with it
    assert list(out_dir.iterdir()) == []
    start_and_kill(signal.SIGKILL)  # cannot unwind: the next write to the same path removes it
    assert list(out_dir.glob(".results.json.*"))
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out_dir.iterdir()] == ["results.json"]


def test_a_second_collection_into_one_directory_refuses(tmp_path: Path) -> None:
    import yaml
    from prakan.trust import directory_lock

    inv = tmp_path / "inv"
    inv.mkdir()
    one = {"r1": {"ansible_host": "127.0.0.1", "ansible_port": 9, "prakan_platform": "cisco_ios"}}
    (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": one}}), encoding="utf-8")
    ev = tmp_path / "ev"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PRAKAN_REDACTION_KEY": "k" * 32}
    with directory_lock(ev):  # a first collection is running
        res = CliRunner(env=env).invoke(cli, ["collect", "-i", str(inv), "--evidence-dir", str(ev), "-q"])
    assert res.exit_code == 3 and "in use by another prakan run" in res.output, res.output
    assert not (ev / "manifest.json").exists() and not (ev / "r1.json").exists()


def test_evidence_dir_inside_the_inventory_is_refused(tmp_path: Path) -> None:
    import yaml

    inv = tmp_path / "inv"
    inv.mkdir()
    one = {"r1": {"ansible_host": "127.0.0.1", "ansible_port": 9, "prakan_platform": "cisco_ios"}}
    (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {"hosts": one}}), encoding="utf-8")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PRAKAN_REDACTION_KEY": "k" * 32}
    res = CliRunner(env=env).invoke(cli, ["collect", "-i", str(inv), "--evidence-dir", str(inv / "ev"), "-q"])
    assert res.exit_code == 3 and "inside the input" in res.output, res.output


# ---- 2. the refused (truncated) configuration is redacted like any other -------------------------


def test_a_truncated_config_is_redacted_before_it_is_written() -> None:
    from prakan.redact import redact_evidence

    cut = "hostname r1\nenable algorithm-type scrypt secret TopSecret1\nsnmp-server community Comm1 RO\nusern"
    src = SourceResult("show running-config", cut, rc=None, truncated=True, error="truncated")
    ev = HostEvidence("r1", "cisco_ios", {"running_config": src})
    assert redact_evidence(ev, b"k" * 32) == 2
    out = ev.sources["running_config"].output
    assert "TopSecret1" not in out and "Comm1" not in out


def test_an_unreadable_evidence_directory_is_a_usage_error(shared_tmp: Path) -> None:
    ev = shared_tmp / "ev"
    write_host(ev, linux())
    seal(ev)
    ev.chmod(0)
    try:
        assert f"'{ev}' is not readable" in evaluate_unprivileged(ev, code=3)["output"]  # names it, says why
    finally:
        ev.chmod(0o755)
