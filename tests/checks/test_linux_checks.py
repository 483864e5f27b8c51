"""The Linux checks: their embedded samples, references, rule functions, and two real Debian 12 hosts.

`data/linux_debian12_stock/` is the output of every Linux evidence source run on a stock Debian 12
system (shadow redacted; `nft` is not installed there, so `firewall` exited 127);
`data/linux_debian12_hardened/` is the same host after the changes each check's remediation asks for.
`sysctl_persistent.txt` was added later: in the stock directory it is the real printout of a stock
Debian 12 system's sysctl.d files; in the hardened one, the same plus the /etc/sysctl.d/60-prakan.conf
that the sysctl remediations write (with the hardened host's running values). The depth checks added
with it (AIDE, MAC, mounts, ...) read sources these hosts were never collected with and are covered
by their samples and the lab instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from catalog_history import CHECKS_AT_CAPTURE
from prakan.catalog import Catalog, Check
from prakan.checkfuncs import BUILTIN
from prakan.checktest import default_sample_vars, run_all
from prakan.evaluate import HostInfo, evaluate_host
from prakan.evidence import SourceResult
from prakan.parse import parse_flat_config, parse_kv
from prakan.rules import Context, EvidenceUnavailable, Outcome, compile_rule

DATA = Path(__file__).parent / "data"
PLATFORM = "linux"


@pytest.fixture(scope="module")
def linux_checks(catalog: Catalog) -> list[Check]:
    return [c for c in catalog.for_platform(PLATFORM) if c.kind == "automated"]


# --- the catalog ---------------------------------------------------------------------------


def test_at_least_150_automated_checks_with_pass_and_fail_samples(linux_checks: list[Check]) -> None:
    assert len(linux_checks) >= 150
    for check in linux_checks:
        assert check.samples.get("pass"), check.id
        assert check.samples.get("fail"), check.id


def test_every_sample_agrees(catalog: Catalog, linux_checks: list[Check]) -> None:
    results = run_all(catalog, linux_checks)
    assert len(results) >= 3 * 45
    bad = [f"{r.check} {r.expected} #{r.index}: got {r.got} ({r.detail})" for r in results if not r.ok]
    assert not bad, "\n".join(bad)
    with_error = {r.check for r in results if r.expected == "error"}
    assert len(with_error) >= 0.8 * len(linux_checks), "most checks must prove they fail closed"


def test_ids_tags_titles_and_severity(linux_checks: list[Check]) -> None:
    for check in linux_checks:
        assert re.fullmatch(r"LNX-[A-Z]{2,5}-\d{3}", check.id), check.id
        # a playbook task fixes it, or the check says (in both languages) why none does
        manual_fix = check.remediation.get("not_automated")
        assert check.remediation.get("ansible_tags") == [check.id] or (
            manual_fix and "ansible_tags" not in check.remediation and manual_fix["en"] and manual_fix["th"]
        ), check.id
        assert check.severity in ("critical", "high", "medium", "low"), check.id
        for text in (check.title, check.remediation):
            assert re.search(r"[\u0e00-\u0e7f]", text["th"]), f"{check.id}: Thai text is missing"
            assert text["en"].strip(), check.id
        assert check.path.parent.parent.name == PLATFORM, check.path


def test_refs_point_into_the_frameworks(catalog: Catalog, linux_checks: list[Check]) -> None:
    for check in linux_checks:
        assert check.refs.get("iso27001_2022") and check.refs.get("ncsa_cop_2564"), check.id
        assert all(re.fullmatch(r"\d+(\.\d+)+", v) for v in check.refs.get("cis", {}).values()), check.id
    for fw in ("iso27001_2022", "ncsa_cop_2564", "cis"):
        if fw not in catalog.frameworks:
            continue  # written by another helper; checked once it exists
        known = {c["id"] for c in catalog.frameworks[fw]["clauses"]}
        if fw == "cis":  # refs.cis maps a benchmark id (a clause of cis.yml) to a recommendation number
            unknown = [(c.id, key) for c in linux_checks for key in c.refs.get("cis", {}) if key not in known]
        else:
            unknown = [(c.id, ref) for c in linux_checks for ref in c.refs.get(fw, []) if ref not in known]
        assert not unknown, f"{fw}: {unknown}"


def test_role_and_category_applicability(catalog: Catalog) -> None:
    checks = catalog.checks
    assert not checks["LNX-NET-001"].applies(PLATFORM, "wan_router", "debian", "high")
    assert checks["LNX-NET-001"].applies(PLATFORM, "web", "debian", "high")
    assert not checks["LNX-SSH-011"].applies(PLATFORM, "bastion", "redhat", "high")
    assert not checks["LNX-LOG-001"].applies(PLATFORM, "syslog", "debian", "medium")
    assert not checks["LNX-PKG-006"].applies(PLATFORM, "web", "debian", "medium")
    assert checks["LNX-PKG-006"].applies(PLATFORM, "web", "debian", "high")
    assert not checks["LNX-SSH-006"].applies(PLATFORM, "web", "redhat", "low")


# --- rule functions: pending_security_updates ------------------------------------------------


def _call(name: str, source: str, kind: str, data: Any, **args: Any) -> Outcome:
    def load(wanted: str) -> Any:
        if wanted != source:
            raise EvidenceUnavailable(f"{wanted} was not collected")
        return data

    # Compiled as the catalog compiles it, so missing evidence becomes an `error` outcome.
    rule = compile_rule(
        {"function": name, "args": args}, source=source, source_kinds={source: kind}, functions=BUILTIN, where="test"
    )
    return rule(Context("unit", {}, load))


def _updates(text: str, **args: Any) -> Outcome:
    return _call("pending_security_updates", "pending_updates", "kv", parse_kv(text), **args)


APT_SECURITY = "pending Inst openssl [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])"
APT_POINT = "pending Inst tzdata [2024a-0+deb12u1] (2024a-0+deb12u2 Debian:12.6/stable-updates [all])"


def test_updates_only_security_suites_count_on_apt() -> None:
    assert _updates(f"manager apt\nlists 8\nlists_age_days 0\n{APT_POINT}").status == "pass"
    out = _updates(f"manager apt\nlists 8\nlists_age_days 0\n{APT_POINT}\n{APT_SECURITY}")
    assert out.status == "fail"
    assert "1 package(s)" in out.actual and "openssl" in out.actual and "tzdata" not in out.actual
    assert [ln["line"] for ln in out.lines] == [5]


def test_updates_a_package_named_security_is_not_a_security_suite() -> None:
    line = "pending Inst python3-security-tools [1.0-1] (1.1-1 Debian:12.6/stable [all])"
    assert _updates(f"manager apt\nlists 8\nlists_age_days 0\n{line}").status == "pass"


def test_updates_ubuntu_and_dnf() -> None:
    ubuntu = (
        "pending Inst libssl3 [3.0.2-0ubuntu1.10] "
        "(3.0.2-0ubuntu1.15 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [amd64])"
    )
    assert "libssl3" in _updates(f"manager apt\nlists 14\nlists_age_days 2\n{ubuntu}").actual
    dnf = "pending RHSA-2024:3501 Important/Sec. nghttp2-libs-1.43.0-5.el9_4.3.x86_64"
    out = _updates(f"manager dnf\nlists 3\nlists_age_days 0\n{dnf}")
    assert out.status == "fail" and "nghttp2-libs-1.43.0-5.el9_4.3.x86_64" in out.actual


@pytest.mark.parametrize(
    "text, reason",
    [
        ("manager apt\nlists 0\nlists_age_days 19876", "never fetched"),
        (f"manager apt\nlists 8\nlists_age_days 8\n{APT_SECURITY}", "stale (8 days old)"),
        ("manager apt\nlists 8", "no `lists_age_days` line"),
        ("manager apt\nlists many\nlists_age_days 0", "not a number"),
        ("manager zypper\nlists 1\nlists_age_days 0", "unknown package manager"),
    ],
)
def test_updates_unknown_state_is_an_error(text: str, reason: str) -> None:
    out = _updates(text)
    assert out.status == "error" and reason in out.reason, out


def test_updates_max_age_is_configurable() -> None:
    text = "manager apt\nlists 8\nlists_age_days 10"
    assert _updates(text).status == "error"
    assert _updates(text, max_age_days=14).status == "pass"


# --- rule functions: nft_input_default_deny --------------------------------------------------


def _nft(text: str) -> Outcome:
    return _call("nft_input_default_deny", "firewall", "config", parse_flat_config(text))


def _table(family: str, *chain_lines: str, extra: str = "") -> str:
    body = "\n".join(f"\t\t{ln}" for ln in chain_lines)
    return f"table {family} filter {{\n{extra}\tchain input {{\n{body}\n\t}}\n}}\n"


def test_nft_policy_drop_passes() -> None:
    out = _nft(_table("inet", "type filter hook input priority filter; policy drop;", "tcp dport 22 accept"))
    assert out.status == "pass" and out.lines[0]["line"] == 3


def test_nft_firewalld_final_reject_passes_and_a_conditional_reject_does_not() -> None:
    head = "type filter hook input priority filter + 10; policy accept;"
    assert (
        _nft(_table("inet", head, "ct state established,related accept", "reject with icmpx admin-prohibited")).status
        == "pass"
    )
    assert _nft(_table("inet", head, "tcp dport 23 reject")).status == "fail"
    assert _nft(_table("inet", head, "counter packets 10 bytes 600 drop")).status == "pass"
    assert _nft(_table("inet", head, 'log prefix "in: " level info drop')).status == "pass"
    # a logged rule with a match is conditional, however it is written
    assert _nft(_table("inet", head, 'log prefix "in: " tcp dport 23 drop')).status == "fail"


@pytest.mark.parametrize(
    "rules",
    [
        ["accept"],
        ['iif "lo" accept', "counter packets 1520 bytes 98120 accept"],
        ['log prefix "all: " accept', "tcp dport 22 drop"],  # rules after an unconditional accept are dead
    ],
)
def test_nft_policy_drop_undone_by_an_unconditional_accept_fails(rules: list[str]) -> None:
    out = _nft(_table("inet", "type filter hook input priority filter; policy drop;", *rules))
    assert out.status == "fail" and "ends in `accept`" in out.actual, out


def test_nft_first_unconditional_verdict_decides() -> None:
    head = "type filter hook input priority filter; policy accept;"
    assert _nft(_table("inet", head, "tcp dport 22 accept", "drop", "accept")).status == "pass"


def test_nft_each_address_family_needs_a_denying_chain() -> None:
    drop = "type filter hook input priority filter; policy drop;"
    accept = "type filter hook input priority filter; policy accept;"
    ip_only = _nft(_table("ip", drop, "tcp dport 22 accept"))
    assert ip_only.status == "fail" and ip_only.actual.startswith("IPv6 input accepted by default"), ip_only
    v6_open = _nft(_table("ip", drop) + _table("ip6", accept))
    assert v6_open.status == "fail" and "ip6 policy accept" in v6_open.actual
    both = _nft(_table("ip", drop) + _table("ip6", drop))
    assert both.status == "pass" and [ln["line"] for ln in both.lines] == [3, 8]
    # an inet chain covers both families, whatever other tables accept
    assert _nft(_table("inet", drop) + _table("ip6", accept)).status == "pass"


def test_nft_ipv6_only_or_accepting_chains_fail() -> None:
    v4_open = _nft(_table("ip6", "type filter hook input priority filter; policy drop;"))
    assert v4_open.status == "fail" and v4_open.actual.startswith("IPv4 input accepted by default")
    out = _nft(_table("inet", "type filter hook input priority filter; policy accept;", "tcp dport 22 accept"))
    assert out.status == "fail" and "inet policy accept" in out.actual
    assert _nft(_table("inet", "type filter hook forward priority filter; policy drop;")).status == "fail"
    assert _nft("").status == "fail"


def test_nft_sets_at_table_level_are_not_chains() -> None:
    named_set = "\tset admins {\n\t\ttype ipv4_addr\n\t\telements = { 10.10.0.5 }\n\t}\n"
    text = _table(
        "inet", "type filter hook input priority filter; policy accept;", "ip saddr @admins accept", extra=named_set
    )
    assert _nft(text).status == "fail"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("netlink: Error: cache initialization failed: Operation not permitted", "not an nftables ruleset"),
        ("table inet filter {\n\tchain input {\n\t\ttype filter hook input priority 0; policy drop;", "truncated"),
        ("table inet filter {\n}\n}", "unbalanced"),
    ],
)
def test_nft_garbage_or_truncated_ruleset_is_an_error(text: str, reason: str) -> None:
    out = _nft(text)
    assert out.status == "error" and reason in out.reason, out


# --- two real Debian 12 hosts ----------------------------------------------------------------


def _evidence(directory: Path, rc: dict[str, int] | None = None) -> dict[str, Any]:
    rc = rc or {}
    return {
        "sources": {
            p.stem: SourceResult(p.stem, p.read_text(encoding="utf-8"), rc=rc.get(p.stem, 0)).to_json()
            for p in sorted(directory.glob("*.txt"))
        }
    }


def _statuses(catalog: Catalog, doc: dict[str, Any], role: str = "web", category: str = "high") -> dict[str, str]:
    info = HostInfo("deb12", PLATFORM, role=role, category=category, vars=default_sample_vars(catalog))
    result = evaluate_host(doc, catalog, info)
    assert result["os_family"] == "debian"
    return {r["check"]: r["status"] for r in result["results"]}


# Stock defaults that every hardening guide changes ...
STOCK_FAILS = (
    "LNX-SSH-002",
    "LNX-SSH-004",
    "LNX-SSH-007",
    "LNX-SSH-009",
    "LNX-SSH-010",
    "LNX-SSH-015",
    "LNX-SSH-017",
    "LNX-PAM-001",
    "LNX-PAM-003",
    "LNX-PAM-006",
    "LNX-LOGIN-001",
    "LNX-LOGIN-004",
    "LNX-NET-002",
    "LNX-NET-003",
    "LNX-AUD-001",
    "LNX-AUD-002",
    "LNX-LOG-001",
    "LNX-TIME-001",
    "LNX-USB-001",
    "LNX-FILE-003",
    "LNX-PATCH-001",
    "LNX-ACCT-006",
    "LNX-PKG-006",
    # compliant kernel defaults that no sysctl.d file sets: nothing guarantees them after the next boot
    "LNX-NET-001",
    "LNX-KERN-001",
)
# ... and what Debian already gets right.
STOCK_PASSES = (
    "LNX-SSH-001",
    "LNX-SSH-003",
    "LNX-SSH-005",
    "LNX-SSH-013",
    "LNX-ACCT-001",
    "LNX-ACCT-002",
    "LNX-FILE-001",
    "LNX-LOGIN-005",
    "LNX-SVC-001",
    "LNX-PKG-001",
)


def test_stock_debian12_fails_the_known_defaults(catalog: Catalog) -> None:
    got = _statuses(catalog, _evidence(DATA / "linux_debian12_stock", {"firewall": 127}))
    for check_id in STOCK_FAILS:
        assert got[check_id] == "fail", check_id
    for check_id in STOCK_PASSES:
        assert got[check_id] == "pass", check_id
    assert got["LNX-FW-001"] == "error"  # nft is not installed: unknown, never a pass


def test_hardened_debian12_passes_every_check(catalog: Catalog) -> None:
    doc = _evidence(DATA / "linux_debian12_hardened")
    got = _statuses(catalog, doc)
    collected = set(doc["sources"])
    automated = [c for c in catalog.for_platform(PLATFORM) if c.kind == "automated"]
    # checks added after the host was captured (the depth areas): the host was never hardened for them
    judged = {c.id for c in automated if c.sources_used() <= collected and c.id in CHECKS_AT_CAPTURE}
    assert len(judged) >= 80
    assert {k: got[k] for k in judged if got[k] != "pass"} == {}
    # the depth checks that read only sources this host was not collected with are errors, never passes
    uncollected = [c.id for c in automated if not c.sources_used() & collected]
    assert len(uncollected) >= 40
    assert {got[i] for i in uncollected} == {"error", "not_applicable"}


def test_a_sysctl_d_file_that_weakens_a_parameter_fails_although_the_running_value_complies(catalog: Catalog) -> None:
    hardened = _evidence(DATA / "linux_debian12_hardened")
    assert _statuses(catalog, hardened)["LNX-KERN-005"] == "pass"
    text = (DATA / "linux_debian12_hardened" / "sysctl_persistent.txt").read_text(encoding="utf-8")
    weak = text + "### /etc/sysctl.d/99-zz-local.conf\nfs.protected_regular = 0\n"
    hardened["sources"]["sysctl_persistent"] = SourceResult("sysctl_persistent", weak).to_json()
    info = HostInfo("deb12", PLATFORM, role="web", category="high", vars=default_sample_vars(catalog))
    result = {r["check"]: r for r in evaluate_host(hardened, catalog, info)["results"]}["LNX-KERN-005"]
    assert result["status"] == "fail"
    shown = [(e["source"], e["text"]) for e in result["evidence"]]
    assert ("sysctl_persistent", "/etc/sysctl.d/99-zz-local.conf: fs.protected_regular = 0") in shown
    assert ("sysctl", "fs.protected_regular = 2") in shown  # the running value is shown too


def test_role_exceptions_on_a_real_host(catalog: Catalog) -> None:
    got = _statuses(catalog, _evidence(DATA / "linux_debian12_stock"), role="wan_router", category="medium")
    assert got["LNX-NET-001"] == "not_applicable"
    assert got["LNX-PKG-006"] == "not_applicable"


def test_missing_sources_are_errors_not_passes(catalog: Catalog) -> None:
    doc = _evidence(DATA / "linux_debian12_hardened")
    for name in ("sshd_effective", "sysctl", "pam", "audit_rules", "pending_updates", "shadow", "firewall"):
        del doc["sources"][name]
    got = _statuses(catalog, doc)
    for check_id in (
        "LNX-SSH-004",
        "LNX-NET-003",
        "LNX-PAM-006",
        "LNX-AUD-002",
        "LNX-PATCH-001",
        "LNX-ACCT-002",
        "LNX-FW-001",
        "LNX-ACCT-004",
        "LNX-PAM-005",
    ):
        assert got[check_id] == "error", check_id
