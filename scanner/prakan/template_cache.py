"""Compiled Jinja templates kept in the catalog cache's private directory, signed with its key.

Compiling the report's templates costs more than rendering them (about 0.3 s of a one-host scan).
Jinja's bytecode is `marshal` data, which runs as code once loaded, so an entry is trusted exactly as
a catalog cache entry is (catalog_cache.py): an HMAC-SHA256 under the cache's private key comes
first, and an entry that is not a private file of this user or whose HMAC does not verify is
ignored, and rewritten after compiling from the template source. Jinja itself recompiles when a
template's source changes (the bucket is keyed by the template's name and a checksum of its source).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import tempfile
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from prakan import __version__
from prakan.catalog_cache import cache_dir, ensure_dir, private, secret_key

log = logging.getLogger(__name__)

_MAC_LEN = 64


class SignedBytecodeCache(jinja2.BytecodeCache):
    """A jinja2 bytecode cache whose entries verify against the catalog cache's private key."""

    @staticmethod
    def _entry(bucket: Bucket) -> Path:
        name = hashlib.sha256(f"{__version__}\0{bucket.key}".encode()).hexdigest()
        return Path(f"jinja-{name}.bin")

    def load_bytecode(self, bucket: Bucket) -> None:
        d = cache_dir()
        if d is None or not private(d, directory=True):
            return
        path = d / self._entry(bucket)
        try:
            blob = path.read_bytes()
        except OSError:
            return
        key = secret_key(d, create=False)
        if key is None or not private(path, directory=False):
            log.warning("template cache: %s refused (not a private file, or no private key)", path)
            return
        mac, _, payload = blob.partition(b"\n")
        expected = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
        if len(mac) != _MAC_LEN or not hmac.compare_digest(mac, expected):
            log.warning("template cache: %s refused (its HMAC does not match: altered); recompiling", path)
            return
        bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: Bucket) -> None:
        d = cache_dir()
        if d is None or not ensure_dir(d):
            return
        key = secret_key(d, create=True)
        if key is None:
            return
        payload = bucket.bytecode_to_string()
        mac = hmac.new(key, payload, hashlib.sha256).hexdigest().encode()
        path = d / self._entry(bucket)
        try:
            fd, tmp = tempfile.mkstemp(prefix=".jinja-", dir=d)
            with os.fdopen(fd, "wb") as fh:
                fh.write(mac + b"\n" + payload)
            os.replace(tmp, path)
        except OSError as exc:
            log.debug("template cache: cannot write %s: %s", path, exc)
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)

    def clear(self) -> None:
        d = cache_dir()
        for entry in d.glob("jinja-*.bin") if d else ():
            with contextlib.suppress(OSError):
                entry.unlink()
