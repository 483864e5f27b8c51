"""Lint rules (stable ids, bilingual messages) and the findings they produce."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from string import Formatter


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    title_en: str
    title_th: str
    # message templates by variant: (English, Thai); placeholders are str.format fields
    messages: dict[str, tuple[str, str]]
    help_en: str


def _r(rid: str, name: str, sev: Severity, title: tuple[str, str], help_en: str, **messages: tuple[str, str]) -> Rule:
    return Rule(rid, name, sev, title[0], title[1], messages, help_en)


E, W = Severity.ERROR, Severity.WARNING

RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        _r(
            "INV000",
            "yaml-syntax",
            E,
            ("YAML syntax error", "ไวยากรณ์ YAML ผิดพลาด"),
            "Fix the YAML at the reported position; the file was not loaded at all.",
            default=("YAML syntax error: {problem}", "ไวยากรณ์ YAML ผิดพลาด: {problem}"),
        ),
        _r(
            "INV001",
            "empty-inventory",
            E,
            ("Inventory is empty", "อินเวนทอรีว่างเปล่า"),
            "Add hosts to the inventory, or point the linter at the right directory.",
            default=("inventory defines no hosts", "อินเวนทอรีไม่มีการกำหนดโฮสต์ใดเลย"),
            missing=("inventory path does not exist: {path}", "ไม่พบพาธอินเวนทอรี: {path}"),
        ),
        _r(
            "INV002",
            "vault-undecryptable",
            E,
            ("Vault-encrypted data cannot be decrypted", "ถอดรหัสข้อมูลที่เข้ารหัสด้วย Vault ไม่ได้"),
            "Pass --vault-password-file with the right password; nothing in the file was checked.",
            file=(
                "vault-encrypted file cannot be decrypted ({reason}); its contents were not checked",
                "ไม่สามารถถอดรหัสไฟล์ที่เข้ารหัสด้วย Vault ({reason}) จึงไม่ได้ตรวจเนื้อหาในไฟล์",
            ),
            value=(
                "vault-encrypted value of '{key}' cannot be decrypted ({reason})",
                "ไม่สามารถถอดรหัสค่า '{key}' ที่เข้ารหัสด้วย Vault ({reason})",
            ),
        ),
        _r(
            "INV003",
            "unknown-key",
            E,
            ("Unknown key", "คีย์ที่ไม่รู้จัก"),
            "Rename the key to one the inventory model defines (see docs/inventory-model.md).",
            default=("unknown key '{key}' in {where}{hint}", "ไม่รู้จักคีย์ '{key}' ใน {where}{hint_th}"),
        ),
        _r(
            "INV004",
            "invalid-value",
            E,
            ("Wrong type or invalid value", "ชนิดข้อมูลหรือค่าไม่ถูกต้อง"),
            "Give the key a value of the type and form the inventory model defines.",
            default=("'{key}': {problem}", "'{key}': ค่าไม่ถูกต้อง ({problem})"),
        ),
        _r(
            "INV005",
            "missing-required",
            E,
            ("Missing required field", "ขาดฟิลด์ที่จำเป็น"),
            "Add the field; the scanner cannot work on the host or site without it.",
            default=(
                "{where} is missing required field '{key}'",
                "{where} ขาดฟิลด์ที่จำเป็น '{key}'",
            ),
        ),
        _r(
            "INV006",
            "duplicate-host",
            E,
            ("Duplicate host name", "ชื่อโฮสต์ซ้ำ"),
            "Keep one definition per host name; a host belongs to exactly one site group.",
            conflict=(
                "host '{host}' is defined again with a different '{key}' (first at {other})",
                "โฮสต์ '{host}' ถูกกำหนดซ้ำโดยมีค่า '{key}' ต่างกัน (กำหนดครั้งแรกที่ {other})",
            ),
            sites=(
                "host '{host}' is in two site groups: {sites}",
                "โฮสต์ '{host}' อยู่ในกลุ่มไซต์สองกลุ่ม: {sites}",
            ),
        ),
        _r(
            "INV007",
            "duplicate-mgmt-ip",
            E,
            ("Duplicate management IP", "IP สำหรับบริหารจัดการซ้ำ"),
            "Give every host its own management address.",
            default=(
                "management IP {ip} of host '{host}' is also used by host '{other}'",
                "IP สำหรับบริหารจัดการ {ip} ของโฮสต์ '{host}' ซ้ำกับโฮสต์ '{other}'",
            ),
        ),
        _r(
            "INV008",
            "duplicate-circuit-id",
            E,
            ("Duplicate circuit ID", "รหัสวงจรซ้ำ"),
            "Circuit IDs identify one provider circuit; correct the copy-pasted one.",
            default=(
                "circuit ID '{circuit}' of site '{site}' is also used by site '{other}'",
                "รหัสวงจร '{circuit}' ของไซต์ '{site}' ซ้ำกับไซต์ '{other}'",
            ),
        ),
        _r(
            "INV009",
            "mgmt-ip-outside-subnet",
            E,
            ("Management IP outside the site's management subnet", "IP บริหารจัดการอยู่นอกซับเน็ตบริหารจัดการของไซต์"),
            "Fix the address or the site's mgmt_subnet; the host may be in the wrong site group.",
            default=(
                "management IP {ip} of host '{host}' is outside site '{site}' management subnet {subnet}",
                "IP บริหารจัดการ {ip} ของโฮสต์ '{host}' อยู่นอกซับเน็ตบริหารจัดการ {subnet} ของไซต์ '{site}'",
            ),
        ),
        _r(
            "INV010",
            "overlapping-subnets",
            E,
            ("Overlapping site subnets", "ซับเน็ตของไซต์ทับซ้อนกัน"),
            "Sites must not share address space; correct one of the subnets.",
            default=(
                "subnet {subnet} of site '{site}' overlaps {other_subnet} of site '{other}'",
                "ซับเน็ต {subnet} ของไซต์ '{site}' ทับซ้อนกับ {other_subnet} ของไซต์ '{other}'",
            ),
        ),
        _r(
            "INV011",
            "invalid-address",
            E,
            ("Invalid IP address or CIDR", "IP address หรือ CIDR ไม่ถูกต้อง"),
            "Write an IPv4 address (10.1.2.3) or a network in CIDR form with no host bits set (10.1.2.0/24).",
            address=("'{key}': '{value}' is not a valid IPv4 address", "'{key}': '{value}' ไม่ใช่ IPv4 address ที่ถูกต้อง"),
            network=(
                "'{key}': '{value}' is not a valid network in CIDR form ({problem})",
                "'{key}': '{value}' ไม่ใช่เครือข่ายรูปแบบ CIDR ที่ถูกต้อง ({problem})",
            ),
        ),
        _r(
            "INV012",
            "host-without-site",
            E,
            ("Host has no site", "โฮสต์ไม่ได้อยู่ในไซต์ใด"),
            "Put the host under exactly one site_<code> group.",
            default=("host '{host}' is not in any site_<code> group", "โฮสต์ '{host}' ไม่ได้อยู่ในกลุ่ม site_<code> ใดเลย"),
        ),
        _r(
            "INV013",
            "unsupported-platform",
            E,
            ("Unsupported platform", "แพลตฟอร์มที่ยังไม่รองรับ"),
            "Use a supported prakan_platform, or leave the host out of scanning until its platform is supported.",
            known=(
                "host '{host}': platform '{platform}' is known but not yet supported by the scanner "
                "(supported: {supported}); it would not be scanned",
                "โฮสต์ '{host}': แพลตฟอร์ม '{platform}' เป็นที่รู้จักแต่ตัวสแกนยังไม่รองรับ (รองรับ: {supported}) จึงจะไม่ถูกสแกน",
            ),
            unknown=(
                "host '{host}': unknown platform '{platform}' (supported: {supported}){hint}",
                "โฮสต์ '{host}': ไม่รู้จักแพลตฟอร์ม '{platform}' (รองรับ: {supported}){hint_th}",
            ),
        ),
        _r(
            "INV014",
            "site-without-wan-router",
            E,
            ("Site has no WAN device", "ไซต์ไม่มีอุปกรณ์ WAN"),
            "Add the site's WAN router (prakan_role: wan_router) to the inventory.",
            default=(
                "site '{site}' has no host with role wan_router",
                "ไซต์ '{site}' ไม่มีโฮสต์ที่มีบทบาท wan_router",
            ),
        ),
        _r(
            "INV015",
            "gin-site",
            W,
            ("Site still on GIN", "ไซต์ยังใช้เครือข่าย GIN"),
            "Plan the move off GIN and record it as migration_target / migration_due on the transport.",
            target=(
                "site '{site}' uses GIN, which ends in 2570 / 2027; migration target: {target}{due}",
                "ไซต์ '{site}' ใช้เครือข่าย GIN ซึ่งจะยุติในปี 2570 / 2027 เป้าหมายการย้าย: {target}{due_th}",
            ),
            none=(
                "site '{site}' uses GIN, which ends in 2570 / 2027, and names no migration target",
                "ไซต์ '{site}' ใช้เครือข่าย GIN ซึ่งจะยุติในปี 2570 / 2027 และยังไม่ได้ระบุเป้าหมายการย้าย",
            ),
        ),
        _r(
            "INV016",
            "plaintext-secret",
            E,
            ("Plaintext secret", "ข้อมูลลับไม่ได้เข้ารหัส"),
            "Encrypt the value with `ansible-vault encrypt_string` (or the whole file), and rotate the secret: "
            "it is in the repository history.",
            default=(
                "'{key}' holds a secret that is not vault-encrypted",
                "'{key}' เก็บข้อมูลลับที่ไม่ได้เข้ารหัสด้วย Vault",
            ),
        ),
        _r(
            "INV017",
            "servers-without-security-category",
            E,
            ("Site hosts servers but has no security category", "ไซต์มีเซิร์ฟเวอร์แต่ไม่ได้กำหนดระดับความมั่นคงปลอดภัย"),
            "Set prakan_site.security_category (confidentiality, integrity, availability: low/medium/high).",
            default=(
                "site '{site}' hosts servers ({hosts}) but has no security_category",
                "ไซต์ '{site}' มีเซิร์ฟเวอร์ ({hosts}) แต่ไม่ได้กำหนด security_category",
            ),
        ),
        _r(
            "INV018",
            "duplicate-key",
            W,
            ("Duplicate YAML key", "คีย์ YAML ซ้ำ"),
            "Remove one of the two keys: YAML keeps only the last one, silently.",
            default=(
                "key '{key}' is repeated in the same mapping (first at line {other}); the last one wins",
                "คีย์ '{key}' ซ้ำใน mapping เดียวกัน (ครั้งแรกที่บรรทัด {other}) ค่าสุดท้ายจะถูกใช้",
            ),
        ),
        _r(
            "INV019",
            "vars-for-unknown-name",
            W,
            ("Variables file for a group or host not in the inventory", "ไฟล์ตัวแปรของกลุ่มหรือโฮสต์ที่ไม่มีในอินเวนทอรี"),
            "Rename the file to the group or host it belongs to; Ansible ignores it silently.",
            default=(
                "{kind} '{name}' is not in the inventory, so Ansible ignores this file{hint}",
                "ไม่มี{kind_th} '{name}' ในอินเวนทอรี Ansible จึงไม่ใช้ไฟล์นี้{hint_th}",
            ),
        ),
        _r(
            "INV020",
            "inventory-not-parsed",
            E,
            ("Ansible cannot parse the inventory file", "Ansible อ่านไฟล์อินเวนทอรีไม่ได้"),
            "Fix the structure Ansible reports (all/children/hosts/vars).",
            default=("Ansible cannot parse this inventory file: {problem}", "Ansible อ่านไฟล์อินเวนทอรีนี้ไม่ได้: {problem}"),
        ),
        _r(
            "INV021",
            "waiver-too-broad",
            W,
            ("Waiver too broad", "ข้อยกเว้นกว้างเกินไป"),
            "Name the checks and hosts the approval is for; a blanket waiver also hides every future failure.",
            checks=(
                "waiver #{n} waives every check ('{check}') on {hosts}",
                "ข้อยกเว้นลำดับที่ {n} ยกเว้นทุกการตรวจ ('{check}') บน {hosts}",
            ),
            hosts=(
                "waiver #{n} waives '{check}' on every host ({hosts})",
                "ข้อยกเว้นลำดับที่ {n} ยกเว้น '{check}' บนทุกโฮสต์ ({hosts})",
            ),
            both=(
                "waiver #{n} waives every check on every host ('{check}' on {hosts})",
                "ข้อยกเว้นลำดับที่ {n} ยกเว้นทุกการตรวจบนทุกโฮสต์ ('{check}' บน {hosts})",
            ),
        ),
        _r(
            "INV022",
            "waiver-expired",
            W,
            ("Waiver expired", "ข้อยกเว้นหมดอายุแล้ว"),
            "Renew the waiver with a new approval and expiry date, or remove it once the check passes.",
            default=(
                "waiver #{n} for '{check}' on {hosts} expired on {expires}; the check fails again",
                "ข้อยกเว้นลำดับที่ {n} สำหรับ '{check}' บน {hosts} หมดอายุแล้วเมื่อ {expires} ผลการตรวจจะกลับเป็นไม่ผ่าน",
            ),
        ),
    ]
}


@dataclass(frozen=True, order=True)
class Finding:
    file: str  # path relative to the working directory (the repository root in CI)
    line: int
    col: int
    rule_id: str
    variant: str = "default"
    args: tuple[tuple[str, str], ...] = ()

    @property
    def rule(self) -> Rule:
        return RULES[self.rule_id]

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    def message(self, lang: str = "en") -> str:
        en, th = self.rule.messages[self.variant]
        return (th if lang == "th" else en).format(**dict(self.args))


def finding(rule_id: str, pos: tuple[str, int, int], variant: str = "default", **args: object) -> Finding:
    """Build a finding; every placeholder of the message gets a value (empty when not given)."""
    templates = RULES[rule_id].messages[variant]
    values = {name: "" for t in templates for _, name, _, _ in Formatter().parse(t) if name}
    values.update((k, str(v)) for k, v in args.items())
    return Finding(pos[0], pos[1], pos[2], rule_id, variant, tuple(sorted(values.items())))
