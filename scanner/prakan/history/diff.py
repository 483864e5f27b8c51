"""What changed between two recorded runs: statuses, hosts, waivers and configuration drift.

Only the intervals that start or end between the two runs are read (indexed by `first_run` and
`last_run`), so the diff of the last two runs of a national fleet costs what changed, not the fleet.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from prakan.history.store import History, HistoryError, RunInfo

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@dataclass(frozen=True)
class StatusChange:
    host: str
    check: str
    severity: str
    title: str
    old: str | None
    new: str | None
    detail: str | None  # the new status's reason or actual value (not for a pass)

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "check": self.check,
            "severity": self.severity,
            "title": self.title,
            "old": self.old,
            "new": self.new,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class HostChange:
    host: str
    site: str | None
    platform: str | None
    error: str | None = None  # the host-level error (new errors, vanished: the last known)

    def to_json(self) -> dict[str, Any]:
        return {"host": self.host, "site": self.site, "platform": self.platform, "error": self.error}


@dataclass(frozen=True)
class SourceDrift:
    host: str
    source: str
    old_sha256: str | None  # None: the source is new on this host
    new_sha256: str | None  # None: the source is no longer collected
    removed: tuple[str, ...]
    added: tuple[str, ...]
    unified: str

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "source": self.source,
            "old_sha256": self.old_sha256,
            "new_sha256": self.new_sha256,
            "removed": list(self.removed),
            "added": list(self.added),
            "unified_diff": self.unified,
        }


@dataclass
class Diff:
    old: RunInfo
    new: RunInfo
    regressions: list[StatusChange] = field(default_factory=list)  # pass/n.a. -> fail
    fixes: list[StatusChange] = field(default_factory=list)  # fail -> pass (or a waived finding fixed)
    new_errors: list[StatusChange] = field(default_factory=list)  # -> error (check), incl. hosts in error
    recoveries: list[StatusChange] = field(default_factory=list)  # error -> anything else
    waivers_expired: list[StatusChange] = field(default_factory=list)  # waived -> fail
    other: list[StatusChange] = field(default_factory=list)  # any other status change
    hosts_appeared: list[HostChange] = field(default_factory=list)
    hosts_vanished: list[HostChange] = field(default_factory=list)
    hosts_new_error: list[HostChange] = field(default_factory=list)
    hosts_recovered: list[HostChange] = field(default_factory=list)
    drift: list[SourceDrift] = field(default_factory=list)
    drift_unknown: str | None = None  # why configuration drift could not be compared, if it could not
    sites: dict[str, str | None] = field(default_factory=dict)  # host -> site (hosts named above)

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions or self.waivers_expired)

    def counts(self) -> dict[str, int]:
        return {
            "regressions": len(self.regressions),
            "fixes": len(self.fixes),
            "new_errors": len(self.new_errors) + len(self.hosts_new_error),
            "recoveries": len(self.recoveries) + len(self.hosts_recovered),
            "waivers_expired": len(self.waivers_expired),
            "hosts_appeared": len(self.hosts_appeared),
            "hosts_vanished": len(self.hosts_vanished),
            "sources_changed": len(self.drift),
            "hosts_drifted": len({d.host for d in self.drift}),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "prakan-diff",
            "version": 1,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "counts": self.counts(),
            "regressions": [c.to_json() for c in self.regressions],
            "fixes": [c.to_json() for c in self.fixes],
            "new_errors": [c.to_json() for c in self.new_errors],
            "recoveries": [c.to_json() for c in self.recoveries],
            "waivers_expired": [c.to_json() for c in self.waivers_expired],
            "other_changes": [c.to_json() for c in self.other],
            "hosts_appeared": [h.to_json() for h in self.hosts_appeared],
            "hosts_vanished": [h.to_json() for h in self.hosts_vanished],
            "hosts_new_error": [h.to_json() for h in self.hosts_new_error],
            "hosts_recovered": [h.to_json() for h in self.hosts_recovered],
            "drift": [d.to_json() for d in self.drift],
            "drift_unknown": self.drift_unknown,
        }


def resolve_runs(history: History, old: int | None, new: int | None) -> tuple[RunInfo, RunInfo]:
    """The two runs to compare: by default the last two; with one number, that run and the one before."""
    if new is None and old is not None:
        new, old = old, None
    new_run = history.run(new) if new is not None else history.latest_run()
    if new_run is None:
        raise HistoryError(f"{history.path}: " + (f"no run {new}" if new is not None else "no run recorded yet"))
    old_run = history.run(old) if old is not None else history.previous_run(new_run.id)
    if old_run is None:
        raise HistoryError(
            f"{history.path}: " + (f"no run {old}" if old is not None else f"no run before run {new_run.id} to compare")
        )
    if old_run.id >= new_run.id:
        raise HistoryError(f"{history.path}: run {old_run.id} is not older than run {new_run.id}")
    return old_run, new_run


def _changed(
    history: History, table: str, key: str, value: str, old: int, new: int
) -> dict[tuple[Any, ...], list[Any]]:
    """Key -> [value at OLD, value at NEW] for the intervals of `table` that changed between the runs."""
    db = history.conn
    out: dict[tuple[Any, ...], list[Any]] = {}
    for row in db.execute(
        f"SELECT {key}, {value} FROM {table} WHERE last_run >= ? AND last_run < ? AND first_run <= ?", (old, new, old)
    ):
        out.setdefault(tuple(row[: key.count(",") + 1]), [None, None])[0] = row[key.count(",") + 1 :]
    for row in db.execute(
        f"SELECT {key}, {value} FROM {table} WHERE first_run > ? AND first_run <= ? "
        "AND (last_run IS NULL OR last_run >= ?)",
        (old, new, new),
    ):
        out.setdefault(tuple(row[: key.count(",") + 1]), [None, None])[1] = row[key.count(",") + 1 :]
    return {k: v for k, v in out.items() if v[0] != v[1]}


def compute_diff(history: History, old: RunInfo, new: RunInfo, context: int = 2) -> Diff:
    db = history.conn
    diff = Diff(old, new)
    names = dict(db.execute("SELECT id, name FROM hosts"))
    # hosts: presence and host-level errors
    host_vals = _changed(history, "host_states", "host", "platform, site, error", old.id, new.id)
    for (hid,), (before, after) in sorted(host_vals.items(), key=lambda kv: names[kv[0][0]]):
        name = names[hid]
        if before is None:
            diff.hosts_appeared.append(HostChange(name, after[1], after[0], after[2]))
        elif after is None:
            diff.hosts_vanished.append(HostChange(name, before[1], before[0], before[2]))
        elif after[2] and not before[2]:
            diff.hosts_new_error.append(HostChange(name, after[1], after[0], after[2]))
        elif before[2] and not after[2]:
            diff.hosts_recovered.append(HostChange(name, after[1], after[0], before[2]))
        diff.sites[name] = (after or before)[1]
    sql = "SELECT host FROM host_states WHERE first_run <= ? AND (last_run IS NULL OR last_run >= ?)"
    present_old = {h for (h,) in db.execute(sql, (old.id, old.id))}
    host_error_new = {h.host for h in diff.hosts_new_error}
    host_error_old = {h.host for h in diff.hosts_recovered}
    checks = {
        cid: (chk, sev or "info", en or chk)
        for cid, chk, sev, en in db.execute("SELECT id, check_id, severity, title_en FROM checks")
    }
    changes = _changed(history, "statuses", "host, chk", "status, detail", old.id, new.id)
    for (hid, cid), (before, after) in changes.items():
        b, a = (before[0] if before else None), (after[0] if after else None)
        if b == a:
            continue
        name = names[hid]
        chk, sev, title = checks[cid]
        change = StatusChange(name, chk, sev, title, b, a, history.detail(after[1]) if after else None)
        if a is None or (b is None and hid not in present_old):
            continue  # host vanished / appeared, or a check left the catalog: reported per host
        if a == "error":
            if name not in host_error_new:  # a host that could not be collected is one entry, not 80
                diff.new_errors.append(change)
        elif b == "error":
            if name not in host_error_old:
                diff.recoveries.append(change)
        elif a == "fail" and b == "waived":
            diff.waivers_expired.append(change)
        elif a == "fail":
            diff.regressions.append(change)
        elif a == "pass" and b in ("fail", "waived"):
            diff.fixes.append(change)
        else:
            diff.other.append(change)
        diff.sites.setdefault(name, None)
    for lst in (diff.regressions, diff.fixes, diff.new_errors, diff.recoveries, diff.waivers_expired, diff.other):
        lst.sort(key=lambda c: (SEVERITY_ORDER.get(c.severity, 9), c.host, c.check))
    # configuration drift
    if not (old.sources_recorded and new.sources_recorded):
        missing = [r.id for r in (old, new) if not r.sources_recorded]
        diff.drift_unknown = f"evidence text of run(s) {', '.join(map(str, missing))} was not recorded"
    else:
        vanished = {h.host for h in diff.hosts_vanished}
        appeared = {h.host for h in diff.hosts_appeared}
        src = _changed(history, "source_states", "host, source", "sha256", old.id, new.id)
        for (hid, source), (before, after) in sorted(src.items(), key=lambda kv: (names[kv[0][0]], kv[0][1])):
            name = names[hid]
            if name in vanished or name in appeared:
                continue
            b, a = (before[0] if before else None), (after[0] if after else None)
            if b is None or a is None:
                continue  # collected in only one of the runs (e.g. a host in error): not drift
            diff.drift.append(source_drift(history, name, source, b, a, context))
        for d in diff.drift:
            diff.sites.setdefault(d.host, None)
    for name in list(diff.sites):
        if diff.sites[name] is None:
            state = history.host_at(name, new.id) or history.host_at(name, old.id)
            diff.sites[name] = state["site"] if state else None
    return diff


def source_drift(history: History, host: str, source: str, old: str, new: str, context: int = 2) -> SourceDrift:
    before = (history.blob(old) or "").splitlines()
    after = (history.blob(new) or "").splitlines()
    removed, added = [], []
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag in ("replace", "delete"):
            removed += before[i1:i2]
        if tag in ("replace", "insert"):
            added += after[j1:j2]
    unified = "\n".join(
        difflib.unified_diff(
            before, after, f"{host}/{source}@{old[:12]}", f"{host}/{source}@{new[:12]}", n=context, lineterm=""
        )
    )
    return SourceDrift(host, source, old, new, tuple(removed), tuple(added), unified)


def render_text(diff: Diff, lang: str = "en", max_lines: int = 60) -> str:
    """The diff for a person at a terminal (or a cron mail)."""
    th = lang == "th"
    c = diff.counts()
    out = [
        (
            f"เปรียบเทียบรอบ {diff.old.id} ({diff.old.when}) กับรอบ {diff.new.id} ({diff.new.when})"
            if th
            else f"run {diff.old.id} ({diff.old.when}) -> run {diff.new.id} ({diff.new.when})"
        ),
        (
            f"แย่ลง {c['regressions']}, แก้แล้ว {c['fixes']}, ข้อผิดพลาดใหม่ {c['new_errors']}, "
            f"กลับมาปกติ {c['recoveries']}, ข้อยกเว้นหมดอายุ {c['waivers_expired']}, เครื่องใหม่ {c['hosts_appeared']}, "
            f"เครื่องหายไป {c['hosts_vanished']}, ค่าตั้งเปลี่ยน {c['sources_changed']} แหล่งใน {c['hosts_drifted']} เครื่อง"
            if th
            else f"{c['regressions']} regression(s), {c['fixes']} fix(es), {c['new_errors']} new error(s), "
            f"{c['recoveries']} recovery(ies), {c['waivers_expired']} waiver(s) expired, {c['hosts_appeared']} host(s) "
            f"appeared, {c['hosts_vanished']} vanished, {c['sources_changed']} source(s) changed on "
            f"{c['hosts_drifted']} host(s)"
        ),
    ]

    def section(title_en: str, title_th: str, items: list[StatusChange]) -> None:
        if not items:
            return
        out.append("")
        out.append(f"{title_th if th else title_en} ({len(items)})")
        for ch in items:
            line = f"  {ch.severity:<8} {ch.host:<20} {ch.check:<14} {ch.old or '-'} -> {ch.new or '-'}  {ch.title}"
            out.append(line)
            if ch.detail and ch.new not in ("pass", None):
                out.append(f"           {ch.detail[:160]}")

    section("REGRESSIONS (pass -> fail)", "แย่ลง (ผ่าน -> ไม่ผ่าน)", diff.regressions)
    section("WAIVERS EXPIRED (waived -> fail)", "ข้อยกเว้นหมดอายุ", diff.waivers_expired)
    section("NEW ERRORS", "ข้อผิดพลาดใหม่", diff.new_errors)
    for title_en, title_th, hosts in (
        ("HOSTS IN ERROR (new)", "เครื่องที่เก็บหลักฐานไม่ได้ (ใหม่)", diff.hosts_new_error),
        ("HOSTS APPEARED", "เครื่องใหม่", diff.hosts_appeared),
        ("HOSTS VANISHED", "เครื่องที่หายไป", diff.hosts_vanished),
        ("HOSTS RECOVERED", "เครื่องที่กลับมาปกติ", diff.hosts_recovered),
    ):
        if hosts:
            out += ["", f"{title_th if th else title_en} ({len(hosts)})"]
            out += [
                f"  {h.host:<20} {h.site or '-':<10} {h.platform or '-':<10} {h.error or ''}".rstrip() for h in hosts
            ]
    section("FIXES (fail -> pass)", "แก้แล้ว (ไม่ผ่าน -> ผ่าน)", diff.fixes)
    section("RECOVERIES (error -> evaluated)", "กลับมาประเมินได้", diff.recoveries)
    section("OTHER STATUS CHANGES", "สถานะอื่นที่เปลี่ยน", diff.other)
    if diff.drift_unknown:
        out += ["", ("ค่าตั้งที่เปลี่ยน: เปรียบเทียบไม่ได้ — " if th else "CONFIGURATION DRIFT: unknown — ") + diff.drift_unknown]
    elif diff.drift:
        out += ["", f"{'ค่าตั้งที่เปลี่ยน' if th else 'CONFIGURATION DRIFT'} ({len(diff.drift)})"]
        for d in diff.drift:
            out.append(f"  {d.host} {d.source}: -{len(d.removed)} +{len(d.added)} line(s)")
            lines = d.unified.splitlines()
            out += ["    " + ln for ln in lines[:max_lines]]
            if len(lines) > max_lines:
                out.append(f"    ... {len(lines) - max_lines} more line(s) (--format json for all)")
    return "\n".join(out) + "\n"
