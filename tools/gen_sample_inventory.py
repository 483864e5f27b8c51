#!/usr/bin/env python3
"""Generate the sample inventory of the (fictional) Demonstration Public Relations Department.

Deterministic: the same run always writes the same files, so the committed `inventory/` can be
checked against this script (tests/test_inventory.py does). The department is shaped like the Thai
Public Relations Department (headquarters with a data centre, 8 regional PR offices on MPLS,
76 provincial PR offices on GIN or DG-Link, systems on the government cloud GDCC) but every name,
person, circuit and address is invented. Addresses are RFC 1918: data only, never contacted.

Usage: python tools/gen_sample_inventory.py [--out inventory]
"""

from __future__ import annotations

import argparse
import ipaddress
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SCHEMA_REF = "# yaml-language-server: $schema=../../scanner/prakan/schemas/inventory.schema.json"
EMAIL_DOMAIN = "prd-demo.example"
GIN_END = "2027-09-30"  # GIN service ends in 2570 B.E.; every GIN circuit must move before then

# The 76 provinces outside Bangkok: (code, English, Thai, region), six-region scheme.
PROVINCES: list[tuple[str, str, str, str]] = [
    # north (9)
    ("CMI", "Chiang Mai", "เชียงใหม่", "north"),
    ("CRI", "Chiang Rai", "เชียงราย", "north"),
    ("LPG", "Lampang", "ลำปาง", "north"),
    ("LPN", "Lamphun", "ลำพูน", "north"),
    ("MSN", "Mae Hong Son", "แม่ฮ่องสอน", "north"),
    ("NAN", "Nan", "น่าน", "north"),
    ("PYO", "Phayao", "พะเยา", "north"),
    ("PRE", "Phrae", "แพร่", "north"),
    ("UTD", "Uttaradit", "อุตรดิตถ์", "north"),
    # northeast (20)
    ("ACR", "Amnat Charoen", "อำนาจเจริญ", "northeast"),
    ("BKN", "Bueng Kan", "บึงกาฬ", "northeast"),
    ("BRM", "Buri Ram", "บุรีรัมย์", "northeast"),
    ("CPM", "Chaiyaphum", "ชัยภูมิ", "northeast"),
    ("KSN", "Kalasin", "กาฬสินธุ์", "northeast"),
    ("KKN", "Khon Kaen", "ขอนแก่น", "northeast"),
    ("LEI", "Loei", "เลย", "northeast"),
    ("MKM", "Maha Sarakham", "มหาสารคาม", "northeast"),
    ("MDH", "Mukdahan", "มุกดาหาร", "northeast"),
    ("NPM", "Nakhon Phanom", "นครพนม", "northeast"),
    ("NMA", "Nakhon Ratchasima", "นครราชสีมา", "northeast"),
    ("NBP", "Nong Bua Lam Phu", "หนองบัวลำภู", "northeast"),
    ("NKI", "Nong Khai", "หนองคาย", "northeast"),
    ("RET", "Roi Et", "ร้อยเอ็ด", "northeast"),
    ("SNK", "Sakon Nakhon", "สกลนคร", "northeast"),
    ("SSK", "Si Sa Ket", "ศรีสะเกษ", "northeast"),
    ("SRN", "Surin", "สุรินทร์", "northeast"),
    ("UBN", "Ubon Ratchathani", "อุบลราชธานี", "northeast"),
    ("UDN", "Udon Thani", "อุดรธานี", "northeast"),
    ("YST", "Yasothon", "ยโสธร", "northeast"),
    # central (21)
    ("ATG", "Ang Thong", "อ่างทอง", "central"),
    ("CNT", "Chai Nat", "ชัยนาท", "central"),
    ("KPT", "Kamphaeng Phet", "กำแพงเพชร", "central"),
    ("LRI", "Lop Buri", "ลพบุรี", "central"),
    ("NYK", "Nakhon Nayok", "นครนายก", "central"),
    ("NPT", "Nakhon Pathom", "นครปฐม", "central"),
    ("NSN", "Nakhon Sawan", "นครสวรรค์", "central"),
    ("NBI", "Nonthaburi", "นนทบุรี", "central"),
    ("PTE", "Pathum Thani", "ปทุมธานี", "central"),
    ("PNB", "Phetchabun", "เพชรบูรณ์", "central"),
    ("PCT", "Phichit", "พิจิตร", "central"),
    ("PLK", "Phitsanulok", "พิษณุโลก", "central"),
    ("AYA", "Phra Nakhon Si Ayutthaya", "พระนครศรีอยุธยา", "central"),
    ("SPK", "Samut Prakan", "สมุทรปราการ", "central"),
    ("SKN", "Samut Sakhon", "สมุทรสาคร", "central"),
    ("SKM", "Samut Songkhram", "สมุทรสงคราม", "central"),
    ("SRI", "Saraburi", "สระบุรี", "central"),
    ("SBR", "Sing Buri", "สิงห์บุรี", "central"),
    ("STI", "Sukhothai", "สุโขทัย", "central"),
    ("SPB", "Suphan Buri", "สุพรรณบุรี", "central"),
    ("UTI", "Uthai Thani", "อุทัยธานี", "central"),
    # east (7)
    ("CCO", "Chachoengsao", "ฉะเชิงเทรา", "east"),
    ("CTI", "Chanthaburi", "จันทบุรี", "east"),
    ("CBI", "Chon Buri", "ชลบุรี", "east"),
    ("PRI", "Prachin Buri", "ปราจีนบุรี", "east"),
    ("RYG", "Rayong", "ระยอง", "east"),
    ("SKW", "Sa Kaeo", "สระแก้ว", "east"),
    ("TRT", "Trat", "ตราด", "east"),
    # west (5)
    ("KRI", "Kanchanaburi", "กาญจนบุรี", "west"),
    ("PBI", "Phetchaburi", "เพชรบุรี", "west"),
    ("PKN", "Prachuap Khiri Khan", "ประจวบคีรีขันธ์", "west"),
    ("RBR", "Ratchaburi", "ราชบุรี", "west"),
    ("TAK", "Tak", "ตาก", "west"),
    # south (14)
    ("CPN", "Chumphon", "ชุมพร", "south"),
    ("KBI", "Krabi", "กระบี่", "south"),
    ("NRT", "Nakhon Si Thammarat", "นครศรีธรรมราช", "south"),
    ("NWT", "Narathiwat", "นราธิวาส", "south"),
    ("PTN", "Pattani", "ปัตตานี", "south"),
    ("PNA", "Phangnga", "พังงา", "south"),
    ("PLG", "Phatthalung", "พัทลุง", "south"),
    ("PKT", "Phuket", "ภูเก็ต", "south"),
    ("RNG", "Ranong", "ระนอง", "south"),
    ("STN", "Satun", "สตูล", "south"),
    ("SKA", "Songkhla", "สงขลา", "south"),
    ("SNI", "Surat Thani", "สุราษฎร์ธานี", "south"),
    ("TRG", "Trang", "ตรัง", "south"),
    ("YLA", "Yala", "ยะลา", "south"),
]

# Provincial offices still on GIN, with their migration plan (target, due date): mostly remote
# provinces where DG-Link broadband arrived late; the deep south moves to GSI.
GIN_SITES: dict[str, tuple[str, str]] = {
    "MSN": ("dg_link", "2026-06-30"),
    "NAN": ("dg_link", "2026-06-30"),
    "PYO": ("dg_link", "2026-09-30"),
    "UTD": ("dg_link", "2026-09-30"),
    "ACR": ("dg_link", "2026-03-31"),
    "BKN": ("dg_link", "2026-12-31"),
    "MDH": ("dg_link", "2026-12-31"),
    "NBP": ("dg_link", "2026-03-31"),
    "YST": ("dg_link", "2027-03-31"),
    "LEI": ("gsi", "2027-03-31"),
    "CNT": ("dg_link", "2026-09-30"),
    "SBR": ("dg_link", "2026-09-30"),
    "UTI": ("gsi", "2027-06-30"),
    "SKW": ("dg_link", "2026-12-31"),
    "TRT": ("dg_link", "2027-03-31"),
    "TAK": ("gsi", "2027-06-30"),
    "NWT": ("gsi", "2026-12-31"),
    "PTN": ("gsi", "2026-12-31"),
    "YLA": ("gsi", "2026-12-31"),
    "RNG": ("dg_link", "2027-06-30"),
}

# Regional PR offices 1-8 (สำนักประชาสัมพันธ์เขต): province code of the office's city.
REGIONAL = ["KKN", "UBN", "CMI", "PLK", "CTI", "SNI", "SKA", "KRI"]

BUREAUS: list[tuple[str, str]] = [
    ("สำนักงานเลขานุการกรม", "Office of the Secretary"),
    ("กองการเจ้าหน้าที่", "Personnel Division"),
    ("กองคลัง", "Finance Division"),
    ("กองกฎหมายและระเบียบ", "Legal and Regulations Division"),
    ("กองงานคณะกรรมการกิจการวิทยุกระจายเสียงและวิทยุโทรทัศน์", "Broadcasting Commission Affairs Division"),
    ("ศูนย์เทคโนโลยีสารสนเทศการประชาสัมพันธ์", "PR Information Technology Centre (data centre owner)"),
    ("สถานีวิทยุกระจายเสียงสาธิต", "Demonstration Radio Station"),
    ("สถานีวิทยุโทรทัศน์สาธิต", "Demonstration Television Station"),
    ("สำนักข่าว", "News Bureau"),
    ("สำนักประชาสัมพันธ์ต่างประเทศ", "Foreign Public Relations Bureau"),
    ("สำนักพัฒนาการประชาสัมพันธ์", "Public Relations Development Bureau"),
    ("สำนักพัฒนานโยบายและแผนการประชาสัมพันธ์", "PR Policy and Planning Bureau"),
    ("สำนักส่งเสริมและพัฒนางานเทคนิค", "Technical Promotion and Development Bureau"),
    ("สำนักสื่อดิจิทัล", "Digital Media Bureau"),
    ("ศูนย์ข้อมูลข่าวสารราชการ", "Official Information Centre"),
    ("ศูนย์ประชาสัมพันธ์ภาวะวิกฤต", "Crisis Communication Centre"),
    ("ศูนย์ปฏิบัติการความมั่นคงปลอดภัยไซเบอร์", "Cyber Security Operations Centre"),
    ("กลุ่มคุ้มครองข้อมูลส่วนบุคคล", "Personal Data Protection Group"),
    ("กลุ่มพัฒนาระบบบริหาร", "Administrative Development Group"),
    ("กลุ่มตรวจสอบภายใน", "Internal Audit Group"),
]

# Invented people: (Thai, English) given names and family names, combined deterministically.
GIVEN = [
    ("สมชาย", "Somchai"),
    ("สุดา", "Suda"),
    ("ประเสริฐ", "Prasert"),
    ("วันเพ็ญ", "Wanphen"),
    ("กิตติพงษ์", "Kittipong"),
    ("นภา", "Napha"),
    ("ธีระ", "Thira"),
    ("อรุณี", "Arunee"),
    ("วิชัย", "Wichai"),
    ("พรทิพย์", "Pornthip"),
    ("สุรเชษฐ์", "Surachet"),
    ("จันทร์เพ็ญ", "Chanphen"),
    ("อนุชา", "Anucha"),
    ("รัตนา", "Rattana"),
    ("ชาญวิทย์", "Chanwit"),
    ("ศิริพร", "Siriporn"),
]
FAMILY = [
    ("ใจดี", "Jaidee"),
    ("รักสงบ", "Raksangob"),
    ("ศรีสุข", "Srisuk"),
    ("มั่นคง", "Mankong"),
    ("ทองดี", "Thongdee"),
    ("แสงทอง", "Saengthong"),
    ("บุญมา", "Boonma"),
    ("สุขสวัสดิ์", "Suksawat"),
    ("พึ่งบุญ", "Phuengboon"),
    ("วงศ์ไทย", "Wongthai"),
    ("ชื่นใจ", "Chuenjai"),
]

HIGH = {"confidentiality": "high", "integrity": "high", "availability": "high"}
CATEGORY = {
    "hq": HIGH,
    "regional": {"confidentiality": "medium", "integrity": "medium", "availability": "medium"},
    "provincial": {"confidentiality": "low", "integrity": "medium", "availability": "low"},
    "cloud": {"confidentiality": "medium", "integrity": "high", "availability": "high"},
}


@dataclass
class HostSpec:
    name: str
    address: str
    platform: str
    role: str
    os: str
    system: str | None = None
    wan: list[str] | None = None

    @property
    def os_family(self) -> str | None:
        if self.platform != "linux":
            return None
        return "debian" if self.os.startswith(("debian", "ubuntu")) else "redhat"


@dataclass
class SiteSpec:
    code: str
    name_th: str
    name_en: str
    kind: str
    province: str
    region: str
    network: ipaddress.IPv4Network
    mgmt: ipaddress.IPv4Network
    transports: list[dict[str, Any]]
    owner: dict[str, str]
    category: dict[str, str]
    comment: str
    bureaus: list[tuple[str, str]] = field(default_factory=list)
    hosts: list[HostSpec] = field(default_factory=list)

    @property
    def group(self) -> str:
        return "site_" + self.code.lower().replace("-", "_")

    def ip(self, n: int) -> str:
        return str(self.mgmt.network_address + n)


def person(n: int, phone: str) -> dict[str, str]:
    (given_th, given_en), (family_th, family_en) = GIVEN[n % len(GIVEN)], FAMILY[n % len(FAMILY)]
    email = f"{given_en.lower()}.{family_en[0].lower()}{n:02d}@{EMAIL_DOMAIN}"
    return {"name": f"{given_th} {family_th} ({given_en} {family_en})", "email": email, "phone": phone}


def router(site: SiteSpec, n: int, os: str, wan: list[str], suffix: str = "r") -> HostSpec:
    return HostSpec(f"{site.code.lower()}-{suffix}{n}", site.ip(n), "cisco_ios", "wan_router", os, wan=wan)


def switch(site: SiteSpec, n: int, ip_n: int, os: str, role: str = "access_switch") -> HostSpec:
    prefix = "core" if role == "core_switch" else "sw"
    return HostSpec(f"{site.code.lower()}-{prefix}{n}", site.ip(ip_n), "cisco_ios", role, os)


def server(site: SiteSpec, name: str, ip_n: int, role: str, os: str, system: str | None = None) -> HostSpec:
    return HostSpec(f"{site.code.lower()}-{name}", site.ip(ip_n), "linux", role, os, system)


def build_sites() -> list[SiteSpec]:
    prov = {p[0]: p for p in PROVINCES}
    sites: list[SiteSpec] = []

    hq = SiteSpec(
        "BKK-HQ",
        "สำนักงานใหญ่และศูนย์ข้อมูลกลาง กรมประชาสัมพันธ์สาธิต",
        "Headquarters and Data Centre",
        "hq",
        "Bangkok",
        "bangkok",
        ipaddress.ip_network("10.10.0.0/16"),
        ipaddress.ip_network("10.10.0.0/24"),
        [
            {
                "type": "mpls",
                "provider": "NT (National Telecom)",
                "circuit_id": "MPLS-BKK-HQ-0001",
                "bandwidth_mbps": 1000,
            },
            {
                "type": "dg_link",
                "provider": "NT (National Telecom)",
                "circuit_id": "DGL-BKK-HQ-0001",
                "bandwidth_mbps": 1000,
            },
            {
                "type": "gin",
                "provider": "CAT",
                "circuit_id": "GIN-BKK-HQ-0001",
                "bandwidth_mbps": 200,
                "migration_target": "gsi",
                "migration_due": "2026-09-30",
            },
        ],
        person(0, "+66 2 555 0100"),
        HIGH,
        "central administration, the data centre and the hub of the MPLS core.",
        bureaus=BUREAUS,
    )
    hq.hosts = [
        router(hq, 1, "iosxe17", ["GigabitEthernet0/0/0", "GigabitEthernet0/0/1"]),
        router(hq, 2, "iosxe17", ["GigabitEthernet0/0/0"]),
        switch(hq, 1, 3, "iosxe17", "core_switch"),
        switch(hq, 1, 4, "iosxe17"),
        switch(hq, 2, 5, "ios15"),
        server(hq, "bastion1", 10, "bastion", "debian12"),
        server(hq, "dns1", 11, "dns", "debian12"),
        server(hq, "dns2", 12, "dns", "rocky9"),
        server(hq, "ntp1", 21, "ntp", "ubuntu22.04"),
        server(hq, "ntp2", 22, "ntp", "rocky9"),
        server(hq, "log1", 31, "syslog", "debian12"),
        server(hq, "web1", 51, "web", "ubuntu22.04", "Web portal"),
        server(hq, "web2", 52, "web", "ubuntu22.04", "Performance monitoring (PMS)"),
        server(hq, "saraban1", 53, "saraban", "rhel9", "e-Saraban"),
        server(hq, "news1", 54, "news", "debian12", "News Data Center"),
        server(hq, "db1", 55, "database", "rhel9", "MySQL for web portal, e-Saraban and news"),
        server(hq, "file1", 61, "file", "rocky9", "Media storage"),
    ]
    sites.append(hq)

    for k, pcode in enumerate(REGIONAL, start=1):
        _, en, th, region = prov[pcode]
        s = SiteSpec(
            f"REG{k}-{pcode}",
            f"สำนักประชาสัมพันธ์เขต {k} {th}",
            f"Regional Public Relations Office {k}, {en}",
            "regional",
            en,
            region,
            ipaddress.ip_network(f"10.{20 + k}.0.0/16"),
            ipaddress.ip_network(f"10.{20 + k}.0.0/24"),
            [
                {
                    "type": "mpls",
                    "provider": "NT (National Telecom)",
                    "circuit_id": f"MPLS-REG{k}-{1000 + k}",
                    "bandwidth_mbps": 200 if k <= 3 else 100,
                }
            ],
            person(k, f"+66 2 555 02{k}0"),
            CATEGORY["regional"],
            f"regional news desk on the department MPLS, {region} region.",
        )
        debian = k % 2 == 1
        s.hosts = [
            router(s, 1, "iosxe17", ["GigabitEthernet0/0/0"]),
            switch(s, 1, 2, "ios15"),
            server(s, "news1", 11, "news", "debian12" if debian else "ubuntu22.04", "Regional news desk"),
            server(s, "file1", 12, "file", "rocky9" if debian else "rhel9", "Regional file share"),
        ]
        sites.append(s)

    prov_space = ipaddress.ip_network("10.64.0.0/14").subnets(new_prefix=22)
    for i, ((pcode, en, th, region), net) in enumerate(zip(PROVINCES, prov_space, strict=False)):
        if pcode in GIN_SITES:
            target, due = GIN_SITES[pcode]
            transport = {
                "type": "gin",
                "provider": "CAT",
                "circuit_id": f"GIN-{pcode}-{2101 + i}",
                "bandwidth_mbps": 10,
                "migration_target": target,
                "migration_due": due,
            }
            r_os, wan = "ios15", ["GigabitEthernet0/0"]
        else:
            transport = {
                "type": "dg_link",
                "provider": ("NT (National Telecom)", "TOT")[i % 2],
                "circuit_id": f"DGL-{pcode}-{3101 + i}",
                "bandwidth_mbps": (50, 100)[i % 3 == 0],
            }
            r_os, wan = "iosxe17", ["GigabitEthernet0/0/0"]
        s = SiteSpec(
            f"PRV-{pcode}",
            f"สำนักงานประชาสัมพันธ์จังหวัด{th}",
            f"{en} Provincial Public Relations Office",
            "provincial",
            en,
            region,
            net,
            next(net.subnets(new_prefix=26)),
            [transport],
            person(10 + i, f"+66 80 555 {1000 + i}"),
            CATEGORY["provincial"],
            f"{region} region, "
            + (
                f"still on GIN, moving to {transport['migration_target']} by {transport['migration_due']}."
                if transport["type"] == "gin"
                else "on DG-Link."
            ),
        )
        s.hosts = [router(s, 1, r_os, wan), switch(s, 1, 2, "ios15")]
        sites.append(s)

    for n, (suffix, en_name, th_name) in enumerate(
        [("PROD", "production", "ระบบหลัก"), ("DR", "disaster recovery", "ระบบสำรอง")], start=1
    ):
        s = SiteSpec(
            f"GDCC-{suffix}",
            f"ระบบคลาวด์กลางภาครัฐ (GDCC) {th_name}",
            f"Government cloud (GDCC), {en_name}",
            "cloud",
            "GDCC",
            "bangkok",
            ipaddress.ip_network(f"10.{15 + n}.0.0/20"),
            ipaddress.ip_network(f"10.{15 + n}.0.0/24"),
            [
                {
                    "type": "internet_vpn",
                    "provider": "GDCC Virtual Network (ONDE)",
                    "circuit_id": f"IVPN-GDCC-{suffix}-01",
                    "bandwidth_mbps": 1000 if n == 1 else 500,
                }
            ],
            person(90 + n, f"+66 2 555 030{n}"),
            CATEGORY["cloud"] if n == 1 else {**CATEGORY["cloud"], "availability": "medium"},
            "a virtual IOS XE edge router terminates the IPsec VPN to headquarters.",
        )
        s.hosts = [
            router(s, 1, "iosxe17", ["GigabitEthernet1"]),
            server(s, "web1", 11, "web", "ubuntu22.04" if n == 1 else "debian12", "Web portal front end"),
            server(s, "db1", 21, "database", "rhel9", "Personal data of news subscribers"),
        ]
        if n == 1:
            s.hosts.append(server(s, "file1", 31, "file", "rocky9", "Media cloud (media storage)"))
        sites.append(s)
    return sites


# Per-host overrides kept in host_vars/ to show the second place host variables live.
HOST_VARS: dict[str, tuple[str, dict[str, Any]]] = {
    "gdcc-prod-db1": (
        "Holds personal data (PDPA): confidentiality raised above the cloud site's category.",
        {"prakan_security_category": HIGH},
    ),
}


# --- YAML rendering: hand-shaped layout, scalars quoted by PyYAML when YAML needs it --------------


def q(value: Any) -> str:
    """One YAML scalar, quoted only when needed (dates, numbers-as-strings, special characters)."""
    if isinstance(value, bool | int):
        return str(value).lower() if isinstance(value, bool) else str(value)
    out = yaml.safe_dump(value, allow_unicode=True, width=1000, default_style=None)
    return out.removesuffix("\n").removesuffix("\n...").strip()


def flow(value: dict[str, Any] | list[Any]) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {q(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(q(v) for v in value) + "]"


def render_site(site: SiteSpec) -> str:
    lines = [
        SCHEMA_REF,
        f"# {site.name_th}",
        f"# {site.name_en}: {site.comment}",
        "# Fictional sample data: the addresses are RFC 1918 and are never contacted.",
        "prakan_site:",
        f"  code: {site.code}",
        f"  name_th: {q(site.name_th)}",
        f"  name_en: {q(site.name_en)}",
        f"  kind: {site.kind}",
        f"  province: {q(site.province)}",
        f"  region: {site.region}",
        f"  mgmt_subnet: {site.mgmt}" + "      # every host's ansible_host lies inside",
        f"  subnets: [{site.network}]",
        "  transports:",
    ]
    for t in site.transports:
        lines.append(f"    - type: {t['type']}")
        for key in ("provider", "circuit_id", "bandwidth_mbps"):
            lines.append(f"      {key}: {q(t[key])}")
        if t["type"] == "gin":
            lines.append(
                f"      migration_target: {t['migration_target']}       # GIN service ends {GIN_END} (2570 B.E.)"
            )
            lines.append(f"      migration_due: {q(t['migration_due'])}")
    lines.append("  owner:")
    lines += [f"    {k}: {q(v)}" for k, v in site.owner.items()]
    lines.append(f"  security_category: {flow(site.category)}")
    if site.bureaus:
        lines.append(f"  # the {len(site.bureaus)} bureaus and divisions served by this site's network")
        lines.append("  bureaus:")
        lines += [f"    - {{th: {q(th)}, en: {q(en)}}}" for th, en in site.bureaus]
    return "\n".join(lines) + "\n"


def render_host(h: HostSpec) -> list[str]:
    lines = [
        f"        {h.name}:",
        f"          ansible_host: {h.address}",
        f"          prakan_platform: {h.platform}",
        f"          prakan_role: {h.role}",
    ]
    if h.os_family:
        lines.append(f"          prakan_os_family: {h.os_family}")
    lines.append(f"          prakan_os: {q(h.os)}")
    if h.system:
        lines.append(f"          prakan_system: {q(h.system)}")
    if h.wan:
        lines.append(f"          prakan_wan_interfaces: {flow(h.wan)}")
    return lines


KIND_TITLES = {
    "hq": "Headquarters and data centre, Bangkok",
    "regional": "Regional PR offices 1-8 (สำนักประชาสัมพันธ์เขต), on MPLS",
    "provincial": "Provincial PR offices (สำนักงานประชาสัมพันธ์จังหวัด), on GIN or DG-Link",
    "cloud": "Government cloud (GDCC) tenants, reached over IPsec VPN",
}
TRANSPORTS = ["mpls", "gin", "dg_link", "gsi", "internet_vpn"]
REGIONS = ["bangkok", "central", "north", "northeast", "east", "west", "south"]
ROLES = [
    "wan_router",
    "core_switch",
    "access_switch",
    "web",
    "saraban",
    "news",
    "database",
    "dns",
    "syslog",
    "ntp",
    "bastion",
    "file",
]


def render_hosts(sites: list[SiteSpec]) -> str:
    hosts = [h for s in sites for h in s.hosts]
    out = [
        "# Sample inventory: กรมประชาสัมพันธ์สาธิต / Demonstration Public Relations Department.",
        "# A FICTIONAL department shaped like a Thai ministry department; every name, person, circuit",
        "# and address is invented (RFC 1918 only) and nothing ever connects to them.",
        "# Model: docs/inventory-model.md. Written by tools/gen_sample_inventory.py; edit the generator.",
        "#",
        f"# {len(sites)} sites, {len(hosts)} hosts. Site facts live in group_vars/site_<code>.yml,",
        "# organisation-wide approved values in group_vars/all.yml, connection settings in",
        "# group_vars/platform_<platform>.yml.",
        "all:",
        "  children:",
    ]
    for kind in ("hq", "regional", "provincial", "cloud"):
        out += ["", f"    # --- {KIND_TITLES[kind]} " + "-" * max(3, 88 - len(KIND_TITLES[kind]))]
        for s in (s for s in sites if s.kind == kind):
            out += [f"    {s.group}:", "      hosts:"]
            for h in s.hosts:
                out += render_host(h)

    def children(group: str, title: str, members: list[str], key: str = "children") -> None:
        out.extend([f"    {group}:" + (f"  # {title}" if title else ""), f"      {key}:"])
        out.extend(f"        {m}:" for m in members)

    out += ["", "    # --- Site groups by kind, region and WAN transport " + "-" * 46]
    for kind in ("hq", "regional", "provincial", "cloud"):
        children(f"sitetype_{kind}", "", [s.group for s in sites if s.kind == kind])
    for region in REGIONS:
        children(f"region_{region}", "", [s.group for s in sites if s.region == region])
    for t in TRANSPORTS:
        members = [s.group for s in sites if any(x["type"] == t for x in s.transports)]
        if members:
            children(f"transport_{t}", "GIN ends 2570 (2027)" if t == "gin" else "", members)

    out += ["", "    # --- Hosts by role and by platform (names only; host variables are above) " + "-" * 22]
    for role in ROLES:
        members = [h.name for h in hosts if h.role == role]
        if members:
            children(f"role_{role}", "", members, key="hosts")
    for platform in ("linux", "cisco_ios"):
        children(
            f"platform_{platform}",
            f"connection settings: group_vars/platform_{platform}.yml",
            [h.name for h in hosts if h.platform == platform],
            key="hosts",
        )
    return "\n".join(out) + "\n"


def render_all(sites: list[SiteSpec]) -> str:
    hq = sites[0]
    return f"""{SCHEMA_REF}
# Organisation-wide values of the (fictional) Demonstration Public Relations Department.
# Checks refer to them by path, e.g. {{var: prakan_approved.syslog_servers}}.
prakan_org:
  name_th: กรมประชาสัมพันธ์สาธิต
  name_en: Demonstration Public Relations Department
  short: PRD-DEMO
  parent_th: สำนักนายกรัฐมนตรี
  parent_en: Office of the Prime Minister
  note: Fictional department for demonstration; shaped like a Thai government department.
  data_only: true   # its addresses are data: `prakan collect` / `scan` refuse to connect to them

prakan_approved:
  ntp_servers: [{hq.ip(21)}, {hq.ip(22)}]        # bkk-hq-ntp1, bkk-hq-ntp2
  syslog_servers: [{hq.ip(31)}]                 # bkk-hq-log1
  aaa_servers: [{hq.ip(41)}, {hq.ip(42)}]        # TACACS+ appliances, not managed by Prakan
  dns_servers: [{hq.ip(11)}, {hq.ip(12)}]        # bkk-hq-dns1, bkk-hq-dns2
  management_ranges: [{hq.mgmt}]              # management sessions come from here (bkk-hq-bastion1)
  banner:
    th: >-
      ระบบนี้เป็นทรัพย์สินของกรมประชาสัมพันธ์สาธิต อนุญาตให้ใช้งานเฉพาะผู้ได้รับอนุญาตเท่านั้น
      การใช้งานทุกครั้งถูกบันทึกและตรวจสอบ การเข้าถึงโดยมิชอบเป็นความผิดตามพระราชบัญญัติว่าด้วยการกระทำความผิดเกี่ยวกับคอมพิวเตอร์
    en: >-
      Authorised use only. This system belongs to the Demonstration Public Relations Department.
      All activity is logged and monitored. Unauthorised access is an offence under the
      Computer Crime Act B.E. 2550 (2007).
"""


PLATFORM_LINUX = f"""{SCHEMA_REF}
# Connection settings for every Linux server (by reference only: no secrets here).
ansible_user: prakan
ansible_ssh_private_key_file: ~/.ssh/prakan_ed25519
ansible_become: true
"""

# Inline vault values encrypted once with a random password that was thrown away: the sample is
# data only, and loading it must work (values stay encrypted) without any password.
PLATFORM_CISCO_IOS = f"""{SCHEMA_REF}
# Connection settings for every Cisco IOS / IOS XE device. Passwords only as inline vault values.
ansible_connection: ansible.netcommon.network_cli
ansible_network_os: cisco.ios.ios
ansible_user: prakan-audit
ansible_password: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          30306665393562393632393663363139333937323438616562303962383066333432643637646462
          3261313361656338373163646661623636316233626636350a383763643765303635303130313561
          38656265303864626133616563323637643964303265363738303465356632393939366431386230
          6138646636336561640a313438336632393831623636656464303463316162656336363661666232
          39356230386161333830386463646535343364383161396530646339653266396636
ansible_become: true
ansible_become_method: enable
ansible_become_password: !vault |
          $ANSIBLE_VAULT;1.1;AES256
          66636231316465666530353538313330363462346465663366346432353436346531366166646433
          3064393035326333383638303062363736356430383062610a616232313739316634366637666333
          32343236663932363936363034626138326366643134356665666232653765663337373339663931
          3233356632613733630a323166383839343036343930303339366461353236363266363331626336
          30316532636566353439623731393638396238353961346232333466636562303338
"""


def render_host_vars(comment: str, values: dict[str, Any]) -> str:
    lines = [SCHEMA_REF, f"# {comment}"]
    lines += [f"{k}: {flow(v) if isinstance(v, dict | list) else q(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def check_unique(sites: list[SiteSpec]) -> None:
    """The generator's own guard: the sample must pass the linter's uniqueness rules."""
    hosts = [h for s in sites for h in s.hosts]
    for label, values in [
        ("site code", [s.code for s in sites]),
        ("host name", [h.name for h in hosts]),
        ("address", [h.address for h in hosts]),
        ("circuit id", [t["circuit_id"] for s in sites for t in s.transports]),
    ]:
        dupes = {v for v in values if values.count(v) > 1}
        if dupes:
            raise SystemExit(f"duplicate {label}: {sorted(dupes)}")
    nets = [s.network for s in sites]
    for i, a in enumerate(nets):
        for b in nets[i + 1 :]:
            if a.overlaps(b):
                raise SystemExit(f"overlapping subnets {a} and {b}")
    for s in sites:
        for h in s.hosts:
            if ipaddress.ip_address(h.address) not in s.mgmt:
                raise SystemExit(f"{h.name}: {h.address} outside {s.mgmt}")


EXCEPTIONS = """\
# Approved exceptions (waivers) to Prakan checks. An ordinary Ansible inventory file: it sets one
# variable on `all`, so Ansible reads it quietly and Prakan finds the waivers in the inventory.
# A waived failing check is reported `waived`; after `expires` it is a `fail` that says so.
# yaml-language-server: $schema=../scanner/prakan/schemas/inventory.schema.json#/$defs/vars
all:
  vars:
    prakan_waivers:
      - check: IOS-SW-001
        hosts: [bkk-hq-sw2]
        reason: >-
          Catalyst 2960-X on IOS 15.2 awaiting replacement in the FY2570 hardware budget;
          the switch carries only the HQ printer VLAN.
        approver: Director, PR Information Technology Centre
        ticket: CHG-2569-0142
        expires: "2027-09-30"
      - check: LNX-PAM-006
        hosts: [bkk-hq-web1]
        reason: Legacy portal CMS cannot log in with the new password policy until its upgrade.
        approver: Director, PR Information Technology Centre
        ticket: CHG-2568-0977
        expires: "2026-06-30"
"""


def generate(out: Path) -> None:
    sites = build_sites()
    check_unique(sites)
    for sub in ("group_vars", "host_vars"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)  # the tree is fully generated: drop files of removed sites
        (out / sub).mkdir(parents=True)
    (out / "hosts.yml").write_text(render_hosts(sites), encoding="utf-8")
    (out / "exceptions.yml").write_text(EXCEPTIONS, encoding="utf-8")
    (out / "group_vars" / "all.yml").write_text(render_all(sites), encoding="utf-8")
    (out / "group_vars" / "platform_linux.yml").write_text(PLATFORM_LINUX, encoding="utf-8")
    (out / "group_vars" / "platform_cisco_ios.yml").write_text(PLATFORM_CISCO_IOS, encoding="utf-8")
    for s in sites:
        (out / "group_vars" / f"{s.group}.yml").write_text(render_site(s), encoding="utf-8")
    for name, (comment, values) in HOST_VARS.items():
        (out / "host_vars" / f"{name}.yml").write_text(render_host_vars(comment, values), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "inventory")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    generate(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
