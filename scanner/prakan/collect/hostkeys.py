"""Host key verification against a known_hosts file (OpenSSH format, hashed entries included).

Every connection, Linux or IOS, goes through :class:`KnownHosts`: paramiko is given no host keys of
its own, so it always asks our policy, and our policy is the only place a key is accepted. An
unknown key is refused unless new keys may be accepted (then it is recorded); a key that differs
from the recorded one is always refused, loudly, with both fingerprints; a key listed `@revoked`
is refused for every host. `@cert-authority` lines are skipped (certificates are not supported,
so such hosts are unknown, hence refused). A line that cannot be parsed is an error naming it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import paramiko

from prakan.paths import config_dir

_LOCK = threading.Lock()  # one writer per process appends to the file


class HostKeyError(paramiko.SSHException):
    """The server's host key is unknown, changed or revoked; never retried."""


class KnownHostsError(ValueError):
    """The known_hosts file cannot be read or has a line we cannot parse."""


def default_path() -> Path:
    return config_dir() / "known_hosts"


def fingerprint(key: paramiko.PKey) -> str:
    """OpenSSH's SHA256 fingerprint: base64 of the key blob's SHA-256, without padding."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def entry_name(address: str, port: int) -> str:
    return address if port == 22 else f"[{address}]:{port}"


class KnownHosts:
    def __init__(self, path: Path, accept_new: bool = False) -> None:
        self.path = path
        self.accept_new = accept_new
        self.keys = paramiko.HostKeys()
        self.added: dict[str, str] = {}  # known_hosts entry name -> fingerprint recorded in this run
        self.revoked: list[paramiko.PKey] = []
        if path.exists():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise KnownHostsError(f"{path}: cannot read known_hosts: {exc}") from exc
            for lineno, line in enumerate(text.splitlines(), 1):
                self._load_line(line.strip(), lineno)

    def _load_line(self, line: str, lineno: int) -> None:
        if not line or line.startswith("#"):
            return
        marker = None
        if line.startswith("@"):
            marker, _, line = line.partition(" ")
            line = line.strip()
            if marker not in ("@revoked", "@cert-authority"):
                raise KnownHostsError(f"{self.path}, line {lineno}: unknown marker {marker!r}")
            if marker == "@cert-authority":
                return
        try:
            entry = paramiko.hostkeys.HostKeyEntry.from_line(line, lineno)
        except Exception as exc:  # InvalidHostKey is no SSHException; key parsers raise assorted errors
            raise KnownHostsError(f"{self.path}, line {lineno}: not a valid known_hosts entry: {exc}") from exc
        if entry is None:
            if len(line.split()) < 3:
                raise KnownHostsError(f"{self.path}, line {lineno}: not a known_hosts entry (`names keytype key`)")
            return  # a key type paramiko does not know: such a key can never match, so it is ignored
        if marker == "@revoked":
            self.revoked.append(entry.key)
        else:
            # what HostKeys.load does, minus its silent skipping (paramiko offers no public way)
            self.keys._entries.append(entry)  # type: ignore[attr-defined]

    def known_types(self, address: str, port: int) -> list[str]:
        with _LOCK:
            entry = self.keys.lookup(entry_name(address, port))
            return list(entry.keys()) if entry else []

    def verify(self, host: str, name: str, key: paramiko.PKey) -> str | None:
        """Accept `key` for known_hosts entry `name` or raise HostKeyError; returns a warning when recorded."""
        with _LOCK:
            if any(key == revoked for revoked in self.revoked):
                raise HostKeyError(
                    f"host key for {host} ({name}) is revoked: {fingerprint(key)} ({key.get_name()}) is marked "
                    f"@revoked in {self.path}"
                )
            entry = self.keys.lookup(name)
            if entry:
                ours = entry.get(key.get_name())
                if ours is not None and ours == key:
                    return None
                expected = ours if ours is not None else next(iter(entry.values()))
                raise HostKeyError(
                    f"host key for {host} ({name}) changed: expected {fingerprint(expected)}, got {fingerprint(key)}"
                    f" ({key.get_name()}); if the change is legitimate, remove the old entry from {self.path}"
                )
            if not self.accept_new:
                raise HostKeyError(
                    f"unknown host key for {host} ({name}): {fingerprint(key)} ({key.get_name()}) is not in "
                    f"{self.path}; verify it, then rerun with --accept-new-host-keys to record it"
                )
            self.keys.add(name, key.get_name(), key)
            self._append(name, key)
            self.added[name] = fingerprint(key)
            return f"recorded new host key for {host} ({name}): {fingerprint(key)} ({key.get_name()}) in {self.path}"

    def _append(self, name: str, key: paramiko.PKey) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            size = os.fstat(fd).st_size
            # a last line without its newline (hand-edited file): end it, or our entry would join it
            prefix = b"\n" if size and os.pread(fd, 1, size - 1) != b"\n" else b""
            os.write(fd, prefix + f"{name} {key.get_name()} {key.get_base64()}\n".encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def policy(self, host: str, on_record: Any = None, on_error: Any = None) -> paramiko.MissingHostKeyPolicy:
        return _Policy(self, host, on_record, on_error)

    def preferred_transport(self, address: str, port: int, register: Any = None) -> Any:
        """A paramiko transport factory that asks the server for a key type we already know first.

        Without it a server with several host keys may present a type we have never recorded, which
        would look like a changed key.
        """
        known = self.known_types(address, port)

        def factory(sock: Any, **kwargs: Any) -> paramiko.Transport:
            t = paramiko.Transport(sock, **kwargs)
            if known:
                opts = t.get_security_options()
                opts.key_types = [k for k in known if k in opts.key_types] + [
                    k for k in opts.key_types if k not in known
                ]
            if register is not None:
                register(t)
            return t

        return factory


class _Policy(paramiko.MissingHostKeyPolicy):
    def __init__(self, known: KnownHosts, host: str, on_record: Any, on_error: Any) -> None:
        self.known = known
        self.host = host
        self.on_record = on_record
        self.on_error = on_error

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        try:
            warning = self.known.verify(self.host, hostname, key)
        except HostKeyError as exc:
            if self.on_error is not None:
                self.on_error(str(exc))  # netmiko rewraps the exception; keep the precise message
            raise
        if warning and self.on_record is not None:
            self.on_record(warning, fingerprint(key))
