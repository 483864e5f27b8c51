"""Review fixes checked against real sshd (lab namespace hosts) and the simulated IOS devices:
one sudo attempt per run, bounded stdout/stderr, timeouts naming the hung source, double Ctrl-C."""

from __future__ import annotations

import json
import signal
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from collect.test_collect_lab import collect, collect_until_stuck, env_for
from lab import MINIMAL_IOS, HostFactory, faults
from lab.golden import LAB_PASSWORD
from lab.hosts import Host, HostSpec
from lab.inventory import write_inventory
from lab.keys import Endpoint, KeyPair
from prakan.collect import linux
from prakan.collect.base import MAX_STDERR, CollectError, HostContext
from prakan.collect.credentials import Target
from prakan.collect.hostkeys import KnownHosts
from prakan.sources import Source

pytest_plugins = ["lab.fixtures"]
pytestmark = pytest.mark.lab

# pam_faillock as hardened hosts run it: 3 failures lock the account for 10 minutes.
FAILLOCK_SUDO = """\
auth required pam_faillock.so preauth deny=3 unlock_time=600
auth [success=1 default=bad] pam_unix.so
auth [default=die] pam_faillock.so authfail deny=3 unlock_time=600
auth sufficient pam_faillock.so authsucc deny=3 unlock_time=600
auth required pam_deny.so
@include common-account
@include common-session-noninteractive
"""


def _failures(host: Host, user: str = "lab") -> int:
    out = host.exec("faillock", "--user", user).stdout
    return sum(1 for ln in out.splitlines() if ln.rstrip().endswith(" V"))


def _set_become_password(inv: Path, host: str, password: str) -> None:
    doc = yaml.safe_load(inv.read_text())
    doc["all"]["children"]["platform_linux"]["hosts"][host]["ansible_become_password"] = password
    inv.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_wrong_become_password_is_tried_once_and_never_locks_the_account(
    lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path
) -> None:
    (host,) = lab_hosts(
        seeds=[
            HostSpec(
                name="lnx-lock", files={"/etc/sudoers.d/lab": "lab ALL=(ALL) ALL\n", "/etc/pam.d/sudo": FAILLOCK_SUDO}
            )
        ]
    )
    inv = write_inventory(tmp_path / "inventory", [host], [], lab_keypair)
    _set_become_password(inv, host.name, "not-the-sudo-password")
    env = env_for(tmp_path)
    run = collect(inv, tmp_path / "ev1", inv.parent / "known_hosts", env=env)

    assert run.proc.returncode == 1, run.proc.stderr  # every privileged source failed: the host is an error
    why = "sudo authentication failed for lab (not retried, to avoid locking the account): "
    reason = run.manifest["failed"][host.name]
    assert reason.startswith("every privileged source failed (") and why in reason
    sources = run.host(host.name)["sources"]
    privileged = {n: s for n, s in sources.items() if s["error"] and why in s["error"]}
    assert len(privileged) >= 3 and all(s["error"].endswith("incorrect password attempt") for s in privileged.values())
    assert any(s["error"] is None and s["output"] for s in sources.values())  # unprivileged ones were collected
    # one sudo call (pam_faillock counts the wrong line and the EOF after it): below deny=3
    assert _failures(host) == 2

    _set_become_password(inv, host.name, LAB_PASSWORD)
    good = collect(inv, tmp_path / "ev2", inv.parent / "known_hosts", env=env)
    assert good.proc.returncode == 0, good.proc.stderr  # the account is not locked
    assert not [n for n, s in good.host(host.name)["sources"].items() if s["error"] and "sudo" in s["error"]]


def _target(host: Host, key: KeyPair) -> Target:
    return Target(
        name=host.name,
        platform="linux",
        address=host.address,
        port=22,
        user="lab",
        key_file=str(key.private),
        become=True,
    )


def _known(host: Host, tmp_path: Path) -> KnownHosts:
    path = tmp_path / "kh"
    path.write_text(host.known_hosts_line() + "\n")
    return KnownHosts(path)


def _src(name: str, command: str) -> Source:
    return Source(name, ("linux",), command, "text")


def test_timeout_names_the_source_that_hung(lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path) -> None:
    (host,) = lab_hosts(1)
    sources = [_src("hangs", "sleep 60"), *(_src(f"quick{i}", "true") for i in range(6))]
    ctx = HostContext(host.name, timeout=3)
    with pytest.raises(CollectError) as exc:
        linux.collect(_target(host, lab_keypair), sources, ctx, _known(host, tmp_path))
    assert str(exc.value) == "timed out after 3 s while running `hangs`"


def test_output_floods_are_bounded(
    lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 MB on stderr keeps only its tail; stdout past the cap stops the read; neither fills memory.
    A two-line command is refused without being sent."""
    (host,) = lab_hosts(1)
    monkeypatch.setattr(linux, "MAX_OUTPUT", 1 << 20)
    sources = [
        _src("stderr_flood", "{ head -c 40000000 /dev/zero | tr '\\0' e; echo; echo LAST-LINE; } >&2; exit 3"),
        _src("stdout_flood", "head -c 40000000 /dev/zero"),
        _src("two_lines", "true\ntouch /tmp/pwned"),
        _src("fine", "echo ok"),
    ]
    tracemalloc.start()
    try:
        t0 = time.monotonic()
        ev = linux.collect(_target(host, lab_keypair), sources, HostContext(host.name, 60), _known(host, tmp_path))
        took = time.monotonic() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    res = ev.sources
    assert res["stderr_flood"].rc == 3 and res["stderr_flood"].error == "exit status 3: LAST-LINE"
    assert res["stdout_flood"].truncated and res["stdout_flood"].error == "output exceeded 1 MiB and was cut"
    assert len(res["stdout_flood"].output) == 1 << 20
    assert res["two_lines"].error == "refused to send `two_lines`: its command is not a single line"
    assert not (host.root / "tmp/pwned").exists()
    assert res["fine"].output == "ok\n" and res["fine"].error is None
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for 80 MB of output (stderr tail {MAX_STDERR})"
    assert took < 45


def test_two_ctrl_c_still_write_the_manifest(
    lab_hosts: HostFactory, lab_keypair: KeyPair, fault_hanging_device: Endpoint, tmp_path: Path
) -> None:
    proc, evidence = collect_until_stuck(lab_hosts, lab_keypair, fault_hanging_device, tmp_path)
    time.sleep(1.0)
    for _ in range(3):  # an impatient operator: the second press lands while the run is recorded
        proc.send_signal(signal.SIGINT)
        time.sleep(0.01)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    m = json.loads((evidence / "manifest.json").read_text())
    assert m["complete"] is False and m["succeeded"] == ["ok-host"] and m["interrupted"] == ["f-hang"]
    import hashlib

    for name, digest in m["files"].items():  # the files are those the manifest recorded
        assert hashlib.sha256((evidence / name).read_bytes()).hexdigest() == digest
    assert "manifest written" in err and "Traceback" not in err


def test_batched_sources_keep_each_output_and_status_exact(
    lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sources share a channel in batches; each keeps its exact bytes, exit status and error line, a
    marker-like line with another nonce is only output, and a flood in the middle of a batch cuts
    that source alone: the rest of its batch runs again, each on its own."""
    (host,) = lab_hosts(1)
    monkeypatch.setattr(linux, "MAX_OUTPUT", 1 << 20)
    fake_marker = "00000000000000000000000000000000 E 0 0"
    sources = [
        _src("no_newline", "printf 'abc'"),
        _src("empty", "true"),
        _src("blank_lines", "printf '\\n\\nx\\n\\n'"),
        _src("fails", "echo partial; echo first >&2; echo 'the last line' >&2; exit 4"),
        _src("looks_like_a_marker", f"printf '\\n{fake_marker}\\nafter\\n'; echo '{fake_marker}' >&2"),
        _src("flood", "head -c 3000000 /dev/zero"),
        _src("after_flood", "echo still here"),
        _src("exit_word", "exit 0"),
    ]
    assert len(linux.batches(sources)) == 1  # one channel, one shell for all of them
    ev = linux.collect(_target(host, lab_keypair), sources, HostContext(host.name, 60), _known(host, tmp_path))
    res = ev.sources
    assert (res["no_newline"].output, res["no_newline"].rc, res["no_newline"].error) == ("abc", 0, None)
    assert (res["empty"].output, res["empty"].rc) == ("", 0)
    assert res["blank_lines"].output == "\n\nx\n\n"
    fails = res["fails"]
    assert (fails.output, fails.rc, fails.error) == ("partial\n", 4, "exit status 4: the last line")
    assert res["looks_like_a_marker"].output == f"\n{fake_marker}\nafter\n" and res["looks_like_a_marker"].rc == 0
    assert res["flood"].truncated and len(res["flood"].output) == 1 << 20
    assert res["flood"].error == "output exceeded 1 MiB and was cut"
    assert (res["after_flood"].output, res["after_flood"].rc) == ("still here\n", 0)
    assert (res["exit_word"].output, res["exit_word"].rc, res["exit_word"].error) == ("", 0, None)
    assert {r.command for r in res.values()} == {s.command for s in sources}  # evidence names each source's own command


def test_sources_that_walk_file_systems_get_a_channel_of_their_own() -> None:
    walk = Source("walk", ("linux",), "find / -xdev", "text", become=True, slow=True)
    small = [Source(f"s{i}", ("linux",), "true", "text", become=i % 2 == 0) for i in range(30)]
    groups = linux.batches([*small, walk])
    assert groups[0] == [walk]
    assert all(len(g) <= linux.BATCH and len({s.become for s in g}) == 1 for g in groups)
    assert sorted(s.name for g in groups for s in g) == sorted(s.name for s in [*small, walk])


def test_a_hang_up_during_authentication_is_retried_not_called_a_wrong_credential(tmp_path: Path) -> None:
    """A server that closes the connection when offered credentials (a restart, MaxStartups) has said
    nothing about them: the collector calls it transient (retried), never "authentication failed"."""
    dev, ep = faults.fault_device("drop_at_auth", MINIMAL_IOS.format(name="F-DROP"), tmp_path)
    try:
        target = Target(ep.name, "linux", ep.address, ep.port, ep.username, password=ep.password)
        with pytest.raises(CollectError) as exc:
            linux.collect(target, [_src("x", "true")], HostContext(ep.name, 20), KnownHosts(ep.known_hosts))
    finally:
        dev.stop()
    assert exc.value.transient
    assert str(exc.value) == f"{ep.address}:{ep.port} closed the SSH connection during authentication"
