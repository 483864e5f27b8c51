"""Incident candidates from a diff, and the incident register kept in the history database.

A candidate is a change that a scan can see and that the indicator list of the NCSA report form
(form ก2, part ง1.4; standards.md §4.3) names, or that the organisation's own rules make suspicious:

* ``accounts``     accounts added or changed: /etc/passwd (UID 0 above all), /etc/shadow, sudo lines,
                   IOS ``username`` and ``enable`` lines
* ``firewall``     firewall rules (nftables), IOS ACL lines and where ACLs are applied
* ``routing``      IOS routing lines (``router ...`` sections, ``ip route``)
* ``logging``      remote logging or auditing turned off or pointed elsewhere
* ``time``         time sources changed or removed (the clocks the form's times rely on)
* ``aaa``          AAA / TACACS+ / RADIUS / PAM changed
* ``regression``   critical or high checks that went from pass to fail
* ``outside_window`` any configuration change on a host whose inventory declares change windows
                   (``prakan_change_windows``), when no window opened between the two scans

Each carries host, site, the window between the two scans in which the change happened, the
evidence lines removed and added, and the SHA-256 of the source text before and after. The codes
it suggests (incident categories 0-9, indicators) are suggestions for a person to confirm.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from prakan.history.diff import Diff, SourceDrift, StatusChange
from prakan.history.store import History, HistoryError, now

# Incident categories (L3 appendix, reproduced in form ก3) [PRIMARY, standards.md §4.3]; 2-8 are reportable.
CATEGORIES: dict[int, str] = {
    0: "Training and Exercises",
    1: "Unsuccessful Activity Attempt",
    2: "Reconnaissance",
    3: "Non-Compliance Activity",
    4: "Malicious Logic",
    5: "User Level Intrusion",
    6: "Root Level Intrusion",
    7: "Denial of Service",
    8: "Investigating",
    9: "Explained Anomaly",
}
REPORTABLE = frozenset(range(2, 9))

# Threat levels of s.60 as the report form lists them [PRIMARY names, standards.md §4.1].
THREAT_LEVELS: dict[str, dict[str, str]] = {
    "non_critical": {"th": "ไม่ร้ายแรง", "en": "non-critical"},
    "critical": {"th": "ร้ายแรง", "en": "critical"},
    "crisis_a": {"th": "วิกฤต (ก)", "en": "crisis (a)"},
    "crisis_b": {"th": "วิกฤต (ข)", "en": "crisis (b)"},
    # the form's fifth option; this Thai wording is ours [INFERRED], the Gazette form is authoritative
    "undetermined": {"th": "ยังไม่สามารถระบุได้", "en": "not yet determinable"},
}

# Asset types of form ก3 [PRIMARY list, standards.md §4.3; Thai wording ours, INFERRED].
ASSET_TYPES: dict[str, dict[str, str]] = {
    "server": {"th": "เครื่องแม่ข่าย / Active Directory", "en": "server / Active Directory"},
    "workstation": {"th": "เครื่องลูกข่าย", "en": "workstation"},
    "network": {"th": "อุปกรณ์เครือข่าย (สวิตช์/เราเตอร์)", "en": "switch / router"},
    "website": {"th": "เว็บไซต์", "en": "website"},
    "other": {"th": "อื่น ๆ", "en": "other"},
}

# Form ก2 ง1.4 indicators [PRIMARY list, standards.md §4.3; Thai wording ours, INFERRED]. Only those a
# scan can see are ever ticked; the rest are on the form for a person.
INDICATORS: dict[str, dict[str, str]] = {
    "system_crash": {"en": "system crash", "th": "ระบบล่ม"},
    "abnormal_traffic_logs": {"en": "abnormal traffic in logs", "th": "พบการจราจรผิดปกติในบันทึก"},
    "new_accounts": {"en": "unexplained new or abnormal accounts", "th": "พบบัญชีผู้ใช้ใหม่หรือผิดปกติที่อธิบายไม่ได้"},
    "social_engineering": {"en": "social-engineering attempts", "th": "มีความพยายามหลอกลวงทางสังคม"},
    "degraded_performance": {"en": "degraded performance", "th": "ประสิทธิภาพของระบบลดลง"},
    "rule_changes": {
        "en": "unexplained DNS, router or firewall rule changes",
        "th": "การตั้งค่า DNS เราเตอร์ หรือไฟร์วอลล์เปลี่ยนโดยอธิบายไม่ได้",
    },
    "privilege_escalation": {"en": "unexplained privilege escalation", "th": "มีการยกระดับสิทธิ์ที่อธิบายไม่ได้"},
    "sniffer": {"en": "sniffer found", "th": "พบโปรแกรมดักจับข้อมูล"},
    "last_login_mismatch": {"en": "last-login mismatch", "th": "เวลาเข้าระบบครั้งล่าสุดไม่ตรง"},
    "ids_alerts": {"en": "IDS alerts", "th": "IDS แจ้งเตือน"},
    "probing": {"en": "suspicious probing or browsing", "th": "มีการสำรวจหรือเรียกดูที่น่าสงสัย"},
    "abnormal_usage": {"en": "abnormal usage pattern", "th": "รูปแบบการใช้งานผิดปกติ"},
    "file_size_change": {"en": "abnormal file-size change", "th": "ขนาดไฟล์เปลี่ยนผิดปกติ"},
    "system_file_writes": {"en": "attempts to write system files", "th": "มีความพยายามเขียนไฟล์ระบบ"},
    "file_date_change": {"en": "abnormal file-date change", "th": "วันที่ของไฟล์เปลี่ยนผิดปกติ"},
    "modification_deletion": {"en": "abnormal modification or deletion", "th": "มีการแก้ไขหรือลบข้อมูลผิดปกติ"},
    "dos": {"en": "DoS / DDoS", "th": "การโจมตีแบบ DoS / DDoS"},
    "new_files": {"en": "unexplained new files", "th": "พบไฟล์ใหม่ที่อธิบายไม่ได้"},
    "unusual_times": {"en": "activity at unusual times", "th": "มีการใช้งานในเวลาผิดปกติ"},
    "defacement": {"en": "web defacement", "th": "หน้าเว็บถูกเปลี่ยน"},
    "setuid_files": {"en": "new abnormal setuid/setgid files", "th": "พบไฟล์ setuid/setgid ใหม่ที่ผิดปกติ"},
    "os_file_changes": {"en": "abnormal OS directory or file changes", "th": "ไดเรกทอรีหรือไฟล์ของระบบปฏิบัติการเปลี่ยนผิดปกติ"},
    "cracking_utility": {"en": "cracking utility found", "th": "พบเครื่องมือเจาะระบบ"},
    "other": {"en": "other", "th": "อื่น ๆ"},
}

KINDS: dict[str, dict[str, Any]] = {
    "accounts": {
        "en": "accounts added or changed",
        "th": "มีการเพิ่มหรือเปลี่ยนบัญชีผู้ใช้",
        "indicators": ["new_accounts"],
        "categories": [8, 5],
    },
    "firewall": {
        "en": "firewall or ACL rules changed",
        "th": "กฎไฟร์วอลล์หรือ ACL เปลี่ยน",
        "indicators": ["rule_changes"],
        "categories": [8],
    },
    "routing": {
        "en": "routing changed",
        "th": "การกำหนดเส้นทางเปลี่ยน",
        "indicators": ["rule_changes"],
        "categories": [8],
    },
    "logging": {
        "en": "logging or auditing turned off or pointed elsewhere",
        "th": "การบันทึกล็อกหรือการตรวจสอบถูกปิดหรือส่งไปที่อื่น",
        "indicators": ["modification_deletion"],
        "categories": [8, 3],
    },
    "time": {
        "en": "time source changed or removed",
        "th": "แหล่งเวลาถูกเปลี่ยนหรือลบ",
        "indicators": ["os_file_changes"],
        "categories": [8, 3],
    },
    "aaa": {
        "en": "authentication, authorisation or accounting (AAA/PAM) changed",
        "th": "การพิสูจน์ตัวตน การกำหนดสิทธิ์ หรือการบันทึกการใช้งาน (AAA/PAM) เปลี่ยน",
        "indicators": ["privilege_escalation"],
        "categories": [8],
    },
    "regression": {
        "en": "critical or high controls regressed",
        "th": "มาตรการระดับวิกฤตหรือสูงกลับไม่ผ่าน",
        "indicators": [],
        "categories": [3],
    },
    "outside_window": {
        "en": "configuration changed outside the declared change windows",
        "th": "ค่าตั้งเปลี่ยนนอกช่วงเวลาที่อนุญาตให้เปลี่ยนแปลง",
        "indicators": ["unusual_times"],
        "categories": [8],
    },
}

_IOS_ACCOUNT = re.compile(r"^(username |enable (secret|password) )")
_IOS_ACL = re.compile(
    r"^(ip access-list |access-list |ipv6 access-list |\s+\d*\s*(permit|deny|remark)\b|\s+ip access-group "
    r"|\s+access-class |\s+ipv6 traffic-filter )"
)
_IOS_ROUTING = re.compile(
    r"^(router |ip route |ipv6 route | +(network|neighbor|redistribute|area|passive-interface|"
    r"default-information) )"
)
_IOS_LOGGING = re.compile(r"^(no )?(logging |archive\b|\s+log config|\s+logging enable|\s+notify syslog)")
_IOS_TIME = re.compile(r"^(no )?(ntp |clock timezone)")
_IOS_AAA = re.compile(r"^(no )?(aaa |tacacs|radius|ip tacacs|\s+server name |\s+address ipv4 |\s+key \d? ?<redacted)")
_LNX_SUDO = re.compile(r"\bsudo(ers)?\b")


@dataclass
class Evidence:
    source: str
    old_sha256: str | None
    new_sha256: str | None
    removed: list[str]
    added: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "old_sha256": self.old_sha256,
            "new_sha256": self.new_sha256,
            "removed": self.removed,
            "added": self.added,
        }


@dataclass
class Candidate:
    id: str  # C<run>-<n>: stable, the diff of run <run> with the run before it
    run: int
    kind: str
    host: str
    site: str | None
    window_from: str  # the change happened after this (the older scan)...
    window_to: str  # ...and before this (the newer scan, which detected it)
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    regressions: list[dict[str, Any]] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    categories: list[int] = field(default_factory=list)
    uid0: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "run": self.run,
            "kind": self.kind,
            "what": {k: KINDS[self.kind][k] for k in ("en", "th")},
            "host": self.host,
            "site": self.site,
            "window": {"from": self.window_from, "to": self.window_to},
            "summary": self.summary,
            "evidence": [e.to_json() for e in self.evidence],
            "regressions": self.regressions,
            "indicators": self.indicators,
            "suggested_categories": self.categories,
        }


def _lines(drift: SourceDrift, pattern: re.Pattern[str]) -> tuple[list[str], list[str]]:
    return [ln for ln in drift.removed if pattern.search(ln)], [ln for ln in drift.added if pattern.search(ln)]


def _classify(drift: SourceDrift, platform: str | None) -> dict[str, tuple[list[str], list[str]]]:
    """Kind -> (removed, added) lines of one changed source that make it a candidate."""
    found: dict[str, tuple[list[str], list[str]]] = {}

    def add(kind: str, rem: Sequence[str], add_: Sequence[str]) -> None:
        if rem or add_:
            r, a = found.setdefault(kind, ([], []))
            r.extend(rem)
            a.extend(add_)

    s = drift.source
    if s == "running_config":
        add("accounts", *_lines(drift, _IOS_ACCOUNT))
        add("firewall", *_lines(drift, _IOS_ACL))
        add("routing", *_lines(drift, _IOS_ROUTING))
        add("logging", *_lines(drift, _IOS_LOGGING))
        add("time", *_lines(drift, _IOS_TIME))
        add("aaa", *_lines(drift, _IOS_AAA))
    elif s in ("passwd", "shadow"):
        add("accounts", drift.removed, drift.added)
    elif s == "firewall":
        add("firewall", drift.removed, drift.added)
    elif s in ("syslog_config", "audit_rules", "auditd_conf"):
        add("logging", drift.removed, drift.added)
    elif s == "time_sync":
        add("time", drift.removed, drift.added)
    elif s == "pam":
        add("aaa", drift.removed, drift.added)
    if s != "running_config":
        add("accounts", *_lines(drift, _LNX_SUDO))
    return found


def _names(lines: Iterable[str]) -> set[str]:
    return {ln.split(":", 1)[0] for ln in lines if ":" in ln}


def _uid0(lines: Iterable[str]) -> list[str]:
    out = []
    for ln in lines:
        parts = ln.split(":")
        if len(parts) >= 4 and parts[2] == "0":
            out.append(parts[0])
    return out


@dataclass(frozen=True)
class ChangeWindow:
    days: frozenset[int]  # 0 = Monday
    start: tuple[int, int]
    end: tuple[int, int]  # end <= start: the window runs past midnight
    tz: ZoneInfo


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_windows(value: Any, where: str) -> list[ChangeWindow]:
    """`prakan_change_windows` (inventory schema): [{days: [mon, ...], start: "HH:MM", end: "HH:MM",
    timezone: Asia/Bangkok}]. Bad values raise HistoryError naming `where` (`prakan lint` reports them first)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise HistoryError(f"{where}: prakan_change_windows must be a list")
    out = []
    for i, w in enumerate(value):
        try:
            days = w.get("days", list(DAY_NAMES))
            sh, sm = (int(x) for x in str(w["start"]).split(":"))
            eh, em = (int(x) for x in str(w["end"]).split(":"))
            out.append(
                ChangeWindow(
                    frozenset(DAY_NAMES.index(str(d).lower()[:3]) for d in days),
                    (sh, sm),
                    (eh, em),
                    ZoneInfo(str(w.get("timezone", "Asia/Bangkok"))),
                )
            )
        except (AttributeError, KeyError, ValueError, TypeError) as exc:
            raise HistoryError(f"{where}: prakan_change_windows[{i}] is not valid ({exc})") from exc
    return out


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def window_open_between(windows: Sequence[ChangeWindow], start: datetime, end: datetime) -> bool:
    """Whether any change window was open at some moment between two instants."""
    for w in windows:
        local = start.astimezone(w.tz)
        day = local.date() - timedelta(days=1)
        while datetime.combine(day, datetime.min.time(), w.tz) <= end.astimezone(w.tz):
            if day.weekday() in w.days:
                o = datetime(day.year, day.month, day.day, *w.start, tzinfo=w.tz)
                c = datetime(day.year, day.month, day.day, *w.end, tzinfo=w.tz)
                if c <= o:
                    c += timedelta(days=1)
                if o < end and c > start:
                    return True
            day += timedelta(days=1)
    return False


def candidates_from_diff(
    diff: Diff,
    platforms: Mapping[str, str | None] | None = None,
    windows: Mapping[str, list[ChangeWindow]] | None = None,
) -> list[Candidate]:
    """The incident candidates of one diff, in a stable order (ids C<new run>-1, -2, ...)."""
    platforms = platforms or {}
    windows = windows or {}
    start, end = diff.old.collected_from or diff.old.started_at, diff.new.collected_to or diff.new.started_at
    found: dict[tuple[str, str], Candidate] = {}

    def cand(host: str, kind: str) -> Candidate:
        key = (host, kind)
        if key not in found:
            found[key] = Candidate(
                "",
                diff.new.id,
                kind,
                host,
                diff.sites.get(host),
                start,
                end,
                "",
                indicators=list(KINDS[kind]["indicators"]),
                categories=list(KINDS[kind]["categories"]),
            )
        return found[key]

    for d in diff.drift:
        for kind, (removed, added) in _classify(d, platforms.get(d.host)).items():
            c = cand(d.host, kind)
            c.evidence.append(Evidence(d.source, d.old_sha256, d.new_sha256, removed, added))
            if kind == "accounts" and d.source == "passwd":
                root = _uid0(added)
                if root:
                    c.uid0 = True
                    if "privilege_escalation" not in c.indicators:
                        c.indicators.append("privilege_escalation")
                    if 6 not in c.categories:
                        c.categories.append(6)
    hosts_drifted = sorted({d.host for d in diff.drift})
    for host in hosts_drifted:
        wins = windows.get(host)
        if wins and not window_open_between(wins, _parse_time(start), _parse_time(end)):
            c = cand(host, "outside_window")
            c.evidence += [
                Evidence(d.source, d.old_sha256, d.new_sha256, list(d.removed), list(d.added))
                for d in diff.drift
                if d.host == host
            ]
    serious: dict[str, list[StatusChange]] = {}
    for ch in diff.regressions + diff.waivers_expired:
        if ch.severity in ("critical", "high"):
            serious.setdefault(ch.host, []).append(ch)
    for host, changes in serious.items():
        c = cand(host, "regression")
        c.regressions = [ch.to_json() for ch in changes]
    order = list(KINDS)
    out = sorted(found.values(), key=lambda c: (c.host, order.index(c.kind)))
    for n, c in enumerate(out, 1):
        c.id = f"C{diff.new.id}-{n}"
        c.summary = _summary(c)
    return out


def _summary(c: Candidate) -> str:
    what = KINDS[c.kind]["en"]
    if c.kind == "regression":
        return f"{c.host}: {what}: " + ", ".join(f"{r['check']} ({r['severity']})" for r in c.regressions)
    removed = sum(len(e.removed) for e in c.evidence)
    added = sum(len(e.added) for e in c.evidence)
    extra = ""
    if c.kind == "accounts":
        new_names = set()
        for e in c.evidence:
            if e.source == "passwd":
                new_names |= _names(e.added) - _names(e.removed)
        if new_names:
            extra = "; new account(s): " + ", ".join(sorted(new_names))
        if c.uid0:
            extra += " (UID 0)"
    return f"{c.host}: {what}: {removed} line(s) removed, {added} added{extra}"


# ---------------------------------------------------------------------------------------------- register

STATES = ("open", "investigating", "contained", "closed")


@dataclass
class Incident:
    id: int
    ref: str
    title: str
    status: str
    threat_level: str
    categories: list[int]
    asset_type: str
    hosts: list[str]
    detected_at: str
    opened_at: str
    closed_at: str | None
    candidates: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def deadline(self) -> str:
        """Form ก2 is due 24 hours after detection (notice 2566 ข้อ 5) [PRIMARY]."""
        return (_parse_time(self.detected_at) + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "title": self.title,
            "status": self.status,
            "threat_level": self.threat_level,
            "categories": self.categories,
            "asset_type": self.asset_type,
            "hosts": self.hosts,
            "detected_at": self.detected_at,
            "ก2_due": self.deadline,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "candidates": [c.get("id") for c in self.candidates],
            "events": self.events,
        }


_INC_COLUMNS = (
    "id, ref, title, status, threat_level, categories, asset_type, hosts, detected_at, opened_at, closed_at, candidates"
)


def _incident(row: Sequence[Any]) -> Incident:
    return Incident(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        json.loads(row[5]),
        row[6],
        json.loads(row[7]),
        row[8],
        row[9],
        row[10],
        json.loads(row[11]),
    )


def validate_categories(cats: Iterable[int]) -> list[int]:
    out = sorted(set(cats))
    bad = [c for c in out if c not in CATEGORIES]
    if bad:
        raise HistoryError(
            f"unknown incident category {bad[0]} (0-9: " + ", ".join(f"{k} {v}" for k, v in CATEGORIES.items()) + ")"
        )
    return out


def open_incident(
    history: History,
    title: str,
    detected_at: str,
    categories: Iterable[int] = (8,),
    threat_level: str = "undetermined",
    asset_type: str = "other",
    hosts: Sequence[str] = (),
    candidates: Sequence[Mapping[str, Any]] = (),
    at: str | None = None,
) -> Incident:
    if threat_level not in THREAT_LEVELS:
        raise HistoryError(f"unknown threat level {threat_level!r} (one of {', '.join(THREAT_LEVELS)})")
    if asset_type not in ASSET_TYPES:
        raise HistoryError(f"unknown asset type {asset_type!r} (one of {', '.join(ASSET_TYPES)})")
    cats = validate_categories(categories)
    try:
        detected = _parse_time(detected_at).strftime("%Y-%m-%dT%H:%M:%SZ")
    except ValueError as exc:
        raise HistoryError(f"detection time {detected_at!r} is not an ISO 8601 date and time") from exc
    at = at or now()
    with history.transaction() as db:
        year = int(detected[:4]) + 543
        n = db.execute("SELECT count(*) FROM incidents WHERE ref LIKE ?", (f"INC-{year}-%",)).fetchone()[0] + 1
        ref = f"INC-{year}-{n:04d}"
        iid = db.execute(
            f"INSERT INTO incidents({_INC_COLUMNS.split(', ', 1)[1]}) VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, NULL, ?)",
            (
                ref,
                title,
                threat_level,
                json.dumps(cats),
                asset_type,
                json.dumps(list(hosts)),
                detected,
                at,
                json.dumps(list(candidates), ensure_ascii=False),
            ),
        ).lastrowid
        db.execute(
            "INSERT INTO incident_events(incident, at, what, detail) VALUES (?, ?, 'opened', ?)",
            (iid, at, json.dumps({"threat_level": threat_level, "categories": cats})),
        )
    inc = get_incident(history, ref)
    assert inc is not None
    return inc


def get_incident(history: History, ref: str) -> Incident | None:
    row = history.conn.execute(
        f"SELECT {_INC_COLUMNS} FROM incidents WHERE ref = ? OR CAST(id AS TEXT) = ?", (ref, ref)
    ).fetchone()
    if row is None:
        return None
    inc = _incident(row)
    inc.events = [
        {"at": at, "what": what, **json.loads(detail)}
        for at, what, detail in history.conn.execute(
            "SELECT at, what, detail FROM incident_events WHERE incident = ? ORDER BY id", (inc.id,)
        )
    ]
    return inc


def update_incident(
    history: History,
    ref: str,
    status: str | None = None,
    threat_level: str | None = None,
    categories: Iterable[int] | None = None,
    asset_type: str | None = None,
    note: str | None = None,
    at: str | None = None,
    close: bool = False,
) -> Incident:
    inc = get_incident(history, ref)
    if inc is None:
        raise HistoryError(f"{history.path}: no incident {ref!r} (prakan incident list)")
    if inc.status == "closed" and not close:
        raise HistoryError(f"incident {inc.ref} is closed")
    change: dict[str, Any] = {}
    if threat_level is not None:
        if threat_level not in THREAT_LEVELS:
            raise HistoryError(f"unknown threat level {threat_level!r} (one of {', '.join(THREAT_LEVELS)})")
        change["threat_level"] = threat_level
    if status is not None:
        if status not in STATES or status == "closed":
            raise HistoryError(f"unknown status {status!r} (one of {', '.join(STATES[:-1])}; close with `close`)")
        change["status"] = status
    if categories is not None:
        change["categories"] = validate_categories(categories)
    if asset_type is not None:
        if asset_type not in ASSET_TYPES:
            raise HistoryError(f"unknown asset type {asset_type!r} (one of {', '.join(ASSET_TYPES)})")
        change["asset_type"] = asset_type
    at = at or now()
    if close:
        if inc.status == "closed":
            raise HistoryError(f"incident {inc.ref} is already closed (on {inc.closed_at})")
        change["status"] = "closed"
        change["closed_at"] = at
    with history.transaction() as db:
        for key, value in change.items():
            db.execute(
                f"UPDATE incidents SET {key} = ? WHERE id = ?",
                (json.dumps(value) if key == "categories" else value, inc.id),
            )
        detail = change | ({"note": note} if note else {})
        db.execute(
            "INSERT INTO incident_events(incident, at, what, detail) VALUES (?, ?, ?, ?)",
            (inc.id, at, "closed" if close else "updated", json.dumps(detail, ensure_ascii=False)),
        )
    out = get_incident(history, inc.ref)
    assert out is not None
    return out


def list_incidents(history: History, year: int | None = None) -> list[Incident]:
    rows = history.conn.execute(f"SELECT {_INC_COLUMNS} FROM incidents ORDER BY detected_at, id").fetchall()
    out = [i for i in map(_incident, rows) if year is None or _bangkok_year(i.detected_at) == year]
    by_id = {i.id: i for i in out}
    for iid, at, what, detail in history.conn.execute(
        "SELECT incident, at, what, detail FROM incident_events ORDER BY id"
    ):
        if iid in by_id:
            by_id[iid].events.append({"at": at, "what": what, **json.loads(detail)})
    return out


def _bangkok_year(iso: str) -> int:
    return _parse_time(iso).astimezone(ZoneInfo("Asia/Bangkok")).year


def common_era(year: int) -> int:
    """A year given in the Buddhist Era (2569) or the Common Era (2026) as CE; BE = CE + 543."""
    if year > 2400:
        return year - 543
    if 1900 < year < 2400:
        return year
    raise HistoryError(f"year {year}: give it in the Buddhist Era (e.g. 2569) or the Common Era (e.g. 2026)")


def annual_summary(history: History, year: int) -> dict[str, Any]:
    """Form ก3: counts of the year's incidents (by detection date, Thai time) by category, asset type, level."""
    ce = common_era(year)
    incidents = list_incidents(history, ce)
    by_cat = dict.fromkeys(CATEGORIES, 0)
    by_asset = dict.fromkeys(ASSET_TYPES, 0)
    by_level = dict.fromkeys(THREAT_LEVELS, 0)
    for inc in incidents:
        for c in inc.categories:
            by_cat[c] += 1
        by_asset[inc.asset_type] += 1
        by_level[inc.threat_level] += 1
    return {
        "format": "prakan-ncsa-k3",
        "version": 1,
        "year": {"ce": ce, "be": ce + 543},
        "due": f"{ce + 1}-01-31",
        "incidents": len(incidents),
        "by_category": {str(k): v for k, v in by_cat.items()},
        "by_asset_type": by_asset,
        "by_threat_level": by_level,
        "open": sum(1 for i in incidents if i.status != "closed"),
        "register": [i.to_json() for i in incidents],
    }
