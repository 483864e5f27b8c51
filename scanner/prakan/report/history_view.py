"""What the report shows from the history, shaped for the page: "new since the last scan", first-seen
dates and the trend of the totals.

The input is `prakan.history.context.report_context(...)` (a plain dict); nothing here touches the
database. Without a context (or with one for a run the history does not hold) there is no view, and the
page is exactly what it is without history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TREND_STATUSES = ("pass", "fail", "error")
LIST_LIMIT = 200  # rows per list in "new since the last scan"; the full list is in `prakan diff`


@dataclass(frozen=True, slots=True)
class Since:
    """Since when a result has held its (bad) status: the run it started in, and how many runs in a row."""

    when: str
    run: int
    runs: int


@dataclass(frozen=True, slots=True)
class TrendBar:
    run: int
    when: str
    x: float
    counts: dict[str, int]
    segments: list[dict[str, Any]]  # {"status", "n", "y", "h"}, bottom to top
    top: float  # y of the bar's top (for the total's label)


@dataclass(frozen=True, slots=True)
class HistoryView:
    run: Mapping[str, Any]
    previous: Mapping[str, Any] | None
    new_since: Mapping[str, Any] | None  # None: the first recorded run
    first_seen: Mapping[str, Mapping[str, Mapping[str, Any]]]
    trend: list[TrendBar]
    trend_width: float
    trend_height: float
    trend_bar: float

    def since(self, host: str, check: str) -> Since | None:
        x = self.first_seen.get(host, {}).get(check)
        return Since(str(x["since"]), int(x["since_run"]), int(x["runs"])) if x else None

    def oldest(self, check: str, hosts: Iterable[str]) -> Since | None:
        """The longest-standing of a check's bad results on these hosts (a finding's "failing since")."""
        found = [s for s in (self.since(h, check) for h in hosts) if s is not None]
        return min(found, key=lambda s: (s.run, s.when)) if found else None

    def new_hosts(self, check: str, hosts: Iterable[str]) -> int:
        """How many of these hosts' results for the check are new in this run."""
        run = int(self.run["id"])
        return sum(1 for h in hosts if (s := self.since(h, check)) is not None and s.run == run)

    def page_data(self) -> dict[str, Any]:
        """Compact first-seen data for the page's host list: run dates once, then per host and check."""
        whens: dict[str, str] = {}
        since: dict[str, dict[str, list[int]]] = {}
        for host, checks in self.first_seen.items():
            for check, x in checks.items():
                if x.get("status") not in ("fail", "error"):
                    continue
                whens[str(x["since_run"])] = str(x["since"])
                since.setdefault(host, {})[check] = [int(x["since_run"]), int(x["runs"])]
        return {"whens": whens, "since": since}

    def sections(self) -> list[tuple[str, str, str, list[Mapping[str, Any]]]]:
        """The status-change lists of "new since the last scan": (key, English, Thai, rows)."""
        n = self.new_since or {}
        return [
            (k, en, th, list(n.get(k) or [])[:LIST_LIMIT])
            for k, en, th in (
                ("regressions", "Regressions (now failing)", "ผลที่แย่ลง (กลับมาไม่ผ่าน)"),
                ("new_errors", "New errors", "ข้อผิดพลาดใหม่"),
                ("waivers_expired", "Waivers expired (now failing)", "ข้อยกเว้นหมดอายุ (ถือว่าไม่ผ่าน)"),
                ("fixes", "Fixed", "แก้ไขแล้ว"),
                ("recoveries", "Recovered from error", "กลับมาประเมินได้"),
            )
        ]

    def host_lists(self) -> list[tuple[str, str, str, list[Mapping[str, Any]]]]:
        n = self.new_since or {}
        return [
            (k, en, th, list(n.get(k) or [])[:LIST_LIMIT])
            for k, en, th in (
                ("hosts_appeared", "Hosts appeared", "เครื่องที่เพิ่มเข้ามา"),
                ("hosts_vanished", "Hosts vanished", "เครื่องที่หายไป"),
                ("hosts_new_error", "Hosts newly in error", "เครื่องที่เพิ่งประเมินไม่ได้"),
                ("hosts_recovered", "Hosts recovered", "เครื่องที่กลับมาประเมินได้"),
            )
            if n.get(k)
        ]

    def drift(self) -> list[tuple[str, list[Mapping[str, Any]]]]:
        """Configuration drift grouped by host: (host, [{"source", "removed", "added", ...}])."""
        by: dict[str, list[Mapping[str, Any]]] = {}
        for d in (self.new_since or {}).get("drift") or []:
            by.setdefault(str(d["host"]), []).append(d)
        return sorted(by.items())


def trend_bars(
    trend: list[Mapping[str, Any]], height: float = 140.0, width: float = 640.0
) -> tuple[list[TrendBar], float]:
    """One stacked bar per run (pass at the bottom, then fail, then error), oldest left; and the bar width."""
    if not trend:
        return [], 0.0
    top = max([sum(int((t.get("by_status") or {}).get(s, 0)) for s in TREND_STATUSES) for t in trend] + [1])
    step = width / max(len(trend), 1)
    bar = round(min(step * 0.7, 48.0), 2)
    bars = []
    for i, t in enumerate(trend):
        counts = {s: int((t.get("by_status") or {}).get(s, 0)) for s in TREND_STATUSES}
        y = height
        segs = []
        for s in TREND_STATUSES:
            h = height * counts[s] / top
            if counts[s]:
                segs.append({"status": s, "n": counts[s], "y": round(y - h, 2), "h": round(max(h, 0.5), 2)})
            y -= h
        bars.append(
            TrendBar(int(t["run"]), str(t["when"]), round(i * step + (step - bar) / 2, 2), counts, segs, round(y, 2))
        )
    return bars, bar


def history_view(context: Mapping[str, Any] | None) -> HistoryView | None:
    """The view of a recorded run's context; None without one (the page then shows nothing of history)."""
    if not context or not context.get("recorded") or not context.get("run"):
        return None
    bars, bar = trend_bars(list(context.get("trend") or []))
    return HistoryView(
        run=context["run"],
        previous=context.get("previous"),
        new_since=context.get("new_since_last") if context.get("previous") else None,
        first_seen=context.get("first_seen") or {},
        trend=bars,
        trend_width=640.0,
        trend_height=140.0,
        trend_bar=bar,
    )
