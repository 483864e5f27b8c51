"""Trust in evidence: the manifest signing key, signatures, safe reads, and outputs that must not
land on inputs.

A run's `manifest.json` lists the SHA-256 of every evidence file and is signed with HMAC-SHA256
under a key kept outside the evidence directory (`$PRAKAN_MANIFEST_KEY`, else
`~/.config/prakan/manifest.key`, created 0600 by the first collection or import). Evaluation
re-computes the signature: without the key nobody can edit an output, its hash and the manifest
together. The signature covers the manifest's canonical JSON (sorted keys, no whitespace) without
its `signature` member.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prakan.paths import config_dir

KEY_ENV = "PRAKAN_MANIFEST_KEY"
ALGORITHM = "HMAC-SHA256"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
# An evidence file holds at most a few sources of at most 32 MiB each (the collectors' cap).
MAX_EVIDENCE_BYTES = 256 * 1024 * 1024


class TrustError(ValueError):
    """Evidence or a manifest that cannot be trusted, with the reason."""


def key_path() -> Path:
    return config_dir() / "manifest.key"


def read_key_file(path: Path) -> bytes:
    try:
        data = read_regular(path, 4096).strip()
    except TrustError as exc:
        raise TrustError(f"manifest key {path}: {exc}") from exc
    if len(data) < 16:
        raise TrustError(f"manifest key {path} is empty or shorter than 16 characters")
    return data


def manifest_key(create: bool = False, path: Path | None = None) -> bytes | None:
    """The signing key: `path`, else $PRAKAN_MANIFEST_KEY, else the key file (created when `create`).

    None when there is none and `create` is false (evaluation never invents a key)."""
    if path is not None:
        return read_key_file(path)
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    default = key_path()
    if default.exists() or not create:
        return read_key_file(default) if default.exists() else None
    default.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:  # O_EXCL: two concurrent first runs must not end with two different keys
        fd = os.open(default, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key_file(default)
    fresh = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as fh:
        fh.write(fresh + b"\n")
    return fresh


def key_id(key: bytes) -> str:
    """A public name for a key (not the key): which key signed a manifest."""
    return hashlib.sha256(b"prakan manifest key id\0" + key).hexdigest()[:16]


def canonical(manifest: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(manifest: Mapping[str, Any], key: bytes) -> dict[str, Any]:
    """The manifest with its `signature` member (HMAC-SHA256 of its canonical JSON)."""
    mac = hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()
    return {
        **{k: v for k, v in manifest.items() if k != "signature"},
        "signature": {"algorithm": ALGORITHM, "key_id": key_id(key), "value": mac},
    }


@dataclass(frozen=True, slots=True)
class Verification:
    """How far a manifest can be trusted: `verified` only when its signature checked out."""

    state: str  # signed | unsigned | bad-signature | no-key | missing | unreadable
    detail: str
    key_id: str | None = None

    @property
    def verified(self) -> bool:
        return self.state == "signed"

    def to_json(self) -> dict[str, Any]:
        return {"manifest": self.state, "verified": self.verified, "detail": self.detail, "key_id": self.key_id}


def verify(manifest: Mapping[str, Any], key: bytes | None) -> Verification:
    sig = manifest.get("signature")
    if sig is None:
        return Verification("unsigned", "the manifest carries no signature")
    if not isinstance(sig, dict) or sig.get("algorithm") != ALGORITHM or not isinstance(sig.get("value"), str):
        return Verification("bad-signature", f"the manifest's signature is not an {ALGORITHM} signature")
    claimed = str(sig.get("key_id"))
    if key is None:
        return Verification(
            "no-key",
            f"the manifest is signed (key id {claimed}) but no manifest key is configured "
            f"(--manifest-key, ${KEY_ENV} or {key_path()})",
            claimed,
        )
    expected = hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()
    if hmac.compare_digest(expected, sig["value"]):
        return Verification("signed", f"signature verified with key id {key_id(key)}", key_id(key))
    if claimed != key_id(key):
        return Verification(
            "bad-signature",
            f"the manifest was signed with another key (key id {claimed}; this key is {key_id(key)})",
            claimed,
        )
    return Verification("bad-signature", "the manifest's signature does not match its content (altered)", claimed)


def read_regular(path: Path, limit: int) -> bytes:
    """Read a regular file, never following a symbolic link, at most `limit` bytes.

    A FIFO, device, directory or socket is refused at once (opened non-blocking, so a FIFO cannot
    hang the run); a larger file is refused, not read."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise TrustError("is a symbolic link; evidence is read only from regular files") from exc
        raise TrustError(exc.strerror or str(exc)) from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise TrustError(f"is not a regular file ({_kind(st.st_mode)})")
        if st.st_size > limit:
            raise TrustError(f"is {st.st_size} bytes, more than the {limit} allowed")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:  # grew while being read
                raise TrustError(f"is more than the {limit} bytes allowed")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise TrustError(exc.strerror or str(exc)) from exc
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def refuse_output_inside(output: Path | str, *inputs: Path | str | None) -> str | None:
    """Why writing `output` would destroy an input, or None. An output is refused when it is an
    input file, or lies inside an input directory (after resolving links). '-' (stdout) is fine.

    Shared by every command that writes a file next to what it reads (evaluate, scan, evidence
    import, lint --output)."""
    if str(output) == "-":
        return None
    out = Path(output).resolve()
    for inp in inputs:
        if inp is None or str(inp) == "-":
            continue
        src = Path(inp).resolve()
        if out == src:
            return f"the output {output} is the input {inp}: it would be overwritten"
        if src.is_dir() and out.is_relative_to(src):
            return f"the output {output} lies inside the input {inp}: it would overwrite or add to it"
    return None


class LockedError(RuntimeError):
    """Another Prakan process holds the evidence directory."""


@contextlib.contextmanager
def directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on `directory` itself (fcntl flock on the directory), held for the block:
    a second collection into the same directory fails at once with LockedError instead of
    interleaving. Locking the directory leaves no lock file behind in the evidence."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockedError(
                f"{directory} is in use by another prakan run; wait for it or choose another --evidence-dir"
            ) from exc
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, also when the process is killed
