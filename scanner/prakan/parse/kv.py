"""Key/value sources: `sshd -T`, `sysctl -a`, login.defs, pwquality.conf, os-release."""

from __future__ import annotations

from dataclasses import dataclass, field

from prakan.parse.base import Line, ParseError


@dataclass(slots=True)
class KeyValues:
    """Keys map to every value they were given (sshd -T repeats keys such as `hostkey`)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, list[Line]] = field(default_factory=dict)

    def get(self, key: str) -> list[str] | None:
        return self.values.get(key)

    def lines_of(self, key: str) -> list[Line]:
        return self.lines.get(key, [])


def parse_kv(
    text: str,
    *,
    sep: str | None = None,
    lower_keys: bool = False,
    comment: str = "#",
    strip_quotes: bool = False,
    require_sep: bool = True,
    allow_empty: bool = False,
    expect_keys: tuple[str, ...] | list[str] = (),
) -> KeyValues:
    """Parse `key<sep>value` lines; `sep=None` splits on the first run of whitespace.

    A line that has no separator is unparseable (`require_sep`), which catches a source that
    returned an error message instead of its data.
    """
    kv = KeyValues()
    bad: list[Line] = []
    for no, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped or (comment and stripped.startswith(comment)):
            continue
        if sep is None:
            parts = stripped.split(None, 1)
            key, value = parts[0], parts[1] if len(parts) > 1 else ""
        elif sep in stripped:
            key, value = stripped.split(sep, 1)
            key, value = key.rstrip(), value.lstrip()
        elif require_sep:
            bad.append(Line(no, raw))
            continue
        else:
            key, value = stripped, ""
        if strip_quotes and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if lower_keys:
            key = key.lower()
        kv.values.setdefault(key, []).append(value)
        kv.lines.setdefault(key, []).append(Line(no, raw))
    if bad and len(bad) > sum(len(v) for v in kv.values.values()):  # mostly not key/value: an error text
        raise ParseError(f"not key{sep or ' '}value data (line {bad[0].no}: {bad[0].text[:80]!r})")
    if not kv.values and not allow_empty:
        raise ParseError("no key/value pairs found")
    missing = [k for k in expect_keys if k not in kv.values]
    if missing:
        raise ParseError(f"not the expected output: key {missing[0]!r} is missing")
    return kv
