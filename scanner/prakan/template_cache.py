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
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from prakan import __version__
from prakan.catalog_cache import cache_dir, ensure_dir, private, read_signed, write_signed


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
        payload = read_signed(d, d / self._entry(bucket), "template cache")
        if payload is not None:
            bucket.bytecode_from_string(payload)

    def dump_bytecode(self, bucket: Bucket) -> None:
        d = cache_dir()
        if d is not None and ensure_dir(d):
            write_signed(d, d / self._entry(bucket), bucket.bytecode_to_string(), "template cache")

    def clear(self) -> None:
        d = cache_dir()
        for entry in d.glob("jinja-*.bin") if d else ():
            with contextlib.suppress(OSError):
                entry.unlink()
