"""The sample inventory, its schema and the loader, all read through ansible-core itself."""

from __future__ import annotations

import datetime
import ipaddress
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultHelper, VaultLib, VaultSecret
from ansible.vars.manager import VariableManager
from jsonschema import Draft202012Validator
from prakan.inventory import Inventory, InventoryError, highest_category, load_inventory, site_group
from prakan.inventory.model import Vaulted
from prakan.paths import ROOT, SAMPLE_INVENTORY, SCHEMAS_DIR

GIN_END = datetime.date(2027, 9, 30)  # GIN service ends in 2570 B.E.


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory(SAMPLE_INVENTORY)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data = json.loads((SCHEMAS_DIR / "inventory.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(data)
    return data


def validator(schema: dict[str, Any], name: str | None = None) -> Draft202012Validator:
    """A validator for one $defs entry (or the root), resolving refs inside the same document."""
    target = schema if name is None else {**schema, "$ref": f"#/$defs/{name}"}
    return Draft202012Validator(target)


def errors(v: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(data)]


# --- shape of the sample department ------------------------------------------------------------


def test_site_and_host_counts(inv: Inventory) -> None:
    kinds = Counter(s.kind for s in inv.sites.values())
    assert kinds == {"hq": 1, "regional": 8, "provincial": 76, "cloud": 2}
    assert len(inv.hosts) == 208
    platforms = Counter(h.platform for h in inv.hosts.values())
    assert platforms == {"cisco_ios": 175, "linux": 33}
    hq = [h for h in inv.hosts.values() if h.site == "BKK-HQ"]
    assert Counter(h.role for h in hq if h.platform == "cisco_ios") == {
        "wan_router": 2,
        "core_switch": 1,
        "access_switch": 2,
    }
    assert sum(h.platform == "linux" for h in hq) == 12


def test_every_host_in_exactly_one_site_with_mgmt_address_inside(inv: Inventory) -> None:
    for host in inv.hosts.values():
        assert host.site is not None, host.name
        assert [g for g in host.groups if g.startswith("site_")] == [inv.sites[host.site].group]
        mgmt = ipaddress.ip_network(inv.sites[host.site].vars["mgmt_subnet"])
        assert ipaddress.ip_address(host.address) in mgmt, (host.name, host.address, mgmt)
        assert host.address.startswith("10."), "sample addresses are RFC 1918 only"


def test_unique_names_addresses_circuits_and_disjoint_subnets(inv: Inventory) -> None:
    addresses = [h.address for h in inv.hosts.values()]
    assert len(set(addresses)) == len(addresses)
    circuits = [t["circuit_id"] for s in inv.sites.values() for t in s.vars["transports"]]
    assert len(set(circuits)) == len(circuits)
    nets = [ipaddress.ip_network(n) for s in inv.sites.values() for n in s.vars["subnets"]]
    for i, a in enumerate(nets):
        assert not any(a.overlaps(b) for b in nets[i + 1 :]), a
    for site in inv.sites.values():
        assert site.group == site_group(site.code)
        mgmt = ipaddress.ip_network(site.vars["mgmt_subnet"])
        assert any(mgmt.subnet_of(ipaddress.ip_network(n)) for n in site.vars["subnets"]), site.code


def test_provinces_are_real_and_in_their_region(inv: Inventory) -> None:
    provincial = [s for s in inv.sites.values() if s.kind == "provincial"]
    assert len({s.vars["province"] for s in provincial}) == 76
    assert "Bangkok" not in {s.vars["province"] for s in provincial}
    by_province = {s.vars["province"]: s for s in provincial}
    for province, region, thai in [
        ("Chiang Mai", "north", "เชียงใหม่"),
        ("Khon Kaen", "northeast", "ขอนแก่น"),
        ("Phitsanulok", "central", "พิษณุโลก"),
        ("Chanthaburi", "east", "จันทบุรี"),
        ("Kanchanaburi", "west", "กาญจนบุรี"),
        ("Songkhla", "south", "สงขลา"),
    ]:
        assert by_province[province].vars["region"] == region
        assert thai in by_province[province].name_th
    regions = Counter(s.vars["region"] for s in provincial)
    assert regions == {"northeast": 20, "central": 21, "south": 14, "north": 9, "east": 7, "west": 5}


def test_transports_match_groups_and_gin_sites_have_migration_plans(inv: Inventory) -> None:
    regional = [s for s in inv.sites.values() if s.kind == "regional"]
    assert all([t["type"] for t in s.vars["transports"]] == ["mpls"] for s in regional)
    gin_sites = set()
    for site in inv.sites.values():
        for t in site.vars["transports"]:
            if t["type"] == "gin":
                gin_sites.add(site.code)
                assert t["migration_target"] in ("dg_link", "gsi")
                assert datetime.date.fromisoformat(t["migration_due"]) < GIN_END, site.code
    assert len([c for c in gin_sites if c.startswith("PRV-")]) == 20
    provincial = {s.code for s in inv.sites.values() if s.kind == "provincial"}
    dg_link = {s.code for s in inv.sites.values() if any(t["type"] == "dg_link" for t in s.vars["transports"])}
    assert provincial <= gin_sites | dg_link and not (provincial & gin_sites & dg_link)
    # the transport_* groups say the same as prakan_site.transports
    for host in inv.hosts.values():
        types = {t["type"] for t in inv.sites[host.site].vars["transports"]}
        assert {g.removeprefix("transport_") for g in host.groups if g.startswith("transport_")} == types


def test_org_values(inv: Inventory) -> None:
    assert "สาธิต" in inv.org["prakan_org"]["name_th"]
    approved = inv.org["prakan_approved"]
    assert approved["banner"]["th"] and approved["banner"]["en"]
    by_address = {h.address: h for h in inv.hosts.values()}
    assert [by_address[a].role for a in approved["ntp_servers"]] == ["ntp", "ntp"]
    assert [by_address[a].role for a in approved["syslog_servers"]] == ["syslog"]
    assert {by_address[a].role for a in approved["dns_servers"]} == {"dns"}


def test_categories(inv: Inventory) -> None:
    hosts = inv.hosts
    assert inv.sites["BKK-HQ"].category == "high"
    assert inv.category_of(hosts["bkk-hq-saraban1"]) == "high"
    assert inv.category_of(hosts["prv-cmi-r1"]) == "medium"
    assert inv.category_of(hosts["reg1-kkn-file1"]) == "medium"
    # host_vars override: the cloud database holds personal data
    assert hosts["gdcc-prod-db1"].vars["prakan_security_category"]["confidentiality"] == "high"
    assert inv.sites["GDCC-PROD"].vars["security_category"]["confidentiality"] == "medium"
    assert highest_category({"confidentiality": "low", "integrity": "medium"}) is None  # incomplete: unknown
    assert highest_category({"confidentiality": "low", "integrity": "low", "availability": "low"}) == "low"


# --- --limit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "hosts", "sites"),
    [
        ("site_bkk_hq:&platform_linux", 12, {"BKK-HQ"}),
        ("transport_gin:!sitetype_hq", 40, None),  # 20 provincial GIN offices, router + switch each
        ("role_wan_router", 88, None),
        ("sitetype_regional:&role_news", 8, None),
        ("prv-cmi-*", 2, {"PRV-CMI"}),
        ("gdcc-prod-db1", 1, {"GDCC-PROD"}),
    ],
)
def test_limit_patterns(pattern: str, hosts: int, sites: set[str] | None) -> None:
    limited = load_inventory(SAMPLE_INVENTORY, limit=pattern)
    assert len(limited.hosts) == hosts
    assert {h.site for h in limited.hosts.values()} == set(limited.sites)
    if sites is not None:
        assert set(limited.sites) == sites


def test_limit_semantics(inv: Inventory) -> None:
    linux_hq = load_inventory(SAMPLE_INVENTORY, limit="site_bkk_hq:&platform_linux")
    assert all(h.platform == "linux" and h.site == "BKK-HQ" for h in linux_hq.hosts.values())
    gin = load_inventory(SAMPLE_INVENTORY, limit="transport_gin:!sitetype_hq")
    assert all(any(t["type"] == "gin" for t in gin.sites[h.site].vars["transports"]) for h in gin.hosts.values())
    with pytest.raises(InventoryError, match="matches no host"):
        load_inventory(SAMPLE_INVENTORY, limit="site_does_not_exist")


# --- schema -------------------------------------------------------------------------------------


def test_schema_accepts_the_sample(inv: Inventory, schema: dict[str, Any]) -> None:
    site_v, host_v, approved_v = validator(schema, "site"), validator(schema, "host"), validator(schema, "approved")
    for site in inv.sites.values():
        assert errors(site_v, dict(site.vars)) == [], site.code
    for host in inv.hosts.values():
        assert errors(host_v, dict(host.vars)) == [], host.name
    assert errors(approved_v, inv.org["prakan_approved"]) == []
    assert errors(validator(schema, "org"), inv.org["prakan_org"]) == []
    # every vars file on its own, as an editor with the YAML language server checks it
    loader, root_v = DataLoader(), validator(schema)
    files = sorted(SAMPLE_INVENTORY.glob("*_vars/*.yml"))
    assert len(files) == 87 + 3 + 1
    for path in files:
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
        assert errors(root_v, loader.load_from_file(str(path))) == [], path.name


def test_schema_catches_mistakes(inv: Inventory, schema: dict[str, Any]) -> None:
    site_v, host_v, root_v = validator(schema, "site"), validator(schema, "host"), validator(schema)
    site = json.loads(json.dumps(dict(inv.sites["PRV-MSN"].vars)))
    assert errors(site_v, site) == []

    unknown = {**site, "ownr": {}}
    assert any("ownr" in e for e in errors(site_v, unknown))
    no_plan = json.loads(json.dumps(site))
    del no_plan["transports"][0]["migration_due"]
    assert any("migration_due" in e for e in errors(site_v, no_plan))
    not_gin = json.loads(json.dumps(site))
    not_gin["transports"][0]["type"] = "dg_link"
    assert errors(site_v, not_gin), "a migration plan on a non-GIN circuit is an error"
    missing = {k: v for k, v in site.items() if k != "owner"}
    assert any("'owner' is a required property" in e for e in errors(site_v, missing))
    bad_types = {
        **site,
        "mgmt_subnet": "10.64.16.0",
        "security_category": {**site["security_category"], "integrity": "severe"},
    }
    assert len(errors(site_v, bad_types)) == 2
    unquoted_date = json.loads(json.dumps(site))
    unquoted_date["transports"][0]["migration_due"] = datetime.date(2026, 6, 30)
    assert errors(site_v, unquoted_date)

    host = {
        "ansible_host": "10.64.16.1",
        "prakan_platform": "cisco_ios",
        "prakan_role": "wan_router",
        "prakan_wan_interfaces": ["GigabitEthernet0/0"],
        "ansible_connection": "network_cli",
        "my_var": 1,
    }
    assert errors(host_v, host) == []
    assert any("prakan_plattform" in e for e in errors(host_v, {**host, "prakan_plattform": "linux"}))
    assert any(
        "prakan_wan_interfaces" in e
        for e in errors(host_v, {k: v for k, v in host.items() if k != "prakan_wan_interfaces"})
    )
    assert any(
        "prakan_os_family" in e for e in errors(host_v, {**host, "prakan_platform": "linux", "prakan_role": "web"})
    )
    assert errors(host_v, {**host, "prakan_role": "printer"})
    assert errors(host_v, {**host, "ansible_host": "10.64.16.300"})
    assert any("prakan_foo" in e for e in errors(root_v, {"prakan_foo": 1}))


# --- Ansible fidelity ---------------------------------------------------------------------------


def test_vars_equal_ansible_variable_manager(inv: Inventory) -> None:
    """The fast merge gives exactly what Ansible's VariableManager gives, for every host."""
    from ansible.inventory.manager import InventoryManager

    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[str(SAMPLE_INVENTORY)])
    vm = VariableManager(loader=loader, inventory=manager)

    def plain(value: Any) -> Any:
        if isinstance(value, Vaulted):
            return ("vault", str(value))
        ciphertext = VaultHelper.get_ciphertext(value, with_tags=False)
        return ("vault", ciphertext) if ciphertext else value

    for host in inv.hosts.values():
        expected = vm.get_vars(host=manager.get_host(host.name), include_hostvars=False)
        for key, value in host.vars.items():
            assert plain(value) == plain(expected[key]), (host.name, key)
        assert {k for k in expected if k.startswith("prakan_")} == {k for k in host.vars if k.startswith("prakan_")}


def test_vault_values_stay_encrypted_without_password(inv: Inventory) -> None:
    secret = inv.hosts["bkk-hq-r1"].vars["ansible_password"]
    assert isinstance(secret, Vaulted)
    assert secret.startswith("$ANSIBLE_VAULT;1.1;AES256")
    assert inv.hosts["bkk-hq-r1"].vars["ansible_network_os"] == "cisco.ios.ios"


def _vault_inventory(tmp_path: Path, password: bytes, plaintext: str) -> Path:
    ciphertext = VaultLib([("default", VaultSecret(password))]).encrypt(plaintext).decode()
    block = "\n".join("          " + line for line in ciphertext.splitlines())
    (tmp_path / "group_vars").mkdir(parents=True)
    (tmp_path / "hosts.yml").write_text(
        "all:\n  children:\n    site_lab:\n      hosts:\n        lab-r1: {ansible_host: 192.0.2.1}\n"
        "    platform_cisco_ios:\n      hosts:\n        lab-r1:\n",
        encoding="utf-8",
    )
    (tmp_path / "group_vars" / "platform_cisco_ios.yml").write_text(
        f"ansible_password: !vault |\n{block}\n", encoding="utf-8"
    )
    return tmp_path


def test_vault_password_file_decrypts(tmp_path: Path) -> None:
    inventory = _vault_inventory(tmp_path / "inv", b"correct horse", "s3cret-enable")
    (tmp_path / "pw").write_text("correct horse\n", encoding="utf-8")
    (tmp_path / "wrong").write_text("wrong\n", encoding="utf-8")
    assert isinstance(load_inventory(inventory).hosts["lab-r1"].vars["ansible_password"], Vaulted)
    decrypted = load_inventory(inventory, vault_password_file=tmp_path / "pw").hosts["lab-r1"]
    assert decrypted.vars["ansible_password"] == "s3cret-enable"
    assert decrypted.site == "LAB"  # no prakan_site: code derived from the group, for the linter to report
    with pytest.raises(InventoryError, match="decrypt"):
        load_inventory(inventory, vault_password_file=tmp_path / "wrong")
    with pytest.raises(InventoryError, match="vault password"):
        load_inventory(inventory, vault_password_file=tmp_path / "missing")
    # a vars file encrypted as a whole: readable with the password, an error without it
    whole = VaultLib([("default", VaultSecret(b"correct horse"))]).encrypt("snmp_location: BKK\n")
    (inventory / "group_vars" / "all.yml").write_bytes(whole)
    assert load_inventory(inventory, vault_password_file=tmp_path / "pw").org["snmp_location"] == "BKK"
    with pytest.raises(InventoryError, match=r"group_vars/all\.yml:1:1: vault-encrypted file cannot be decrypted"):
        load_inventory(inventory)


def test_ansible_inventory_reads_the_sample() -> None:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-inventory"), "-i", str(SAMPLE_INVENTORY), "--list"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    data = json.loads(out.stdout)
    assert len(data["_meta"]["hostvars"]) == 208
    assert "[WARNING]" not in out.stderr
    assert data["_meta"]["hostvars"]["prv-cmi-r1"]["prakan_site"]["code"] == "PRV-CMI"


# --- errors -------------------------------------------------------------------------------------


def test_errors_name_file_and_problem(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="not found"):
        load_inventory(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "hosts.yml").write_text("all:\n  hosts:\n    a: {ansible_host: 10.0.0.1\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"hosts\.yml:\d+:\d+: YAML"):
        load_inventory(broken)
    bad_vars = tmp_path / "bad_vars"
    (bad_vars / "group_vars").mkdir(parents=True)
    (bad_vars / "hosts.yml").write_text("all:\n  hosts:\n    a: {ansible_host: 10.0.0.1}\n", encoding="utf-8")
    (bad_vars / "group_vars" / "all.yml").write_text("x: [1,\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"group_vars/all\.yml:\d+"):
        load_inventory(bad_vars)


def test_duplicate_site_code_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "hosts.yml").write_text(
        "all:\n  children:\n    site_a:\n      hosts: {a1: }\n    site_b:\n      hosts: {b1: }\n", encoding="utf-8"
    )
    for group in ("site_a", "site_b"):
        (tmp_path / "group_vars" / f"{group}.yml").write_text("prakan_site: {code: SAME}\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="SAME"):
        load_inventory(tmp_path)


# --- the generator ------------------------------------------------------------------------------


def test_generator_is_deterministic_and_matches_the_committed_sample(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_sample_inventory.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    generated = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.yml")}
    committed = {p.relative_to(SAMPLE_INVENTORY): p.read_bytes() for p in SAMPLE_INVENTORY.rglob("*.yml")}
    assert generated.keys() == committed.keys()
    assert [str(p) for p in generated if generated[p] != committed[p]] == []
