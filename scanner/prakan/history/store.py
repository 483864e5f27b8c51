"""The history database: every recorded run as state changes, in one SQLite file (WAL).

What is stored (schema version `SCHEMA_VERSION`, kept in `PRAGMA user_version`):

* `runs`: one row per recorded results.json (its SHA-256 makes recording idempotent), with the run's
  totals, so the trend of the last runs is one small query.
* `host_states`, `statuses`, `source_states`: intervals of unchanged state. A row holds a value (a host's
  platform/site/error, a check's status on a host, the SHA-256 of an evidence source's redacted text)
  from `first_run` to `last_run` (NULL while still current). A night in which nothing changed adds no row
  to them, so a year of nightly runs of a large fleet stays small, and "since when has this failed" is
  one indexed lookup of the open interval.
* `blobs`: the redacted source text, zlib-compressed and addressed by its SHA-256, so an unchanged
  source costs nothing; a secret that changed shows as a changed redaction token, never its value
  (evidence is redacted before it is written, and only that text is stored).
* `incidents`, `incident_events`: the incident register (see prakan.history.incidents).

Recording a run is one transaction (`BEGIN IMMEDIATE` ... `COMMIT`): a recorder killed at any moment
leaves the database as it was, or with the whole run. Two recorders at once queue on SQLite's lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prakan.paths import data_dir

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
APPLICATION_ID = 0x50524B4E  # "PRKN": marks a Prakan history database
RESULTS_FORMAT = "prakan-results"
RESULTS_VERSION = 1
DETAIL_MAX = 400  # characters of a result's `actual`/`reason` kept with a non-passing status
SQLITE_HEADER = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  results_sha256 TEXT NOT NULL UNIQUE,
  started_at TEXT NOT NULL,
  collected_from TEXT,
  collected_to TEXT,
  recorded_at TEXT NOT NULL,
  results_path TEXT,
  evidence_dir TEXT,
  catalog_sha256 TEXT,
  tool_version TEXT,
  hosts INTEGER NOT NULL,
  hosts_in_error INTEGER NOT NULL,
  by_status TEXT NOT NULL,
  by_severity TEXT NOT NULL,
  sources_recorded INTEGER NOT NULL
);
CREATE TABLE hosts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE checks(id INTEGER PRIMARY KEY, check_id TEXT NOT NULL UNIQUE, severity TEXT, title_en TEXT,
                    title_th TEXT);
CREATE TABLE host_states(
  host INTEGER NOT NULL, first_run INTEGER NOT NULL, last_run INTEGER,
  platform TEXT, role TEXT, site TEXT, category TEXT, error TEXT,
  PRIMARY KEY(host, first_run)) WITHOUT ROWID;
CREATE INDEX host_states_first ON host_states(first_run);
CREATE INDEX host_states_last ON host_states(last_run) WHERE last_run IS NOT NULL;
-- the indexes on first_run / last_run cover what a diff reads: the changes between two runs are an index range
CREATE TABLE statuses(
  host INTEGER NOT NULL, chk INTEGER NOT NULL, first_run INTEGER NOT NULL, last_run INTEGER,
  status TEXT NOT NULL, detail INTEGER,
  PRIMARY KEY(host, chk, first_run)) WITHOUT ROWID;
CREATE INDEX statuses_first ON statuses(first_run, last_run, status, detail);
CREATE INDEX statuses_last ON statuses(last_run, first_run, status, detail) WHERE last_run IS NOT NULL;
CREATE TABLE source_states(
  host INTEGER NOT NULL, source TEXT NOT NULL, first_run INTEGER NOT NULL, last_run INTEGER,
  sha256 TEXT NOT NULL,
  PRIMARY KEY(host, source, first_run)) WITHOUT ROWID;
CREATE INDEX source_states_first ON source_states(first_run, last_run, sha256);
CREATE INDEX source_states_last ON source_states(last_run, first_run, sha256) WHERE last_run IS NOT NULL;
CREATE TABLE details(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
-- a rowid table: texts are large rows, appended in recording order and found by their hash
CREATE TABLE blobs(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE incidents(
  id INTEGER PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  threat_level TEXT NOT NULL,
  categories TEXT NOT NULL,
  asset_type TEXT NOT NULL,
  hosts TEXT NOT NULL,
  detected_at TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  closed_at TEXT,
  candidates TEXT NOT NULL
);
CREATE INDEX incidents_detected ON incidents(detected_at);
CREATE TABLE incident_events(
  id INTEGER PRIMARY KEY,
  incident INTEGER NOT NULL REFERENCES incidents(id),
  at TEXT NOT NULL,
  what TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events(incident);
"""


class HistoryError(Exception):
    """A database or results file that cannot be used; the message names the file and what to do."""


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_path() -> Path:
    """$PRAKAN_HISTORY, else $XDG_DATA_HOME/prakan/history.db, else ~/.local/share/prakan/history.db."""
    env = os.environ.get("PRAKAN_HISTORY")
    if env:
        return Path(env)
    return data_dir() / "history.db"


# ---------------------------------------------------------------------------------------------- results


@dataclass
class Results:
    """A results.json, read host by host (the file is streamed, so memory stays flat)."""

    path: Path
    sha256: str
    run: dict[str, Any]
    tail: dict[str, Any]  # organisation, evidence_sha256, summary

    @property
    def organisation(self) -> str | None:
        org = self.run.get("org")
        if isinstance(org, Mapping):
            return str(org.get("short") or org.get("name_en") or "") or None
        return None

    def hosts(self) -> Iterator[dict[str, Any]]:
        yield from _iter_hosts(self.path)


_HEAD_END = ', "hosts": ['


def _iter_hosts(path: Path) -> Iterator[dict[str, Any]]:
    """Hosts of a results.json as `prakan evaluate` writes it (one host per line), else parsed whole."""
    with path.open(encoding="utf-8") as fh:
        first = fh.readline()
        if first.rstrip("\n").endswith(_HEAD_END):
            for line in fh:
                if line.startswith("], "):
                    return
                text = line.rstrip("\n").rstrip(",")
                if text:
                    yield json.loads(text)
            return
    yield from json.loads(path.read_text(encoding="utf-8")).get("hosts", [])


def read_results(path: Path) -> Results:
    """Read a results.json's run metadata and tail, refusing anything that is not prakan-results v1."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
        first, _, rest = text.partition("\n")
        if first.endswith(_HEAD_END):
            head = json.loads(first[: -len(_HEAD_END)] + "}")
            tail_at = rest.rfind("\n], ")
            tail_line = rest[tail_at + 1 :] if tail_at >= 0 else rest
            if not tail_line.startswith("], "):
                raise ValueError("no end of the hosts list")
            tail = json.loads("{" + tail_line[3:])
            doc = {**head, **tail}
        else:
            doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise HistoryError(f"{path}: not a results file (not valid JSON: {exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != RESULTS_FORMAT:
        raise HistoryError(f'{path}: not a Prakan results file (no "format": "{RESULTS_FORMAT}")')
    if doc.get("version") != RESULTS_VERSION:
        raise HistoryError(
            f"{path}: results format version {doc.get('version')!r} is not supported (this prakan reads "
            f"version {RESULTS_VERSION}); record it with the prakan that wrote it"
        )
    run = doc.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("started_at"), str):
        raise HistoryError(f"{path}: results without run metadata (`run.started_at`)")
    summary = doc.get("summary")
    if not isinstance(summary, dict) or "by_status" not in summary:
        raise HistoryError(f"{path}: results without a summary")
    tail = {k: doc.get(k) for k in ("organisation", "evidence_sha256", "summary")}
    return Results(path, digest, run, tail)


# ---------------------------------------------------------------------------------------------- database


@dataclass(frozen=True)
class RunInfo:
    id: int
    started_at: str
    collected_from: str | None
    collected_to: str | None
    recorded_at: str
    results_sha256: str
    results_path: str | None
    evidence_dir: str | None
    hosts: int
    hosts_in_error: int
    by_status: dict[str, int]
    by_severity: dict[str, dict[str, int]]
    sources_recorded: bool

    @property
    def when(self) -> str:
        """The time a person reads as the run's time: when its evidence was collected, else evaluated."""
        return self.collected_to or self.started_at

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started_at": self.started_at,
            "collected_from": self.collected_from,
            "collected_to": self.collected_to,
            "recorded_at": self.recorded_at,
            "results_sha256": self.results_sha256,
            "hosts": self.hosts,
            "hosts_in_error": self.hosts_in_error,
            "by_status": self.by_status,
            "sources_recorded": self.sources_recorded,
        }


_RUN_COLUMNS = (
    "id, started_at, collected_from, collected_to, recorded_at, results_sha256, results_path, evidence_dir, "
    "hosts, hosts_in_error, by_status, by_severity, sources_recorded"
)


def _run_info(row: tuple[Any, ...]) -> RunInfo:
    return RunInfo(
        id=row[0],
        started_at=row[1],
        collected_from=row[2],
        collected_to=row[3],
        recorded_at=row[4],
        results_sha256=row[5],
        results_path=row[6],
        evidence_dir=row[7],
        hosts=row[8],
        hosts_in_error=row[9],
        by_status=json.loads(row[10]),
        by_severity=json.loads(row[11]),
        sources_recorded=bool(row[12]),
    )


@dataclass
class RecordOutcome:
    run: RunInfo
    new: bool  # False: this results file was already recorded (a no-op)
    notices: list[str] = field(default_factory=list)


class History:
    """An open history database. Use `open_history()`."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; taken at once (IMMEDIATE) so concurrent recorders queue, not deadlock."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- runs -------------------------------------------------------------------------------------------

    def runs(self, limit: int | None = None) -> list[RunInfo]:
        """Recorded runs, oldest first (the last `limit` ones)."""
        sql = f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC"
        rows = self.conn.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [_run_info(r) for r in reversed(rows)]

    def run(self, run_id: int) -> RunInfo | None:
        row = self.conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _run_info(row) if row else None

    def run_by_sha(self, sha256: str) -> RunInfo | None:
        row = self.conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE results_sha256 = ?", (sha256,)).fetchone()
        return _run_info(row) if row else None

    def previous_run(self, run_id: int) -> RunInfo | None:
        row = self.conn.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", (run_id,)
        ).fetchone()
        return _run_info(row) if row else None

    def latest_run(self) -> RunInfo | None:
        runs = self.runs(1)
        return runs[0] if runs else None

    def organisation(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'organisation'").fetchone()
        return row[0] if row else None

    # -- point queries ----------------------------------------------------------------------------------

    def _host_id(self, name: str) -> int | None:
        row = self.conn.execute("SELECT id FROM hosts WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _check_id(self, check: str) -> int | None:
        row = self.conn.execute("SELECT id FROM checks WHERE check_id = ?", (check,)).fetchone()
        return row[0] if row else None

    def status_since(self, host: str, check: str, at_run: int | None = None) -> tuple[str, RunInfo] | None:
        """The status of `check` on `host` at a run (default: the latest) and the run since which it has held."""
        hid, cid = self._host_id(host), self._check_id(check)
        if hid is None or cid is None:
            return None
        if at_run is None:
            row = self.conn.execute(
                "SELECT status, first_run FROM statuses WHERE host = ? AND chk = ? AND last_run IS NULL", (hid, cid)
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT status, first_run FROM statuses WHERE host = ? AND chk = ? AND first_run <= ? "
                "AND (last_run IS NULL OR last_run >= ?) ORDER BY first_run DESC LIMIT 1",
                (hid, cid, at_run, at_run),
            ).fetchone()
        if row is None:
            return None
        run = self.run(row[1])
        assert run is not None
        return row[0], run

    def detail(self, detail_id: int | None) -> str | None:
        if detail_id is None:
            return None
        row = self.conn.execute("SELECT text FROM details WHERE id = ?", (detail_id,)).fetchone()
        return row[0] if row else None

    def blob(self, sha256: str) -> str | None:
        row = self.conn.execute("SELECT data FROM blobs WHERE sha256 = ?", (sha256,)).fetchone()
        return zlib.decompress(row[0]).decode("utf-8", "surrogatepass") if row else None

    def sources_at(self, host: str, run_id: int) -> dict[str, str]:
        """Source name -> SHA-256 of its redacted text for `host` at a run."""
        hid = self._host_id(host)
        if hid is None:
            return {}
        rows = self.conn.execute(
            "SELECT source, sha256 FROM source_states WHERE host = ? AND first_run <= ? "
            "AND (last_run IS NULL OR last_run >= ?)",
            (hid, run_id, run_id),
        ).fetchall()
        return dict(rows)

    def statuses_at(self, host: str, run_id: int) -> dict[str, str]:
        hid = self._host_id(host)
        if hid is None:
            return {}
        rows = self.conn.execute(
            "SELECT c.check_id, s.status FROM statuses s JOIN checks c ON c.id = s.chk WHERE s.host = ? "
            "AND s.first_run <= ? AND (s.last_run IS NULL OR s.last_run >= ?)",
            (hid, run_id, run_id),
        ).fetchall()
        return dict(rows)

    def host_at(self, host: str, run_id: int) -> dict[str, Any] | None:
        hid = self._host_id(host)
        if hid is None:
            return None
        row = self.conn.execute(
            "SELECT platform, role, site, category, error FROM host_states WHERE host = ? AND first_run <= ? "
            "AND (last_run IS NULL OR last_run >= ?)",
            (hid, run_id, run_id),
        ).fetchone()
        if row is None:
            return None
        return dict(zip(("platform", "role", "site", "category", "error"), row, strict=True)) | {"name": host}

    # -- recording --------------------------------------------------------------------------------------

    def record(
        self, results: Results, evidence_dir: Path | None = None, results_path: Path | None = None
    ) -> RecordOutcome:
        """Record one run in one transaction. The same results file twice is a no-op (`new` False)."""
        notices: list[str] = []
        evidence = _evidence_dir(results, evidence_dir, notices)
        with self.transaction() as db:
            known = self.run_by_sha(results.sha256)
            if known is not None:
                return RecordOutcome(
                    known, False, [f"{results.path}: already recorded as run {known.id}; nothing to do"]
                )
            _check_organisation(db, self.path, results)
            recorder = _Recorder(db, results, evidence, notices)
            run_id = recorder.record(str(results_path or results.path))
        run = self.run(run_id)
        assert run is not None
        return RecordOutcome(run, True, notices)


def _check_organisation(db: sqlite3.Connection, path: Path, results: Results) -> None:
    org = results.organisation or ""
    row = db.execute("SELECT value FROM meta WHERE key = 'organisation'").fetchone()
    if row is None:
        db.execute("INSERT INTO meta(key, value) VALUES ('organisation', ?)", (org,))
        return
    if row[0] != org:
        theirs = f"organisation {org!r}" if org else "no organisation (evaluated without an inventory)"
        raise HistoryError(
            f"{results.path}: results of {theirs}, but {path} holds the history of organisation {row[0]!r}; "
            "use another --history file for another organisation"
        )


def _evidence_dir(results: Results, given: Path | None, notices: list[str]) -> Path | None:
    """Where the run's evidence is: --evidence-dir, else results' run.evidence_dir, else beside results.json."""
    candidates = [given] if given is not None else []
    recorded = results.run.get("evidence_dir")
    if given is None and isinstance(recorded, str) and recorded:
        p = Path(recorded)
        candidates += [p] if p.is_absolute() else [results.path.parent / p, Path.cwd() / p]
        candidates.append(results.path.parent)
    for c in candidates:
        if c.is_dir() and any(c.glob("*.json")):
            return c
    where = given or recorded or results.path.parent
    notices.append(
        f"evidence of this run not found ({where}): statuses recorded, configuration drift not recorded for this run"
    )
    return None


Digest = tuple[str, str | None, dict[str, str], list[tuple[str, int, bytes]]]


def _digest_evidence(job: tuple[str, str, str | None, dict[str, str]]) -> Digest:
    """One host's evidence, if it is the very file that was evaluated (its SHA-256 in results.json): source
    name -> SHA-256 of the redacted text, and the compressed text of the sources not already current.
    Runs in worker processes for large runs, so it takes and returns plain data."""
    directory, host, expected, current = job
    path = Path(directory) / f"{host}.json"
    try:
        raw = path.read_bytes()
    except OSError:
        return host, f"{host}: evidence file {path} is missing; its configuration drift is not recorded", {}, []
    if expected is None or hashlib.sha256(raw).hexdigest() != expected:
        return (
            host,
            (
                f"{host}: {path} is not the file that was evaluated (SHA-256 differs from results.json); "
                "its configuration drift is not recorded"
            ),
            {},
            [],
        )
    try:
        doc = json.loads(raw)
    except ValueError:
        return host, f"{host}: {path} is not valid JSON; its configuration drift is not recorded", {}, []
    hashes: dict[str, str] = {}
    blobs: list[tuple[str, int, bytes]] = []
    sources = doc.get("sources") if isinstance(doc, dict) else None
    if isinstance(sources, Mapping):
        for name, src in sources.items():
            if not isinstance(src, Mapping) or not isinstance(src.get("output"), str) or src.get("error"):
                continue  # a source that failed to collect has no text to compare
            data = src["output"].encode("utf-8", "surrogatepass")
            sha = hashlib.sha256(data).hexdigest()
            hashes[str(name)] = sha
            if current.get(name) != sha:
                blobs.append((sha, len(data), zlib.compress(data, 1)))
    return host, None, hashes, blobs


PARALLEL_FROM = 500  # hosts: from this many, evidence is read, hashed and compressed in worker processes


def _detail(res: Mapping[str, Any]) -> str | None:
    if res.get("status") == "pass":
        return None
    text = res.get("reason") or res.get("actual") or ""
    return str(text)[:DETAIL_MAX] or None


class _Recorder:
    """Writes one run's state changes. Runs inside the caller's transaction."""

    def __init__(self, db: sqlite3.Connection, results: Results, evidence: Path | None, notices: list[str]) -> None:
        self.db = db
        self.results = results
        self.evidence = evidence
        self.notices = notices
        self.host_ids: dict[str, int] = dict(db.execute("SELECT name, id FROM hosts"))
        self.check_ids: dict[str, int] = dict(db.execute("SELECT check_id, id FROM checks"))
        self.detail_ids: dict[str, int] = {}

    def _host(self, name: str) -> int:
        hid = self.host_ids.get(name)
        if hid is None:
            hid = self.db.execute("INSERT INTO hosts(name) VALUES (?)", (name,)).lastrowid
            assert hid is not None
            self.host_ids[name] = hid
        return hid

    def _detail_id(self, text: str | None) -> int | None:
        """Reasons repeat across hosts (the same gap, the same words): each text is stored once."""
        if text is None:
            return None
        did = self.detail_ids.get(text)
        if did is None:
            row = self.db.execute("SELECT id FROM details WHERE text = ?", (text,)).fetchone()
            did = row[0] if row else self.db.execute("INSERT INTO details(text) VALUES (?)", (text,)).lastrowid
            assert did is not None
            self.detail_ids[text] = did
        return did

    def _check(self, check: str) -> int:
        cid = self.check_ids.get(check)
        if cid is None:
            meta = self.results.run.get("checks", {}).get(check, {})
            title = meta.get("title") or {}
            cid = self.db.execute(
                "INSERT INTO checks(check_id, severity, title_en, title_th) VALUES (?, ?, ?, ?)",
                (check, meta.get("severity"), title.get("en"), title.get("th")),
            ).lastrowid
            assert cid is not None
            self.check_ids[check] = cid
        return cid

    def record(self, results_path: str) -> int:
        db, res = self.db, self.results
        prev_row = db.execute("SELECT max(id) FROM runs").fetchone()
        prev: int | None = prev_row[0]
        run = (prev or 0) + 1
        summary = res.tail.get("summary") or {}
        db.execute(
            "INSERT INTO runs(id, results_sha256, started_at, recorded_at, results_path, evidence_dir, catalog_sha256,"
            " tool_version, hosts, hosts_in_error, by_status, by_severity, sources_recorded)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run,
                res.sha256,
                res.run["started_at"],
                now(),
                results_path,
                str(self.evidence) if self.evidence else None,
                (res.run.get("catalog") or {}).get("sha256"),
                res.run.get("version"),
                int(summary.get("hosts", 0)),
                int(summary.get("hosts_in_error", 0)),
                json.dumps(summary.get("by_status", {})),
                json.dumps(summary.get("by_severity", {})),
                int(self.evidence is not None),
            ),
        )
        evidence_sha = res.tail.get("evidence_sha256") or {}
        open_hosts = {
            h: tuple(rest)
            for h, *rest in db.execute(
                "SELECT host, platform, role, site, category, error FROM host_states WHERE last_run IS NULL"
            )
        }
        open_sources: dict[int, dict[str, str]] = {}
        for h, source, sha in db.execute("SELECT host, source, sha256 FROM source_states WHERE last_run IS NULL"):
            open_sources.setdefault(h, {})[source] = sha
        seen: set[int] = set()
        collected: list[str] = []
        hashes: dict[str, dict[str, str]] = {}
        with contextlib.ExitStack() as stack:
            digests = self._digests(stack, evidence_sha, open_sources)
            for host in res.hosts():
                name = str(host["name"])
                hid = self._host(name)
                seen.add(hid)
                if host.get("collected_at"):
                    collected.append(str(host["collected_at"]))
                state = (
                    host.get("platform"),
                    host.get("role"),
                    host.get("site"),
                    host.get("category"),
                    host.get("error"),
                )
                if open_hosts.get(hid) != state:
                    if hid in open_hosts:
                        db.execute(
                            "UPDATE host_states SET last_run = ? WHERE host = ? AND last_run IS NULL", (prev, hid)
                        )
                    db.execute(
                        "INSERT INTO host_states(host, first_run, platform, role, site, category, error)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (hid, run, *state),
                    )
                self._statuses(hid, host, prev, run, hid in open_hosts)
            for name, problem, found, blobs in digests:
                if problem:
                    self.notices.append(problem)
                hashes[name] = found
                if blobs:
                    db.executemany("INSERT OR IGNORE INTO blobs(sha256, size, data) VALUES (?, ?, ?)", blobs)
        for name, hid in self.host_ids.items():
            if hid in seen:
                self._sources(hid, open_sources.get(hid, {}), hashes.get(name, {}), prev, run)
        for hid in set(open_hosts) - seen:  # vanished: close everything it had open
            for table in ("host_states", "statuses", "source_states"):
                db.execute(f"UPDATE {table} SET last_run = ? WHERE host = ? AND last_run IS NULL", (prev, hid))
        if collected:
            db.execute(
                "UPDATE runs SET collected_from = ?, collected_to = ? WHERE id = ?",
                (min(collected), max(collected), run),
            )
        return run

    def _digests(
        self,
        stack: contextlib.ExitStack,
        evidence_sha: Mapping[str, str | None],
        open_sources: dict[int, dict[str, str]],
    ) -> Iterable[Digest]:
        """Each evaluated host's evidence digested; in worker processes (started now) for a large run."""
        if self.evidence is None:
            return []
        jobs = [
            (str(self.evidence), name, sha, open_sources.get(self.host_ids.get(name, -1), {}))
            for name, sha in evidence_sha.items()
            if sha is not None
        ]
        if len(jobs) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
            return map(_digest_evidence, jobs)
        import concurrent.futures
        import multiprocessing

        pool = stack.enter_context(
            concurrent.futures.ProcessPoolExecutor(
                max_workers=min(4, os.cpu_count() or 2), mp_context=multiprocessing.get_context("forkserver")
            )
        )
        return pool.map(_digest_evidence, jobs, chunksize=64)

    def _statuses(self, hid: int, host: Mapping[str, Any], prev: int | None, run: int, known: bool) -> None:
        db = self.db
        current = (
            dict(db.execute("SELECT chk, status FROM statuses WHERE host = ? AND last_run IS NULL", (hid,)))
            if known
            else {}
        )
        inserts = []
        closes = []
        now_seen = set()
        for r in host.get("results", []):
            cid = self._check(str(r["check"]))
            now_seen.add(cid)
            status = str(r["status"])
            old = current.get(cid)
            if old == status:
                continue
            if old is not None:
                closes.append((prev, hid, cid))
            inserts.append((hid, cid, run, status, self._detail_id(_detail(r))))
        closes += [(prev, hid, cid) for cid in set(current) - now_seen]
        if closes:
            db.executemany("UPDATE statuses SET last_run = ? WHERE host = ? AND chk = ? AND last_run IS NULL", closes)
        if inserts:
            db.executemany("INSERT INTO statuses(host, chk, first_run, status, detail) VALUES (?, ?, ?, ?, ?)", inserts)

    def _sources(self, hid: int, current: dict[str, str], new: dict[str, str], prev: int | None, run: int) -> None:
        closes = [(prev, hid, s) for s, sha in current.items() if new.get(s) != sha]
        inserts = [(hid, s, run, sha) for s, sha in new.items() if current.get(s) != sha]
        if closes:
            self.db.executemany(
                "UPDATE source_states SET last_run = ? WHERE host = ? AND source = ? AND last_run IS NULL", closes
            )
        if inserts:
            self.db.executemany(
                "INSERT INTO source_states(host, source, first_run, sha256) VALUES (?, ?, ?, ?)", inserts
            )


# ---------------------------------------------------------------------------------------------- opening


def open_history(path: Path, create: bool = True) -> History:
    """Open (creating if allowed) a history database; a corrupt or foreign file is a HistoryError, untouched."""
    exists = path.exists()
    if exists:
        if path.is_dir():
            raise HistoryError(f"{path}: is a directory, not a history database")
        try:
            with path.open("rb") as fh:
                header = fh.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise HistoryError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        if header and header != SQLITE_HEADER:
            raise HistoryError(
                f"{path}: not a Prakan history database (not an SQLite file); it was left as it is. "
                "Give another file with --history (or PRAKAN_HISTORY), or move this one away"
            )
    elif not create:
        raise HistoryError(
            f"{path}: no history database here yet; record a run first (prakan scan or "
            "prakan history record RESULTS.json)"
        )
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # the history holds configuration text (redacted, still internal): readable by its owner only
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise HistoryError(f"{path}: cannot create its directory: {exc.strerror or exc}") from exc
    try:
        conn = sqlite3.connect(path, timeout=120, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: cannot open: {exc}") from exc
    try:
        _prepare_waiting(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if _busy(exc):
            raise HistoryError(
                f"{path}: another prakan kept the history database locked for too long ({exc}); try again"
            ) from exc
        raise HistoryError(
            f"{path}: the history database is damaged or not a database ({exc}); it was left as it is. "
            "Restore it from a backup, or give another file with --history"
        ) from exc
    except HistoryError:
        conn.close()
        raise
    return History(path, conn)


def _busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds a lock; nothing is wrong with the file."""
    return getattr(exc, "sqlite_errorcode", None) in (5, 6) or "database is locked" in str(exc)


def _prepare_waiting(conn: sqlite3.Connection, path: Path, patience: float = 120.0) -> None:
    """_prepare, waiting while another recorder creates, converts or migrates the database: SQLite
    answers some of those moments (switching to WAL, recovering it) with "database is locked"
    without calling the busy handler."""
    deadline = time.monotonic() + patience
    while True:
        try:
            _prepare(conn, path)
            return
        except sqlite3.OperationalError as exc:
            if not _busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    # one statement, one snapshot: read apart, another recorder's schema could appear between them
    app_id, version, tables = conn.execute(
        "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version),"
        " (SELECT count(*) FROM sqlite_master)"
    ).fetchone()
    if tables and app_id != APPLICATION_ID:
        raise HistoryError(
            f"{path}: an SQLite database of another program, not a Prakan history database; it was left as it is. "
            "Give another file with --history (or PRAKAN_HISTORY)"
        )
    if version > SCHEMA_VERSION:
        raise HistoryError(
            f"{path}: history schema version {version} is newer than this prakan understands ({SCHEMA_VERSION}); "
            "upgrade prakan"
        )
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB: a large run's inserts stay in memory until commit
    conn.execute("PRAGMA foreign_keys = ON")
    if version < SCHEMA_VERSION:
        _migrate(conn, version)


_MIGRATIONS: dict[int, str] = {0: _SCHEMA}  # from version N to N+1


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated
        while current < SCHEMA_VERSION:
            for stmt in _MIGRATIONS[current].split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            current += 1
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    log.debug("history schema at version %d (was %d)", SCHEMA_VERSION, version)
