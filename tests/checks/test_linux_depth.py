"""The Linux depth additions: persistent sysctls in systemd's order, the new sources' commands, redaction."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from catalog_history import CHECKS_AT_CAPTURE
from prakan.catalog import Catalog
from prakan.checkfuncs import BUILTIN
from prakan.evaluate import SourceCache
from prakan.evidence import sha256_text
from prakan.parse import ParseError, parse_flat_config
from prakan.parse.sysctl_d import parse_sysctl_files
from prakan.redact import redact_text
from prakan.rules import Context, compile_rule


def _value(text: str, key: str) -> tuple[str | None, str | None]:
    kv = parse_sysctl_files(text)
    values, lines = kv.get(key), kv.lines_of(key)
    return (values[0] if values else None), (lines[0].text if lines else None)


def test_file_names_decide_the_order_whatever_the_directory() -> None:
    text = (
        "### /etc/sysctl.d/10-early.conf\nkernel.sysrq = 0\n### /usr/lib/sysctl.d/50-default.conf\nkernel.sysrq = 16\n"
    )
    # 50-default.conf sorts after 10-early.conf, so the vendor value wins although /etc has higher priority
    assert _value(text, "kernel.sysrq") == ("16", "/usr/lib/sysctl.d/50-default.conf: kernel.sysrq = 16")


def test_a_same_named_file_in_etc_hides_the_vendor_file_and_dev_null_masks_it() -> None:
    vendor = "### /usr/lib/sysctl.d/50-default.conf\nkernel.sysrq = 16\nnet.ipv4.conf.all.rp_filter = 2\n"
    override = vendor + "### /etc/sysctl.d/50-default.conf\nkernel.sysrq = 0\n"
    assert _value(override, "kernel.sysrq")[0] == "0"
    assert _value(override, "net.ipv4.conf.all.rp_filter") == (None, None)  # the vendor file is not read at all
    masked = vendor + "### /etc/sysctl.d/50-default.conf -> /dev/null\n"
    assert _value(masked, "kernel.sysrq") == (None, None)
    assert parse_sysctl_files(masked).order == []
    # /lib/sysctl.d (merged /usr on Debian) repeats /usr/lib/sysctl.d: one file, read once
    dup = vendor + vendor.replace("/usr/lib/", "/lib/")
    assert parse_sysctl_files(dup).order == ["/usr/lib/sysctl.d/50-default.conf"]


def test_etc_sysctl_conf_is_applied_last_and_systemd_syntax_is_understood() -> None:
    text = (
        "### /etc/sysctl.conf\nkernel/yama/ptrace_scope=0\n"
        "### /etc/sysctl.d/99-zz.conf\n-kernel.yama.ptrace_scope = 2\n; a comment\n"
        "net.ipv4.conf.*.rp_filter = 2\n### /run/sysctl.d/60-x.conf\nnet.ipv4.conf.all.rp_filter = 1\n"
    )
    assert _value(text, "kernel.yama.ptrace_scope") == ("0", "/etc/sysctl.conf: kernel/yama/ptrace_scope=0")
    # a glob sets every matching key that no line sets explicitly, whatever the order (systemd-sysctl)
    assert _value(text, "net.ipv4.conf.eth0.rp_filter")[0] == "2"
    assert _value(text, "net.ipv4.conf.all.rp_filter") == (
        "1",
        "/run/sysctl.d/60-x.conf: net.ipv4.conf.all.rp_filter = 1",
    )
    assert parse_sysctl_files(text).order == ["/run/sysctl.d/60-x.conf", "/etc/sysctl.d/99-zz.conf", "/etc/sysctl.conf"]


def test_a_bare_dash_key_excludes_it_from_globs_as_rhel_50_default_does() -> None:
    text = (
        "### /usr/lib/sysctl.d/50-default.conf\nnet.ipv4.conf.default.rp_filter = 2\n"
        "net.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n"
    )
    assert _value(text, "net.ipv4.conf.all.rp_filter")[0] is None  # left to the kernel default
    assert _value(text, "net.ipv4.conf.eth0.rp_filter")[0] == "2"
    assert (
        _value(
            text + "### /etc/sysctl.d/60-prakan.conf\nnet.ipv4.conf.all.rp_filter = 1\n", "net.ipv4.conf.all.rp_filter"
        )[0]
        == "1"
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        ("kernel.sysrq = 0\n", "before the first"),
        ("### /etc/sysctl.d/10-a.conf\nkernel.sysrq\n", "not `key = value`"),
        ("### /home/user/evil.conf\nkernel.sysrq = 1\n", "not in a sysctl.d directory"),
    ],
)
def test_text_that_is_not_a_sysctl_d_printout_is_refused(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_sysctl_files(text)


def test_an_unreadable_sysctl_file_is_an_error_not_an_absent_file(catalog: Catalog) -> None:
    src = catalog.sources["sysctl_persistent"]
    with pytest.raises(ParseError, match="could not be read"):
        src.parse(
            "### /usr/lib/sysctl.d/50-pid-max.conf\nkernel.pid_max = 4194304\n#!unreadable /etc/sysctl.d/60-x.conf\n",
            "linux",
        )
    assert src.parse("", "linux").get("kernel.sysrq") is None  # no file at all: nothing is set at boot


def test_the_command_prints_what_the_parser_reads(tmp_path: Path, catalog: Catalog) -> None:
    """Run the real source command against a scratch tree (paths rewritten into tmp_path)."""
    root = tmp_path
    (root / "etc/sysctl.d").mkdir(parents=True)
    (root / "usr/lib/sysctl.d").mkdir(parents=True)
    (root / "usr/lib/sysctl.d/50-vendor.conf").write_text("kernel.sysrq = 16\nkernel.kptr_restrict = 0")  # no newline
    (root / "usr/lib/sysctl.d/60-other.conf").write_text("kernel.dmesg_restrict = 0\n")
    (root / "etc/sysctl.d/60-other.conf").symlink_to("/dev/null")
    (root / "etc/sysctl.d/70-prakan.conf").write_text("kernel.kptr_restrict = 2\n")
    (root / "etc/sysctl.conf").write_text("# nothing\n")
    command = catalog.sources["sysctl_persistent"].command
    for d in ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"):
        command = command.replace(f" {d}/", f" {root}{d}/")
    command = command.replace(" /etc/sysctl.conf;", f" {root}/etc/sysctl.conf;")
    out = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=True).stdout
    out = out.replace(str(root), "")
    kv = catalog.sources["sysctl_persistent"].parse(out, "linux")
    assert kv.get("kernel.sysrq") == ["16"]
    assert kv.get("kernel.kptr_restrict") == ["2"]  # 70-prakan.conf sorts after 50-vendor.conf
    assert kv.get("kernel.dmesg_restrict") is None  # masked by /etc/sysctl.d/60-other.conf -> /dev/null
    assert kv.order == ["/usr/lib/sysctl.d/50-vendor.conf", "/etc/sysctl.d/70-prakan.conf", "/etc/sysctl.conf"]


def test_grub_password_hashes_are_redacted() -> None:
    text = 'set superusers="root"\npassword_pbkdf2 root grub.pbkdf2.sha512.10000.ABCDEF.123456\n'
    text += "GRUB2_PASSWORD=grub.pbkdf2.x\n"
    out, count = redact_text(text, "linux", b"k" * 32)
    assert count == 2 and "grub.pbkdf2" not in out and "password_pbkdf2 root <redacted:prakan:" in out


def test_a_literal_first_word_followed_by_optional_space_still_matches_key_equals_value() -> None:
    rule = compile_rule(
        {"capture": "^Storage\\s*=\\s*(\\S+)", "in": ["none"]},
        source="c",
        source_kinds={"c": "config"},
        functions=BUILTIN,
        where="t",
    )
    tree = parse_flat_config("[Coredump]\nStorage=none\n")
    assert rule(Context("h", {}, lambda _: tree)).status == "pass"


def test_a_failing_all_shows_the_passing_parts_of_other_sources(catalog: Catalog) -> None:
    check = catalog.checks["LNX-KERN-005"]
    (sample,) = [s for s in check.samples["fail"] if isinstance(s, dict) and "weakens" in s.get("name", "")]
    texts = sample["evidence"]
    doc = {"sources": {n: {"command": n, "rc": 0, "output": t, "sha256": sha256_text(t)} for n, t in texts.items()}}
    assert check.rule is not None
    out = check.rule(Context("h", {}, SourceCache(doc, catalog, "linux")))
    assert out.status == "fail"
    assert out.lines[0]["source"] == "sysctl_persistent" and out.lines[0]["text"].startswith("/etc/sysctl.d/99-zz")
    assert "sysctl" in {ln["source"] for ln in out.lines[1:]}  # the compliant running value, shown after


def test_the_new_areas_and_their_remediation_contract(catalog: Catalog) -> None:
    linux = [c for c in catalog.for_platform("linux") if c.kind == "automated"]
    prefixes = {c.id.rsplit("-", 1)[0] for c in linux}
    for area in ("LNX-AIDE", "LNX-MAC", "LNX-SUDO", "LNX-BOOT", "LNX-MNT", "LNX-MOD", "LNX-SESS", "LNX-CORE"):
        assert area in prefixes, area
    new = [c for c in linux if c.id not in CHECKS_AT_CAPTURE]
    assert len(new) >= 60
    # the ComplianceAsCode rules that assess the same setting (one has no counterpart there)
    assert len([c for c in new if c.refs.get("ssg")]) >= len(new) - 2
    for c in new:
        assert {"pass", "fail", "error"} <= set(c.samples), c.id
        assert ("ansible_tags" in c.remediation) != ("not_automated" in c.remediation), c.id
