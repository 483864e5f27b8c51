"""Collection parts that need no lab: host keys, connection settings, command lines, scan status."""

from __future__ import annotations

import io
import stat
import subprocess
from pathlib import Path

import paramiko
import pytest
from click.testing import CliRunner
from lab.fakeios import new_host_key
from prakan.cli import cli
from prakan.collect.credentials import CredentialError, Target, target_for
from prakan.collect.hostkeys import HostKeyError, KnownHosts, fingerprint
from prakan.collect.linux import command_line
from prakan.commands.scan import exit_status
from prakan.evaluate import ResultsWriter
from prakan.inventory import load_inventory
from prakan.sources import Source

# --- host keys ---------------------------------------------------------------------------------


def test_fingerprint_matches_ssh_keygen(tmp_path: Path) -> None:
    key = new_host_key()
    pub = tmp_path / "k.pub"
    pub.write_text(f"{key.get_name()} {key.get_base64()}\n")
    out = subprocess.run(["ssh-keygen", "-lf", str(pub)], capture_output=True, text=True, check=True).stdout
    assert out.split()[1] == fingerprint(key)


def test_unknown_key_refused_then_recorded(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "known_hosts"
    key = new_host_key()
    with pytest.raises(HostKeyError, match=r"^unknown host key for r1 \(\[127\.0\.0\.1\]:2201\): SHA256:"):
        KnownHosts(path).verify("r1", "[127.0.0.1]:2201", key)
    assert not path.exists()
    kh = KnownHosts(path, accept_new=True)
    warning = kh.verify("r1", "[127.0.0.1]:2201", key)
    assert warning and fingerprint(key) in warning and kh.added == {"[127.0.0.1]:2201": fingerprint(key)}
    assert path.read_text() == f"[127.0.0.1]:2201 {key.get_name()} {key.get_base64()}\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KnownHosts(path).verify("r1", "[127.0.0.1]:2201", key) is None  # known now, no flag needed


def test_changed_key_is_refused_even_when_accepting_new(tmp_path: Path) -> None:
    old, new = new_host_key(), new_host_key()
    path = tmp_path / "known_hosts"
    path.write_text(f"10.0.0.5 {old.get_name()} {old.get_base64()}\n")
    with pytest.raises(HostKeyError) as exc:
        KnownHosts(path, accept_new=True).verify("web1", "10.0.0.5", new)
    assert str(exc.value).startswith(
        f"host key for web1 (10.0.0.5) changed: expected {fingerprint(old)}, got {fingerprint(new)}"
    )
    assert path.read_text().count("\n") == 1  # nothing recorded


def test_hashed_known_hosts_entries(tmp_path: Path) -> None:
    key = new_host_key()
    path = tmp_path / "known_hosts"
    path.write_text(f"{paramiko.HostKeys.hash_host('[10.0.0.9]:2222')} {key.get_name()} {key.get_base64()}\n")
    kh = KnownHosts(path)
    assert kh.verify("x", "[10.0.0.9]:2222", key) is None
    assert kh.known_types("10.0.0.9", 2222) == ["ssh-ed25519"]


# --- connection settings -----------------------------------------------------------------------


def test_target_from_ansible_vars() -> None:
    t = target_for(
        "web1",
        "linux",
        "10.0.0.5",
        {
            "ansible_user": "ops",
            "ansible_port": "2222",
            "ansible_become": "yes",
            "ansible_ssh_private_key_file": "~/.ssh/id_ops",
            "vault_sudo": "s3cret",
            "ansible_become_password": "{{ vault_sudo }}",
        },
    )
    assert (t.user, t.port, t.become, t.become_password) == ("ops", 2222, True, "s3cret")
    assert t.key_file and t.key_file.endswith("/.ssh/id_ops") and "~" not in t.key_file
    assert "s3cret" not in repr(t)
    with pytest.raises(CredentialError, match="ansible_user is not set"):
        target_for("r1", "cisco_ios", "10.0.0.1", {})
    with pytest.raises(CredentialError, match="single"):
        target_for("r1", "linux", "10.0.0.1", {"ansible_password": "{{ a | default('b') }}"})
    with pytest.raises(CredentialError, match="not a number"):
        target_for("r1", "linux", "10.0.0.1", {"ansible_port": "ssh"})


def test_vault_value_without_password_is_a_clear_error(tmp_path: Path) -> None:
    from ansible.parsing.vault import VaultLib, VaultSecret

    blob = VaultLib([("default", VaultSecret(b"pw"))]).encrypt("Sup3r").decode()
    inv = tmp_path / "hosts.yml"
    inv.write_text(
        "all:\n  hosts:\n    r1:\n      ansible_user: ops\n      ansible_password: !vault |\n"
        + "".join(f"        {ln}\n" for ln in blob.splitlines())
    )
    (tmp_path / "pw").write_text("pw\n")
    encrypted = load_inventory(inv).hosts["r1"]
    with pytest.raises(CredentialError, match="vault-encrypted: pass --vault-password-file"):
        target_for("r1", "cisco_ios", "10.0.0.1", encrypted.vars)
    decrypted = load_inventory(inv, vault_password_file=tmp_path / "pw").hosts["r1"]
    assert target_for("r1", "cisco_ios", "10.0.0.1", decrypted.vars).password == "Sup3r"


def test_command_lines_never_carry_the_password() -> None:
    src = Source("shadow", ("linux",), "cat /etc/shadow", "text", become=True)
    plain = Source("os_release", ("linux",), "cat /etc/os-release", "text")
    base = dict(name="h", platform="linux", address="10.0.0.5", port=22, user="ops")
    line, stdin = command_line(src, Target(**base, become=True))  # type: ignore[arg-type]
    assert line.startswith("sudo -n -- sh -c ") and stdin is None and "LC_ALL=C" in line
    line, stdin = command_line(src, Target(**base, become=True, become_password="pw!x"))  # type: ignore[arg-type]
    assert line.startswith("sudo -S -p '' -- sh -c ") and "pw!x" not in line and stdin == "pw!x\n"
    assert "exec </dev/null" in line  # the command itself can never read the password
    assert command_line(plain, Target(**base, become=True))[0].startswith("sh -c ")  # type: ignore[arg-type]
    assert command_line(src, Target(**base))[0].startswith("sh -c ")  # type: ignore[arg-type]  # no become


# --- scan exit status and usage errors ---------------------------------------------------------


def _results(*hosts: tuple[str | None, list[tuple[str, str]]]) -> dict:
    """The summary that results.json carries, built by the real writer."""
    writer = ResultsWriter(io.StringIO(), {})
    for i, (err, res) in enumerate(hosts):
        writer.add({"name": f"h{i}", "error": err, "results": [{"status": s, "severity": sev} for s, sev in res]}, None)
    return writer.close([])


def test_scan_exit_status() -> None:
    clean = (None, [("pass", "critical"), ("fail", "medium"), ("error", "low"), ("not_applicable", "high")])
    assert exit_status(_results(clean), "high")[0] == 0
    assert exit_status(_results(clean), "medium")[0] == 1
    assert exit_status(_results(clean), "low")[0] == 2  # an error result at the threshold
    failing = (None, [("fail", "high"), ("waived", "critical")])
    assert exit_status(_results(clean, failing), "high") == (1, {"hosts_in_error": 0, "failing": 1, "errors": 0})
    down = ("connection refused", [("error", "info")])
    assert exit_status(_results(failing, down), "critical")[0] == 2  # 2 wins over 1


def test_usage_errors_exit_3_for_every_command(tmp_path: Path) -> None:
    runner = CliRunner()
    empty = tmp_path / "empty.yml"
    empty.write_text("all:\n  children:\n    nobody: {}\n")
    for args, code in [
        (["scan", "--forks", "0"], 3),
        (["scan", "-i", str(tmp_path / "missing")], 3),
        (["scan", "-i", str(empty), "--fail-on", "urgent"], 3),
        (["scan", "-i", str(empty), "--evidence-dir", str(tmp_path / "ev")], 3),
        (["collect", "-i", str(empty), "--evidence-dir", str(tmp_path / "ev")], 3),
        (["collect", "--timeout", "0"], 3),
        (["evaluate", "--evidence-dir", str(tmp_path / "missing")], 3),
        (["lint", str(tmp_path / "missing")], 3),
        (["checks", "show", "NO-SUCH-001"], 3),
    ]:
        res = runner.invoke(cli, args)
        assert res.exit_code == code, (args, res.output)
    assert not (tmp_path / "ev").exists()


def test_the_sample_department_is_never_contacted(tmp_path: Path) -> None:
    """The bundled inventory is data: collect and scan refuse it before opening any connection."""
    from prakan.paths import SAMPLE_INVENTORY

    for command, code in (("collect", 3), ("scan", 3)):
        result = CliRunner().invoke(
            cli,
            [command, "-i", str(SAMPLE_INVENTORY), "--limit", "bkk-hq-r1", "--evidence-dir", str(tmp_path / command)],
        )
        assert result.exit_code == code and "data only" in result.output, result.output
        assert not (tmp_path / command).exists()


def test_dry_run_lists_hosts_and_only_catalog_commands() -> None:
    """--dry-run shows exactly what would be sent (read-only by construction) and connects to nothing."""
    from prakan.catalog import load_catalog
    from prakan.paths import SAMPLE_INVENTORY

    result = CliRunner().invoke(
        cli, ["collect", "--dry-run", "-i", str(SAMPLE_INVENTORY), "--limit", "bkk-hq-r1:bkk-hq-web1"]
    )
    assert result.exit_code == 0, result.output
    assert "# cisco_ios: 1 host(s): bkk-hq-r1" in result.output and "# linux: 1 host(s): bkk-hq-web1" in result.output
    sent = {line.split(": ", 1)[1] for line in result.output.splitlines() if not line.startswith("#")}
    catalog = {s.command for s in load_catalog().sources.values()}
    assert "show running-config" in sent and "sshd -T" in sent and sent <= catalog
    assert not any("configure" in cmd for cmd in sent)
