"""Reading results.json for a report: validated, and streamed host by host so memory stays flat.

`prakan evaluate` writes results.json as a head line (`{"format": ..., "run": {...}, "hosts": [`), one host
per line, and a tail (`], "organisation": [...], ...}`). That shape is read line by line; any other
(valid JSON) shape falls back to one `json.load`. A file that is missing, not JSON, cut short, not
Prakan results or of an unknown format version is a `ResultsError` naming the file and the problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

RESULTS_FORMAT = "prakan-results"
SUPPORTED_VERSIONS = (1,)
_HEAD_END = ', "hosts": [\n'


class ResultsError(ValueError):
    """The results file cannot be reported on; the message names the file and the problem."""


class ResultsReader:
    """`head` (format, version, run) at once; `hosts()` streams; `tail` is complete after `hosts()` ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tail: dict[str, Any] = {}
        self._whole: dict[str, Any] | None = None
        try:
            self._fh = path.open("r", encoding="utf-8-sig")
        except FileNotFoundError:
            raise ResultsError(f"{path}: no such results file") from None
        except OSError as exc:
            raise ResultsError(f"{path}: cannot read: {exc.strerror or exc}") from None
        try:
            first = self._fh.readline()
        except UnicodeDecodeError:
            self._fh.close()
            raise ResultsError(f"{path}: not a Prakan results file (not UTF-8 text)") from None
        if first.endswith(_HEAD_END):
            head = self._loads(first[: -len(_HEAD_END)] + "}", 1)
        else:
            rest = first + self._fh.read()
            self._fh.close()
            if not rest.strip():
                raise ResultsError(f"{path}: the file is empty")
            self._whole = self._loads(rest, None)
            head = self._whole
        self.head = self._check_head(head)

    def _loads(self, text: str, line: int | None) -> Any:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            where = f"line {line}" if line is not None else f"line {exc.lineno}, column {exc.colno}"
            cut = exc.msg.startswith(("Expecting", "Unterminated")) and exc.pos >= len(text.rstrip()) - 1
            what = "the file is truncated" if cut else f"not valid JSON ({exc.msg})"
            raise ResultsError(f"{self.path}: {what} at {where}") from None

    def _check_head(self, head: Any) -> dict[str, Any]:
        if not isinstance(head, dict) or head.get("format") != RESULTS_FORMAT:
            raise ResultsError(f'{self.path}: not a Prakan results file (no "format": "{RESULTS_FORMAT}")')
        if head.get("version") not in SUPPORTED_VERSIONS:
            raise ResultsError(
                f"{self.path}: results format version {head.get('version')!r} is not supported "
                f"(this Prakan reads version {', '.join(map(str, SUPPORTED_VERSIONS))})"
            )
        run = head.get("run")
        if (
            not isinstance(run, dict)
            or not isinstance(run.get("checks"), dict)
            or not isinstance(run.get("catalog"), dict)
        ):
            raise ResultsError(f"{self.path}: results without run metadata (run.checks, run.catalog)")
        return {"format": head["format"], "version": head["version"], "run": run}

    def hosts(self) -> Iterator[dict[str, Any]]:
        if self._whole is not None:
            yield from (self._host(h, None) for h in self._whole.get("hosts") or [])
            self.tail = self._check_tail(self._whole)
            return
        lineno = 1
        with self._fh:
            for line in self._fh:
                lineno += 1
                if line.startswith("]"):
                    rest = line + self._fh.read()
                    self.tail = self._check_tail(self._loads("{" + rest.strip()[1:].lstrip(" ,"), lineno))
                    return
                text = line.rstrip("\n")
                if not text.strip():  # the blank line before the tail of a run without hosts
                    continue
                if text.endswith(","):
                    text = text[:-1]
                yield self._host(self._loads(text, lineno), lineno)
        raise ResultsError(f"{self.path}: the file is truncated after line {lineno} (no closing summary)")

    def _host(self, host: Any, line: int | None) -> dict[str, Any]:
        if (
            not isinstance(host, dict)
            or not isinstance(host.get("name"), str)
            or not isinstance(host.get("results"), list)
        ):
            where = f" at line {line}" if line is not None else ""
            raise ResultsError(f"{self.path}: a host entry{where} has no name or results")
        if not all(isinstance(r, dict) and isinstance(r.get("check"), str) for r in host["results"]):
            where = f" (line {line})" if line is not None else ""
            raise ResultsError(f"{self.path}: host {host['name']!r}{where} has a result that is not a check result")
        return host

    def _check_tail(self, tail: Any) -> dict[str, Any]:
        if not isinstance(tail, dict) or not isinstance(tail.get("summary"), dict):
            raise ResultsError(f"{self.path}: the file is truncated (no closing summary)")
        return {k: tail.get(k) for k in ("organisation", "evidence_sha256", "summary")}

    def close(self) -> None:
        self._fh.close()
