"""Review fixes that need no lab: known_hosts markers and corrupt lines, exit statuses outside the
collection loop, unsafe host names, evidence that cannot be written, read-only command guards."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import paramiko
import pytest
from click.testing import CliRunner
from lab.fakeios import new_host_key
from prakan.cli import cli
from prakan.collect import netdev, runner
from prakan.collect.credentials import Target
from prakan.collect.hostkeys import HostKeyError, KnownHosts, KnownHostsError, fingerprint
from prakan.collect.linux import UnsafeCommand, command_line
from prakan.evidence import HostEvidence
from prakan.sources import Source

# --- known_hosts -------------------------------------------------------------------------------


def _line(names: str, key: paramiko.PKey) -> str:
    return f"{names} {key.get_name()} {key.get_base64()}"


def test_revoked_key_is_refused_even_if_listed_and_never_recorded(tmp_path: Path) -> None:
    key, other = new_host_key(), new_host_key()
    path = tmp_path / "known_hosts"
    text = f"{_line('10.0.0.5', key)}\n@revoked * {key.get_name()} {key.get_base64()}\n"
    path.write_text(text)
    for accept_new in (False, True):
        kh = KnownHosts(path, accept_new=accept_new)
        for name in ("10.0.0.5", "[10.9.9.9]:2222"):  # revoked everywhere, known or not
            with pytest.raises(
                HostKeyError,
                match=r"^host key for web1 \(.+\) is revoked: SHA256:\S+ "
                r"\(ssh-ed25519\) is marked @revoked in ",
            ):
                kh.verify("web1", name, key)
    assert path.read_text() == text  # nothing recorded
    assert KnownHosts(path, accept_new=True).verify("web2", "10.0.0.6", other)  # other keys still work


def test_cert_authority_lines_are_skipped_not_trusted(tmp_path: Path) -> None:
    ca, host = new_host_key(), new_host_key()
    path = tmp_path / "known_hosts"
    path.write_text(f"# comment\n@cert-authority *.lab {ca.get_name()} {ca.get_base64()}\n{_line('10.0.0.7', host)}\n")
    kh = KnownHosts(path)
    assert kh.verify("h", "10.0.0.7", host) is None
    with pytest.raises(HostKeyError, match=r"^unknown host key"):  # a CA key is no host key
        kh.verify("x", "x.lab", ca)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("10.0.0.9 ssh-ed25519 !!!not-base64!!!", "not a valid known_hosts entry"),
        ("10.0.0.9 ssh-ed25519 AAAA", "not a valid known_hosts entry"),  # base64, but no key
        ("10.0.0.9 ssh-ed25519", "not a known_hosts entry"),
        ("@trusted * ssh-ed25519 AAAA", "unknown marker '@trusted'"),
        ("@revoked * ssh-ed25519 %%%", "not a valid known_hosts entry"),
    ],
)
def test_corrupt_known_hosts_line_is_an_error_naming_file_and_line(tmp_path: Path, bad: str, why: str) -> None:
    path = tmp_path / "known_hosts"
    path.write_text(f"{_line('10.0.0.1', new_host_key())}\n{bad}\n")
    with pytest.raises(KnownHostsError) as exc:
        KnownHosts(path)
    assert str(exc.value).startswith(f"{path}, line 2: {why}")


def test_corrupt_known_hosts_is_a_usage_error_on_the_cli(tmp_path: Path) -> None:
    inv = _inventory(tmp_path, "r1")
    kh = tmp_path / "kh"
    kh.write_text("@revoked * ssh-rsa =broken=\n")
    for command, code in (("collect", 3), ("scan", 3)):
        res = CliRunner().invoke(
            cli, [command, "-i", str(inv), "--known-hosts", str(kh), "--evidence-dir", str(tmp_path / command)]
        )
        assert res.exit_code == code and f"{kh}, line 1: not a valid known_hosts entry" in res.output, res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)  # no traceback


def test_recording_a_key_after_a_last_line_without_newline(tmp_path: Path) -> None:
    old, new = new_host_key(), new_host_key()
    path = tmp_path / "known_hosts"
    path.write_text(_line("10.0.0.1", old))  # hand-edited: no final newline
    assert KnownHosts(path, accept_new=True).verify("b", "10.0.0.2", new)
    assert path.read_text() == f"{_line('10.0.0.1', old)}\n{_line('10.0.0.2', new)}\n"
    kh = KnownHosts(path)
    assert kh.verify("a", "10.0.0.1", old) is None and kh.verify("b", "10.0.0.2", new) is None


# --- CLI exit statuses and usage errors ----------------------------------------------------------


def _inventory(tmp_path: Path, *names: str, platform: str = "cisco_ios") -> Path:
    """Hosts on 127.0.0.1 that these tests never reach: each fails before any connection."""
    hosts = "".join(
        f"    {n}:\n      ansible_host: 127.0.0.1\n      ansible_user: ops\n      prakan_platform: {platform}\n"
        for n in names
    )
    path = tmp_path / "hosts.yml"
    path.write_text("all:\n  hosts:\n" + hosts)
    return path


def _env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "PRAKAN_REDACTION_KEY": "k" * 64}


@pytest.fixture
def sigint_restored() -> Iterator[None]:
    """An interrupted command ignores further Ctrl-C until it exits; give pytest its handler back."""
    previous = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("sigint_restored")
def test_ctrl_c_before_collection_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import prakan.commands.collect as collect_cmd

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt  # what Ctrl-C raises while the inventory is being read

    monkeypatch.setattr(collect_cmd, "inventory_or_fail", interrupted)
    for command in ("collect", "scan"):
        res = CliRunner().invoke(cli, [command, "-i", str(_inventory(tmp_path, "r1"))], env=_env(tmp_path))
        assert res.exit_code == 130 and "interrupted (Ctrl-C)" in res.output and "Aborted" not in res.output
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # a second press cannot kill the exit


@pytest.mark.usefixtures("sigint_restored")
def test_ctrl_c_during_scan_evaluation_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import prakan.commands.scan as scan_cmd

    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(scan_cmd, "evaluate_to", interrupted)
    inv = _inventory(tmp_path, "j1", platform="junos")  # no collector: an error host, no connection
    res = CliRunner().invoke(
        cli,
        ["scan", "-q", "-i", str(inv), "--evidence-dir", str(tmp_path / "ev"), "--known-hosts", str(tmp_path / "kh")],
        env=_env(tmp_path),
    )
    assert res.exit_code == 130 and "Aborted" not in res.output, res.output
    assert (tmp_path / "ev" / "manifest.json").exists()


def test_evidence_dir_that_cannot_be_created_is_a_usage_error(tmp_path: Path) -> None:
    inv = _inventory(tmp_path, "r1")
    blocker = tmp_path / "regular_file"
    blocker.write_text("")
    for command, code in (("collect", 3), ("scan", 3)):
        res = CliRunner().invoke(
            cli,
            [command, "-i", str(inv), "--evidence-dir", str(blocker / "ev"), "--known-hosts", str(tmp_path / "kh")],
            env=_env(tmp_path),
        )
        assert res.exit_code == code, res.output
        assert f"cannot use {blocker / 'ev'} as the evidence directory: Not a directory" in res.output


@pytest.mark.parametrize("name", ["manifest", "results", "Results", ".hidden"])
def test_host_names_that_would_clash_with_run_files_are_refused(tmp_path: Path, name: str) -> None:
    inv = _inventory(tmp_path, "r1", name)
    for command, code in (("collect", 3), ("scan", 3)):
        res = CliRunner().invoke(
            cli, [command, "-i", str(inv), "--evidence-dir", str(tmp_path / command)], env=_env(tmp_path)
        )
        assert res.exit_code == code and f"host names that cannot be evidence files: {name!r}" in res.output
        assert not (tmp_path / command).exists()


def test_evidence_file_that_cannot_be_written_is_reported_and_exits_2(tmp_path: Path) -> None:
    """An I/O error (here: a directory where the file must go; a full disk behaves alike) loses
    neither the manifest nor the reason, and is never a silent exit 1."""
    inv = _inventory(tmp_path, "j1", "j2", platform="junos")
    ev = tmp_path / "ev"
    (ev / "j1.json").mkdir(parents=True)
    res = CliRunner().invoke(
        cli,
        ["collect", "-q", "-i", str(inv), "--evidence-dir", str(ev), "--known-hosts", str(tmp_path / "kh")],
        env=_env(tmp_path),
    )
    assert res.exit_code == 2, res.output
    assert "1 evidence file(s) could not be written" in res.output and "j1: evidence file not written: " in res.output
    m = json.loads((ev / "manifest.json").read_text())
    assert m["failed"]["j1"].startswith("evidence file not written: [Errno 21] Is a directory")
    assert set(m["write_errors"]) == {"j1"} and set(m["files"]) == {"j2.json"}
    assert m["failed"]["j2"].startswith("no collector for platform 'junos'")


# --- the run's file sink -------------------------------------------------------------------------


def test_closed_sink_never_replaces_a_recorded_file(tmp_path: Path) -> None:
    """After the manifest is being recorded, a host still running cannot overwrite its file."""
    sink = runner._Sink(tmp_path)
    name, digest = sink.write(HostEvidence(host="h1", platform="linux", error="interrupted (Ctrl-C)")) or ("", "")
    before = (tmp_path / name).read_bytes()
    sink.close()
    assert sink.write(HostEvidence(host="h1", platform="linux")) is None
    assert (tmp_path / name).read_bytes() == before and digest


def test_privileged_failure_makes_the_host_an_error() -> None:
    srcs = [
        Source("a", ("linux",), "true", "text", become=True),
        Source("b", ("linux",), "true", "text", become=True),
        Source("c", ("linux",), "true", "text"),
    ]
    from prakan.evidence import SourceResult

    ev = HostEvidence(
        host="h",
        platform="linux",
        sources={
            "a": SourceResult("true", "", rc=None, error="sudo authentication failed for ops (not retried, ...)"),
            "b": SourceResult("true", "", rc=None, error="sudo authentication failed for ops (not retried, ...)"),
            "c": SourceResult("true", "ok"),
        },
    )
    assert runner._privileged_failure(srcs, ev) == (
        "every privileged source failed (2): sudo authentication failed for ops (not retried, ...)"
    )
    ev.sources["b"] = SourceResult("true", "fine")
    assert runner._privileged_failure(srcs, ev) is None  # one privileged source worked: partial, not error
    assert runner._privileged_failure(srcs[2:], ev) is None  # nothing privileged asked


# --- read-only guards --------------------------------------------------------------------------


def test_linux_collector_refuses_multi_line_commands() -> None:
    t = Target(name="h", platform="linux", address="10.0.0.5", port=22, user="ops")
    for command in ("cat /etc/os-release\nrm -rf /tmp/x", "true\rreboot", "true\0x"):
        with pytest.raises(UnsafeCommand, match="is not a single line"):
            command_line(Source("s", ("linux",), command, "text"), t)


def test_ios_collector_refuses_anything_but_one_show_line() -> None:
    def src(command: str) -> Source:
        return Source("s", ("cisco_ios",), command, "text")

    assert netdev.refusal(src("show running-config")) is None
    assert netdev.refusal(src("show ip interface brief | include up")) is None
    for bad in (
        "configure terminal",
        "show run\nconfigure terminal",
        "show version\rreload",
        "write memory",
        "show",
        "sh run",
        " show version",
        "show version\x1bx",
    ):
        assert netdev.refusal(src(bad)) == (
            "refused to send `s`: only a single-line `show` command may be sent to a device"
        ), bad


def test_fingerprint_in_revoked_message(tmp_path: Path) -> None:
    key = new_host_key()
    path = tmp_path / "kh"
    path.write_text(f"@revoked 10.0.0.5 {key.get_name()} {key.get_base64()}\n")
    with pytest.raises(HostKeyError, match=fingerprint(key).replace("+", r"\+")):
        KnownHosts(path).verify("w", "10.0.0.5", key)
