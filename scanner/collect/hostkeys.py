"""Host key verification against a known_hosts file (OpenSSH format, hashed entries included).

Every connection, Linux or IOS, goes through :class:`KnownHosts`: paramiko is given no host keys of
its own, so it always asks our policy, and our policy is the only place a key is accepted. An
unknown key is refused unless new keys may be accepted (then it is recorded); a key that differs
from the recorded one is always refused, loudly, with both fingerprints.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import paramiko

_LOCK = threading.Lock()  # one writer per process appends to the file


class HostKeyError(paramiko.SSHException):
    """The server's host key is unknown or changed; never retried."""


def default_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "prakan" / "known_hosts"


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
        if path.exists():
            try:
                self.keys.load(str(path))
            except (OSError, paramiko.SSHException, ValueError) as exc:
                raise ValueError(f"{path}: cannot read known_hosts: {exc}") from exc

    def known_types(self, address: str, port: int) -> list[str]:
        with _LOCK:
            entry = self.keys.lookup(entry_name(address, port))
            return list(entry.keys()) if entry else []

    def verify(self, host: str, name: str, key: paramiko.PKey) -> str | None:
        """Accept `key` for known_hosts entry `name` or raise HostKeyError; returns a warning when recorded."""
        with _LOCK:
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
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="ascii") as fh:
            fh.write(f"{name} {key.get_name()} {key.get_base64()}\n")
            fh.flush()
            os.fsync(fh.fileno())

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
