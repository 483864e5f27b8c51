"""Persistent kernel parameters: the sysctl.d files as systemd-sysctl (and `sysctl --system`) apply them.

The source prints every candidate file under a `### /path` header (a file masked by a symlink to
/dev/null as `### /path -> /dev/null`); the order of the printout does not matter, the parser
recomputes what happens at boot:

* `*.conf` files in /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d and
  /lib/sysctl.d; a file name in an earlier directory hides the same name in later ones (so an
  /etc file, or its /dev/null mask, overrides a vendor file);
* the surviving files are applied in lexicographic order of their file names, whatever their
  directory; /etc/sysctl.conf is applied last (procps `sysctl --system`; Debian also links it as
  /etc/sysctl.d/99-sysctl.conf, which gives the same result);
* a later assignment to the same key wins; a key may be written with `/` for `.` and prefixed with
  `-` (ignore errors);
* a glob (`net.ipv4.conf.*.rp_filter = 2`) sets every matching key that is NOT assigned explicitly
  anywhere (systemd: "explicit setting exists"), and a bare `-key` line excludes that key from the
  globs without setting it.

The result is key/value data whose value for a key is the one that will be in force after the next
boot; its evidence line is the line that set it, prefixed with the file it is in.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from prakan.parse.base import Line, ParseError
from prakan.parse.kv import KeyValues

# Directories in decreasing priority (systemd-sysctl's search path).
SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"
HEADER = "### "
MASKED = " -> /dev/null"


@dataclass(slots=True)
class _Setting:
    pattern: str  # a key, or a glob over keys
    value: str
    line: Line


@dataclass(slots=True)
class PersistentSysctl(KeyValues):
    """Effective persistent values; `get(key)` is the last explicit assignment, else the last matching glob."""

    order: list[str] = field(default_factory=list)  # the files applied, in order
    settings: list[_Setting] = field(default_factory=list)  # glob assignments, in order

    def _last(self, key: str) -> _Setting | None:
        if key in self.values:  # explicit: the last assignment, whatever globs say
            lines = self.lines[key]
            value = self.values[key][-1]
            return None if value is None else _Setting(key, value, lines[-1])
        for s in reversed(self.settings):  # in the order they are applied: the last matching glob wins
            if _is_glob(s.pattern) and fnmatch.fnmatchcase(key, s.pattern):
                return s
        return None

    def get(self, key: str) -> list[str] | None:
        s = self._last(key)
        return None if s is None else [s.value]

    def lines_of(self, key: str) -> list[Line]:
        s = self._last(key)
        return [] if s is None else [s.line]


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def _normalise(key: str) -> str:
    """systemd accepts `/` as the separator; a key that mixes both keeps dots after the first `/`."""
    key = key.strip()
    if "/" in key and not key.startswith("/"):
        first = key.find("/")
        dot = key.find(".")
        if dot == -1 or first < dot:
            return key.replace("/", ".")
    return key


def parse_sysctl_files(text: str) -> PersistentSysctl:
    """Parse the `### /path` printout of the sysctl.d directories into the values in force after boot."""
    files: dict[str, list[tuple[int, str]] | None] = {}  # path -> (line no, raw) or None when masked
    current: list[tuple[int, str]] | None = None
    for no, raw in enumerate(text.splitlines(), 1):
        if raw.startswith(HEADER):
            path = raw[len(HEADER) :].strip()
            if path.endswith(MASKED):
                files[path[: -len(MASKED)].strip()] = None
                current = None
                continue
            current = files.setdefault(path, [])  # None when the same path was also listed masked
            continue
        if raw.strip() and current is None and not files:
            raise ParseError(f"line {no}: text before the first `### /path` header")
        if current is not None:
            current.append((no, raw))
    if text.strip() and not files:
        raise ParseError("expected `### /path` file headers, found other text")
    chosen: dict[str, str | None] = {}  # file name -> winning path (None: masked)
    for d in SYSCTL_DIRS:
        for path in files:
            p = PurePosixPath(path)
            if str(p.parent) == d and p.name.endswith(".conf") and p.name not in chosen:
                chosen[p.name] = path if files[path] is not None else None
    unknown = [p for p in files if p != SYSCTL_CONF and str(PurePosixPath(p).parent) not in SYSCTL_DIRS]
    if unknown:
        raise ParseError(f"file {unknown[0]} is not in a sysctl.d directory")
    order = [chosen[name] for name in sorted(chosen) if chosen[name] is not None]
    if files.get(SYSCTL_CONF) is not None:
        order.append(SYSCTL_CONF)
    result = PersistentSysctl(order=[p for p in order if p is not None])
    for path in result.order:
        for no, raw in files[path] or []:
            stripped = raw.strip()
            if not stripped or stripped[0] in "#;":
                continue
            line = Line(no, f"{path}: {stripped}")
            if "=" not in stripped:
                if not stripped.startswith("-"):
                    raise ParseError(f"line {no}: {path}: not `key = value`: {stripped[:80]!r}")
                # `-key`: exclude the key from glob assignments, set nothing
                result.values.setdefault(_normalise(stripped[1:]), []).append(None)  # type: ignore[arg-type]
                result.lines.setdefault(_normalise(stripped[1:]), []).append(line)
                continue
            key, value = stripped.split("=", 1)
            key = _normalise(key.lstrip("-"))
            value = value.strip()
            if _is_glob(key):
                result.settings.append(_Setting(key, value, line))
            else:
                result.values.setdefault(key, []).append(value)
                result.lines.setdefault(key, []).append(line)
    return result
