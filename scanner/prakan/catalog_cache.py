"""A per-user cache of the parsed and validated control catalog, so a command starts in milliseconds.

Loading the catalog means parsing a few hundred YAML files and validating each against the check
schema; the result is plain data (dicts, lists, strings, numbers) from which rules are compiled in a
few milliseconds. The cache keeps exactly that plain data as JSON, never a pickle: reading it cannot
run code, and rules are always recompiled from it by the same code that compiles the YAML.

* Where: `$XDG_CACHE_HOME/prakan/catalog` (default `~/.cache/prakan/catalog`), a directory of mode
  0700 owned by the user in a parent that others cannot write; `PRAKAN_CACHE_DIR` overrides it and
  `PRAKAN_NO_CACHE=1` turns the cache off.
* Key: the SHA-256 of the catalog files (the catalog's own `sha256`), the SHA-256 of the check
  schema and Prakan's version. A changed check file gives a new key, so the entry is rebuilt.
* Integrity: each entry starts with an HMAC-SHA256 of its payload under a random 256-bit key kept
  in the same directory (mode 0600). Even a well-formed JSON file could change what a check asserts,
  so an entry whose HMAC does not verify, whose key or directory is writable by others or owned by
  someone else, or whose recorded catalog hash differs is refused (logged) and rebuilt from the YAML.

An entry is written atomically (temporary file, then rename); a cache that cannot be written is
simply not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import Any

from prakan import __version__, paths

log = logging.getLogger(__name__)

FORMAT = 1
KEEP = 8  # entries kept; older catalogs' entries are removed
_MAC_LEN = 64  # hex SHA-256


def cache_dir() -> Path | None:
    """The cache directory, or None when caching is off."""
    if os.environ.get("PRAKAN_NO_CACHE", "") not in ("", "0"):
        return None
    if os.environ.get("PRAKAN_CACHE_DIR"):
        return Path(os.environ["PRAKAN_CACHE_DIR"])
    return paths.cache_dir() / "catalog"  # its own 0700 directory: ~/.cache/prakan holds other caches too


def entry_key(catalog_sha256: str, schema_sha256: str) -> str:
    material = f"{FORMAT}\0{__version__}\0{catalog_sha256}\0{schema_sha256}".encode()
    return hashlib.sha256(material).hexdigest()


def private(path: Path, *, directory: bool) -> bool:
    """Owned by this user and not accessible to group or others (what an attacker could otherwise write);
    a directory's parent must not be writable by others either (or the directory could be swapped)."""
    try:
        st = path.lstat()
        parent = path.parent.stat() if directory else None
    except OSError:
        return False
    kind_ok = stat.S_ISDIR(st.st_mode) if directory else stat.S_ISREG(st.st_mode)
    parent_ok = parent is None or (parent.st_uid in (0, os.geteuid()) and not parent.st_mode & 0o022)
    return kind_ok and parent_ok and st.st_uid == os.geteuid() and not st.st_mode & 0o077


def ensure_dir(d: Path) -> bool:
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("catalog cache: cannot create %s: %s", d, exc)
        return False
    if not private(d, directory=True):
        log.warning("catalog cache: %s is not a private directory of this user; not using it", d)
        return False
    return True


def secret_key(d: Path, *, create: bool) -> bytes | None:
    path = d / "key"
    if not path.exists() and create:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        except OSError as exc:
            log.debug("catalog cache: cannot create %s: %s", path, exc)
            return None
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
    if not private(path, directory=False):
        if path.exists():
            log.warning("catalog cache: %s is not a private file of this user; not using the cache", path)
        return None
    key = path.read_bytes()
    return key if len(key) == 32 else None


def read_signed(d: Path, path: Path, what: str) -> bytes | None:
    """The payload of a signed entry of the private cache `d`; None when absent, or refused (logged) when
    it is not a private file of this user, there is no private key, or its HMAC does not verify."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    mac_key = secret_key(d, create=False)
    if mac_key is None or not private(path, directory=False):
        log.warning("%s: %s refused (not a private file, or no private key); rebuilding", what, path)
        return None
    mac, _, payload = blob.partition(b"\n")
    expected = hmac.new(mac_key, payload, hashlib.sha256).hexdigest().encode()
    if len(mac) != _MAC_LEN or not hmac.compare_digest(mac, expected):
        log.warning("%s: %s refused (its HMAC does not match: altered); rebuilding", what, path)
        return None
    return payload


def write_signed(d: Path, path: Path, payload: bytes, what: str) -> bool:
    """Write `payload` preceded by its HMAC under the cache's key, atomically (temporary file, rename);
    False when it cannot be written (a cache that cannot be written is simply not used)."""
    mac_key = secret_key(d, create=True)
    if mac_key is None:
        return False
    mac = hmac.new(mac_key, payload, hashlib.sha256).hexdigest().encode()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", dir=d)
        with os.fdopen(fd, "wb") as fh:
            fh.write(mac + b"\n" + payload)
        os.replace(tmp, path)
    except OSError as exc:
        log.debug("%s: cannot write %s: %s", what, path, exc)
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)
        return False
    return True


def _entry_path(d: Path, key: str) -> Path:
    return d / f"catalog-{key}.json"


def load(catalog_sha256: str, schema_sha256: str) -> dict[str, Any] | None:
    """The cached payload for this catalog, or None (absent, refused or caching off)."""
    d = cache_dir()
    if d is None or not private(d, directory=True):
        return None
    key = entry_key(catalog_sha256, schema_sha256)
    path = _entry_path(d, key)
    payload = read_signed(d, path, "catalog cache")
    if payload is None:
        return None
    try:
        data = json.loads(payload)
    except ValueError:
        log.warning("catalog cache: %s refused (not JSON); rebuilding", path)
        return None
    if not isinstance(data, dict) or data.get("catalog_sha256") != catalog_sha256 or data.get("key") != key:
        log.warning("catalog cache: %s refused (for another catalog); rebuilding", path)
        return None
    return data


def store(catalog_sha256: str, schema_sha256: str, data: dict[str, Any]) -> Path | None:
    """Write the payload for this catalog; None when caching is off or impossible (never an error)."""
    d = cache_dir()
    if d is None or not ensure_dir(d):
        return None
    key = entry_key(catalog_sha256, schema_sha256)
    body = dict(data, catalog_sha256=catalog_sha256, key=key)
    try:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        if json.loads(payload) != body:  # something JSON cannot hold faithfully (a date, an int key)
            log.debug("catalog cache: the catalog does not round-trip through JSON; not cached")
            return None
    except (TypeError, ValueError) as exc:
        log.debug("catalog cache: not cached: %s", exc)
        return None
    path = _entry_path(d, key)
    if not write_signed(d, path, payload, "catalog cache"):
        return None
    _prune(d, path)
    return path


def _prune(d: Path, keep: Path) -> None:
    entries = sorted(d.glob("catalog-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        if old != keep:
            with contextlib.suppress(OSError):
                old.unlink()
