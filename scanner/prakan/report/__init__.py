"""The report stage: results.json -> index.html, results.csv, junit.xml, summary.json (files only).

Reads the results file once, streaming host by host; never evaluates again and never touches the
network. Every output is written under a temporary name in the output directory and renamed into place
only when all of them are complete, so a failed run leaves no partial report at the final paths.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prakan.report.data import ReportBuilder, ReportData
from prakan.report.exports import CsvWriter, JunitWriter, write_summary
from prakan.report.load import ResultsError, ResultsReader
from prakan.report.render import limits_files, render_html

__all__ = ["ReportFiles", "ResultsError", "build_report", "generated_at", "write_report"]
log = logging.getLogger(__name__)
OUTPUTS = ("index.html", "results.csv", "junit.xml", "summary.json")


@dataclass(frozen=True, slots=True)
class ReportFiles:
    directory: Path
    index: Path
    data: ReportData


def generated_at(value: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The report's one timestamp: --generated-at, else SOURCE_DATE_EPOCH, else now (UTC, ISO 8601)."""
    env = os.environ if env is None else env
    if value:
        try:
            d = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ResultsError(f"--generated-at: {value!r} is not an ISO 8601 date and time") from None
        d = d.replace(tzinfo=UTC) if d.tzinfo is None else d.astimezone(UTC)
    elif env.get("SOURCE_DATE_EPOCH"):
        try:
            d = datetime.fromtimestamp(int(env["SOURCE_DATE_EPOCH"]), UTC)
        except (ValueError, OverflowError, OSError):
            raise ResultsError(f"SOURCE_DATE_EPOCH: {env['SOURCE_DATE_EPOCH']!r} is not a Unix time") from None
    else:
        d = datetime.now(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _current_catalog() -> Any:
    from prakan.catalog import CatalogError, load_catalog

    try:
        return load_catalog()
    except (CatalogError, OSError) as exc:  # the bundled catalog is broken: report without a comparison
        log.warning("bundled catalog unreadable: %s", exc)
        return None


def build_report(
    results: Path,
    out_dir: Path,
    *,
    lang: str = "th",
    title: str | None = None,
    when: str | None = None,
    history: Any | None = None,
    catalog: Any | None = None,
) -> ReportFiles:
    """Write the four report files (and limits/ when needed) into `out_dir`; returns their paths.

    `history` is an optional context (first-seen dates, trends) that a history stage may pass in;
    `catalog` the catalog already loaded by the caller (else the bundled one is loaded).
    Raises ResultsError for input that cannot be reported on; nothing is left at the final paths then.
    """
    stamp = generated_at(when)
    reader = ResultsReader(results)
    catalog = catalog if catalog is not None else _current_catalog()
    frameworks = catalog.frameworks if catalog is not None else {}
    builder = ReportBuilder(reader.head, frameworks, catalog, history=history)
    out_dir.mkdir(parents=True, exist_ok=True)
    temps: dict[str, Path] = {}

    def temp(name: str) -> Any:
        fd, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
        temps[name] = Path(path)
        return os.fdopen(fd, "w", encoding="utf-8", newline="")

    limits_tmp: Path | None = None
    try:
        org = reader.head["run"].get("org") or {}
        with temp("results.csv") as csv_fh, temp("junit.xml") as junit_fh:
            csv_w = CsvWriter(csv_fh, builder.check_info)
            junit_w = JunitWriter(junit_fh, builder.check_info, str(org.get("name_en") or "prakan"))
            gc_was = gc.isenabled()
            gc.disable()  # millions of short-lived objects and no cycles: collection passes only cost time
            try:
                for host in reader.hosts():
                    builder.add_host(host)
                    csv_w.add_host(host, builder.last_ids)
                    junit_w.add_host(host, builder.last_ids)
            finally:
                if gc_was:
                    gc.enable()
            junit_w.close()
        data = builder.finish(reader.tail, {"en": title, "th": title} if title else None, stamp)
        with temp("summary.json") as fh:
            write_summary(fh, data)
        with temp("index.html") as fh:
            fh.write(render_html(data, lang))
        extra = limits_files(data.findings)
        if extra:
            limits_tmp = Path(tempfile.mkdtemp(prefix=".limits.", dir=out_dir))
            os.chmod(limits_tmp, 0o755)
            for name, text in extra.items():
                (limits_tmp / name).write_text(text, encoding="utf-8")
        for name in OUTPUTS:
            os.chmod(temps[name], 0o644)
            os.replace(temps[name], out_dir / name)
        old_limits = out_dir / "limits"
        if old_limits.is_dir():
            shutil.rmtree(old_limits)
        if limits_tmp is not None:
            os.replace(limits_tmp, old_limits)
            limits_tmp = None
    except BaseException:
        for path in temps.values():
            path.unlink(missing_ok=True)
        if limits_tmp is not None:
            shutil.rmtree(limits_tmp, ignore_errors=True)
        raise
    finally:
        reader.close()
    return ReportFiles(out_dir, out_dir / "index.html", data)


def write_report(results: Path, out_dir: Path | None = None, **kwargs: Any) -> ReportFiles:
    """`build_report` with the default output directory: beside the results file."""
    return build_report(results, out_dir if out_dir is not None else results.parent, **kwargs)
