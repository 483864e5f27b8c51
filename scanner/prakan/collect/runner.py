"""A collection run: a thread pool over the hosts, a watchdog for per-host timeouts, retries of
transient connection failures, redaction, atomic evidence files and the run manifest.

Every selected host ends with exactly one evidence file: its outputs, or an `error` saying why not
(unreachable, refused host key, timeout, interrupted), so evaluation reports `error`, never silence.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from prakan.catalog import Catalog
from prakan.clock import run_id
from prakan.collect.base import RETRIES, CollectError, HostContext
from prakan.collect.credentials import CredentialError, target_for
from prakan.collect.hostkeys import KnownHosts
from prakan.evidence import MANIFEST, RESULTS, SUMMARY, HostEvidence, now, write_host, write_manifest
from prakan.redact import redact_evidence, redact_text

MANIFEST_FORMAT = "prakan-manifest"
GRACE = 2.0  # the watchdog lets a collector report its own (more precise) timeout first
WORKER_WAIT = 10.0  # after Ctrl-C, how long aborted hosts get to finish (their sockets are closed)
# Evidence files are `<host>.json` beside these: a host of that name would overwrite them.
RESERVED_NAMES = {Path(MANIFEST).stem, Path(RESULTS).stem, Path(SUMMARY).stem}
Collector = Callable[..., HostEvidence]
# platform -> module whose `collect` serves it; imported on first use (netmiko alone costs a Linux-only run 50 ms)
COLLECTORS: dict[str, str] = {"linux": "prakan.collect.linux", "cisco_ios": "prakan.collect.netdev"}


def collector_for(platform: str) -> Collector | None:
    module = COLLECTORS.get(platform)
    return importlib.import_module(module).collect if module else None


def bad_host_names(names: Iterable[str]) -> dict[str, str]:
    """Host names that cannot safely be evidence file names, each with the reason."""
    bad = {}
    for name in names:
        if name.lower() in RESERVED_NAMES:
            bad[name] = f"its evidence file would overwrite {name.lower()}.json"
        elif not name or name.startswith(".") or any(c in name for c in "/\\\0"):
            bad[name] = "not usable as a file name (empty, leading '.', or a path separator)"
    return bad


class _Sink:
    """Where evidence files go. Once closed (the run is being recorded), nothing more is written, so
    a host still running after Ctrl-C cannot replace the file the manifest lists for it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lock = threading.Lock()
        self.closed = False
        self.write_errors: dict[str, str] = {}

    def write(self, ev: HostEvidence) -> tuple[str, str] | None:
        """(file name, SHA-256), or None when closed or the write failed (recorded in write_errors)."""
        with self.lock:
            if self.closed:
                return None
            try:
                path, digest = write_host(self.directory, ev)
            except OSError as exc:
                self.write_errors[ev.host] = f"evidence file not written: {exc}"
                return None
            return path.name, digest

    def close(self) -> None:
        with self.lock:
            self.closed = True


def ignore_sigint() -> Any:
    """Ignore further Ctrl-C (main thread only); returns the previous handler, None elsewhere."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _sigint_ignored(until_exit: Callable[[], bool]) -> Iterator[None]:
    """Ignore Ctrl-C while the run is recorded: a second press must not lose the manifest. When
    `until_exit()` is true (the run was interrupted, the process is ending) it stays ignored, so a
    third press cannot kill the exit either."""
    previous = ignore_sigint()
    try:
        yield
    finally:
        if previous is not None and not until_exit():
            signal.signal(signal.SIGINT, previous)


@dataclass
class Options:
    evidence_dir: Path
    known_hosts: KnownHosts
    key: bytes
    forks: int = 10
    timeout: float = 60.0
    run_id: str = field(default_factory=run_id)
    manifest_key: bytes | None = None  # signs manifest.json (None: the installation's key)


@dataclass
class HostOutcome:
    name: str
    platform: str
    status: str  # ok | error | interrupted
    reason: str | None = None
    file: str | None = None
    sha256: str | None = None
    attempts: int = 0
    seconds: float = 0.0
    source_errors: dict[str, str] = field(default_factory=dict)
    redactions: int = 0
    host_key_added: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("name", "warnings") and v not in (None, {}, [])}


class Progress:
    """One line per finished host on stderr; on a terminal also a live `[done/total]` status line."""

    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and self.stream.isatty()
        self.lock = threading.Lock()
        self.running: dict[str, str] = {}

    def started(self, name: str, stage: str = "connecting") -> None:
        with self.lock:
            self.running[name] = stage
            self._status()

    def finished(self, o: HostOutcome) -> None:
        with self.lock:
            self.done += 1
            self.running.pop(o.name, None)
            if not self.enabled:
                return
            if o.status == "ok":
                extra = f", {len(o.source_errors)} source error(s)" if o.source_errors else ""
                msg = f"ok     {o.name} ({o.seconds:.1f} s{extra})"
            else:
                msg = f"{o.status.upper():6} {o.name}: {o.reason}"
            for w in o.warnings:
                self._line(f"WARN   {o.name}: {w}")
            self._line(f"[{self.done}/{self.total}] {msg}")
            self._status()

    def _line(self, text: str) -> None:
        self.stream.write(("\r\x1b[K" if self.tty else "") + text + "\n")

    def _status(self) -> None:
        if self.tty and self.running:
            names = ", ".join(list(self.running)[:4]) + (" ..." if len(self.running) > 4 else "")
            self.stream.write(f"\r\x1b[K[{self.done}/{self.total}] collecting: {names}")
        self.stream.flush()


class _Watchdog(threading.Thread):
    """Aborts hosts that overrun their timeout (closing their sockets unblocks any read)."""

    def __init__(self) -> None:
        super().__init__(name="prakan-watchdog", daemon=True)
        self.active: dict[str, HostContext] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.2):
            t = time.monotonic()
            with self.lock:
                overdue = [c for c in self.active.values() if t > c.deadline + GRACE]
            for ctx in overdue:
                ctx.abort(f"timed out after {ctx.timeout:g} s while {ctx.stage}")

    def abort_all(self, reason: str) -> None:
        with self.lock:
            ctxs = list(self.active.values())
        for ctx in ctxs:
            ctx.abort(reason)


def _privileged_failure(sources: list[Any], ev: HostEvidence) -> str | None:
    """A host whose privileged sources all failed is in error: its most sensitive evidence is missing."""
    privileged = [s.name for s in sources if s.become]
    errors = [ev.sources[n].error for n in privileged if n in ev.sources and ev.sources[n].error]
    if not privileged or len(errors) < len(privileged):
        return None
    return f"every privileged source failed ({len(errors)}): {errors[0]}"


def _collect_host(
    name: str, host: Any, catalog: Catalog, opts: Options, dog: _Watchdog, progress: Progress, sink: _Sink
) -> HostOutcome:
    platform = host.platform or "unknown"
    out = HostOutcome(name=name, platform=platform, status="error")
    ctx = HostContext(name=name, timeout=opts.timeout)
    started = time.monotonic()
    evidence: HostEvidence | None = None
    progress.started(name)
    with dog.lock:
        dog.active[name] = ctx
    try:
        collector = collector_for(host.platform) if host.platform else None
        if not host.platform:
            raise CollectError("prakan_platform is not set for this host")
        if collector is None:
            raise CollectError(f"no collector for platform {host.platform!r} (supported: {', '.join(COLLECTORS)})")
        try:
            target = target_for(name, host.platform, host.address, host.vars)
        except CredentialError as exc:
            raise CollectError(f"connection settings: {exc}") from exc
        sources = list(catalog.sources_for(host.platform))
        for attempt in range(RETRIES + 1):
            out.attempts = attempt + 1
            try:
                evidence = collector(target, sources, ctx, opts.known_hosts)
                break
            except CollectError as exc:
                if not exc.transient or attempt == RETRIES or ctx.expired():
                    if exc.transient and attempt:
                        raise CollectError(f"{exc} (after {attempt + 1} attempts)") from exc
                    raise
                time.sleep(min(0.5 * 2**attempt, ctx.remaining()))
        privileged = _privileged_failure(sources, evidence) if evidence else None
        out.status = "error" if privileged else "ok"
        out.reason = privileged
    except CollectError as exc:
        out.reason = str(exc)
    except Exception as exc:  # one host's surprise must not stop the fleet
        out.reason = ctx.failure(f"unexpected {type(exc).__name__} while {ctx.stage}: {exc}")
    finally:
        with dog.lock:
            dog.active.pop(name, None)
    if ctx.abort_reason and ctx.abort_reason.startswith("interrupted"):
        out.status, out.reason, evidence = "interrupted", ctx.abort_reason, None
    if evidence is None:
        evidence = HostEvidence(host=name, platform=platform, error=out.reason, facts={"address": host.address})
    out.warnings = list(ctx.warnings)
    out.host_key_added = ctx.host_key
    out.redactions = redact_evidence(evidence, opts.key)  # before anything touches disk
    if evidence.error:
        out.reason = evidence.error
    elif out.reason:  # privileged sources failed: the reason quotes source errors, redacted above
        out.reason = redact_text(out.reason, platform, opts.key)[0]
    out.source_errors = {n: s.error for n, s in evidence.sources.items() if s.error}
    out.seconds = round(time.monotonic() - started, 3)
    written = sink.write(evidence)
    if written is None and name in sink.write_errors:
        out.status, out.reason = "error", sink.write_errors[name]
    elif written is not None:
        out.file, out.sha256 = written
    progress.finished(out)
    return out


def collect_run(
    inventory: Any,
    catalog: Catalog,
    opts: Options,
    progress: Progress | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Collect every host of `inventory`; returns the manifest (also written to the evidence dir).

    On Ctrl-C the hosts under way are aborted, hosts not finished are recorded as `interrupted`, the
    manifest is written, and KeyboardInterrupt propagates. Ctrl-C is ignored while the run is being
    recorded. An evidence file that cannot be written makes its host an error with the I/O error
    (`write_errors` in the manifest); a manifest that cannot be written raises OSError.
    """
    opts.evidence_dir.mkdir(parents=True, exist_ok=True)
    hosts = inventory.hosts
    progress = progress or Progress(len(hosts))
    started = now()
    outcomes: dict[str, HostOutcome] = {}
    dog = _Watchdog()
    dog.start()
    sink = _Sink(opts.evidence_dir)
    interrupted = False
    pool = ThreadPoolExecutor(max_workers=max(1, opts.forks), thread_name_prefix="prakan-collect")
    futures: dict[Future[HostOutcome], str] = {}
    try:
        futures = {pool.submit(_collect_host, n, h, catalog, opts, dog, progress, sink): n for n, h in hosts.items()}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for f in done:
                outcomes[futures[f]] = f.result()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        with _sigint_ignored(lambda: interrupted):
            if interrupted:
                dog.abort_all("interrupted (Ctrl-C) before collection finished")
                for f in futures:
                    f.cancel()
                # running hosts end quickly (their sockets are closed); one that does not is recorded
                # as interrupted, and the closed sink keeps it from replacing that file afterwards
                wait([f for f in futures if not f.cancelled()], timeout=WORKER_WAIT)
                for f, name in futures.items():
                    if f.done() and not f.cancelled() and f.exception() is None:
                        outcomes[name] = f.result()
            pool.shutdown(wait=not interrupted, cancel_futures=True)
            dog.stopping.set()
            sink.close()
            for name, host in hosts.items():
                if name not in outcomes:  # never started or never ended: still a file, so evaluation says error
                    outcomes[name] = _unfinished(name, host.platform or "unknown", opts.evidence_dir, interrupted)
            manifest = build_manifest(outcomes, catalog, opts, started, dict(meta or {}), interrupted)
            manifest["write_errors"] = dict(sorted(sink.write_errors.items()))
            write_manifest(opts.evidence_dir, manifest, opts.manifest_key)
    if interrupted:
        raise KeyboardInterrupt
    return manifest


def _unfinished(name: str, platform: str, directory: Path, interrupted: bool) -> HostOutcome:
    reason = "interrupted (Ctrl-C) before collection finished" if interrupted else "collection did not finish"
    out = HostOutcome(name, platform, "interrupted" if interrupted else "error", reason)
    try:
        path, out.sha256 = write_host(directory, HostEvidence(host=name, platform=platform, error=reason))
        out.file = path.name
    except OSError as exc:
        out.reason = f"{reason}; evidence file not written: {exc}"
    return out


def build_manifest(
    outcomes: Mapping[str, HostOutcome],
    catalog: Catalog,
    opts: Options,
    started: str,
    meta: dict[str, Any],
    interrupted: bool,
) -> dict[str, Any]:
    ordered = [outcomes[n] for n in sorted(outcomes)]
    return {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "kind": "collect",
        "run": opts.run_id,
        "started_at": started,
        "finished_at": now(),
        "complete": not interrupted,
        "catalog": {"version": catalog.version, "sha256": catalog.sha256},
        "forks": opts.forks,
        "timeout": opts.timeout,
        "known_hosts": str(opts.known_hosts.path),
        **meta,
        "attempted": [o.name for o in ordered],
        "succeeded": [o.name for o in ordered if o.status == "ok"],
        "failed": {o.name: o.reason for o in ordered if o.status == "error"},
        "interrupted": [o.name for o in ordered if o.status == "interrupted"],
        "files": {o.file: o.sha256 for o in ordered if o.file},
        "host_keys_added": {o.name: o.host_key_added for o in ordered if o.host_key_added},
        "hosts": {o.name: o.to_json() for o in ordered},
    }
