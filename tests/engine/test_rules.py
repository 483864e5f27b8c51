from typing import Any

import pytest
from prakan.checkfuncs import BUILTIN
from prakan.parse import parse_delimited, parse_ios_config, parse_kv
from prakan.rules import Context, EvidenceUnavailable, RuleError, compile_rule

KINDS = {"kv": "kv", "cfg": "config", "tbl": "table"}
CFG = """!
hostname r1
logging host 10.10.0.31
logging host 192.0.2.9
interface Gi0/0
 no cdp enable
interface Gi0/1
 description LAN
line vty 0 4
 transport input ssh
 exec-timeout 5 0
line vty 5 15
 transport input ssh
end
"""


def ctx(sources: dict[str, Any], **variables: Any) -> Context:
    def load(name: str) -> Any:
        if name not in sources:
            raise EvidenceUnavailable(f"{name} was not collected")
        return sources[name]

    return Context("h1", variables, load)


def run(rule: dict[str, Any], c: Context, source: str = "cfg") -> Any:
    return compile_rule(rule, source=source, source_kinds=KINDS, functions=BUILTIN, where="T")(c)


KV = {"kv": parse_kv("maxauthtries 6\npermitrootlogin no\nciphers aes256-gcm@openssh.com,aes128-ctr\n")}


@pytest.mark.parametrize(
    ("rule", "status"),
    [
        ({"key": "permitrootlogin", "in": ["no"]}, "pass"),
        ({"key": "permitrootlogin", "equals": "yes"}, "fail"),
        ({"key": "maxauthtries", "max": 4}, "fail"),
        ({"key": "maxauthtries", "min": 1, "max": 6}, "pass"),
        ({"key": "permitrootlogin", "min": 1}, "error"),  # not a number
        ({"key": "absent", "equals": "x"}, "fail"),
        ({"key": "absent", "equals": "x", "missing": "pass"}, "pass"),
        ({"key": "absent", "equals": "x", "default": "x"}, "pass"),
        ({"key": "ciphers", "items_exclude": ["aes128-cbc", "3des-cbc"]}, "pass"),
        ({"key": "ciphers", "items_subset_of": ["aes256-gcm@openssh.com"]}, "fail"),
    ],
)
def test_key_rules(rule: dict[str, Any], status: str) -> None:
    assert run(rule, ctx(KV), "kv").status == status


def test_config_every_section_and_any() -> None:
    c = ctx({"cfg": parse_ios_config(CFG)})
    assert run({"section": "^line vty ", "present": "^transport input ssh$"}, c).status == "pass"
    out = run({"section": "^line vty ", "present": "^exec-timeout"}, c)
    assert out.status == "fail" and any(e["text"] == "line vty 5 15" for e in out.lines)
    assert run({"section": "^line vty ", "sections": "any", "present": "^exec-timeout"}, c).status == "pass"
    assert run({"section": "^line aux", "present": "^no exec$"}, c).status == "fail"
    assert run({"section": "^line aux", "present": "^no exec$", "if_no_section": "pass"}, c).status == "pass"


def test_capture_against_inventory_values() -> None:
    c = ctx({"cfg": parse_ios_config(CFG)}, prakan_approved={"syslog_servers": ["10.10.0.31"]})
    rule = {"capture": r"^logging host (\S+)", "in": {"var": "prakan_approved.syslog_servers"}}
    out = run(rule, c)
    assert out.status == "fail" and "192.0.2.9" in out.actual
    assert [e["line"] for e in out.lines] == [3, 4]
    # exec-timeout default (10 minutes) applies where the line is absent
    timeout = {"section": "^line vty", "capture": r"^exec-timeout (\d+)", "max": 10, "min": 1, "default": "10"}
    assert run(timeout, c).status == "pass"
    missing_var = run(rule, ctx({"cfg": parse_ios_config(CFG)}))
    assert missing_var.status == "error" and "prakan_approved.syslog_servers" in missing_var.reason


def test_template_sections_from_inventory() -> None:
    rule = {"section": "^interface (${wan})$", "present": "^no cdp enable$"}
    assert run(rule, ctx({"cfg": parse_ios_config(CFG)}, wan=["Gi0/0"])).status == "pass"
    assert run(rule, ctx({"cfg": parse_ios_config(CFG)}, wan=["Gi0/0", "Gi0/1"])).status == "fail"


def test_rows() -> None:
    table = parse_delimited(
        "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\nlab:x:1000:1000::/home/lab:/bin/sh\n",
        ["name", "password", "uid", "gid", "gecos", "home", "shell"],
        ":",
    )
    c = ctx({"tbl": table})
    out = run({"rows": {"where": {"uid": "^0$"}, "expect": "all", "match": {"name": "^root$"}}}, c, "tbl")
    assert out.status == "fail" and out.lines[0]["text"].startswith("toor")
    assert run({"rows": {"where": {"name": "^lab$"}, "expect": "any"}}, c, "tbl").status == "pass"
    assert run({"rows": {"where": {"uid": "^0$"}, "count": {"max": 1}}}, c, "tbl").status == "fail"


def test_combinators_fail_closed() -> None:
    c = ctx({"kv": KV["kv"]})
    ok, bad = {"key": "permitrootlogin", "in": ["no"]}, {"key": "permitrootlogin", "in": ["yes"]}
    err = {"source": "cfg", "present": "^x"}  # cfg not collected
    assert run({"all": [ok, err]}, c, "kv").status == "error"
    assert run({"all": [bad, err]}, c, "kv").status == "fail"
    assert run({"any": [bad, err]}, c, "kv").status == "error"
    assert run({"any": [ok, err]}, c, "kv").status == "pass"
    assert run({"not": bad}, c, "kv").status == "pass"
    assert run({"not": err}, c, "kv").status == "error"


@pytest.mark.parametrize(
    "rule",
    [
        {"key": "x", "in": ["a"], "source": "cfg"},
        {"present": "("},
        {"bogus": 1},
        {"key": "x"},
        {"present": "^x", "source": "nope"},
        {"function": "no_such_function"},
    ],
)
def test_malformed_rules_are_refused(rule: dict[str, Any]) -> None:
    with pytest.raises(RuleError):
        compile_rule(rule, source="cfg", source_kinds=KINDS, functions=BUILTIN, where="T")
