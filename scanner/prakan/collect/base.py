"""What a collector gets besides its target: a deadline, a stage for messages, and an abort hook.

The runner's watchdog closes whatever a collector registered (socket, paramiko transport) when the
host's time is up or the run is interrupted; a blocked read then fails at once, and the collector
reports the reason the watchdog recorded instead of the low-level error it saw.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRIES = 2  # transient connection failures are retried this many times
CONNECT_TIMEOUT = 10.0  # TCP connect + SSH handshake + authentication, per attempt
MAX_OUTPUT = 32 * 1024 * 1024  # a source larger than this is truncated (and so an error)
MAX_STDERR = 64 * 1024  # only this tail of a command's stderr is kept: it holds the error line


class CollectError(Exception):
    """A host-level failure with a message fit for the manifest and the evidence file."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass
class HostContext:
    name: str
    timeout: float
    started: float = field(default_factory=time.monotonic)
    stage: str = "starting"
    abort_reason: str | None = None
    hostkey_error: str | None = None
    warnings: list[str] = field(default_factory=list)
    host_key: str | None = None  # fingerprint recorded with --accept-new-host-keys
    transport: object | None = None  # the SSH transport, once made: tells "no SSH banner" from other failures
    _closers: list[Callable[[], object]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def deadline(self) -> float:
        return self.started + self.timeout

    def remaining(self, floor: float = 0.1) -> float:
        return max(floor, self.deadline - time.monotonic())

    def connect_timeout(self) -> float:
        return min(CONNECT_TIMEOUT, self.remaining())

    def expired(self) -> bool:
        return self.abort_reason is not None or time.monotonic() >= self.deadline

    def register(self, closer: Callable[[], object]) -> None:
        with self._lock:
            self._closers.append(closer)
            aborted = self.abort_reason is not None
        if aborted:
            closer()

    def abort(self, reason: str) -> None:
        """Called by the watchdog thread: remember why, then close everything registered."""
        with self._lock:
            if self.abort_reason is not None:
                return
            self.abort_reason = reason
            closers = list(self._closers)
        for close in closers:
            with contextlib.suppress(Exception):
                close()

    def check(self) -> None:
        if self.abort_reason is None and time.monotonic() >= self.deadline:
            self.abort_reason = f"timed out after {self.timeout:g} s while {self.stage}"
        if self.abort_reason is not None:
            raise CollectError(self.abort_reason)

    def failure(self, fallback: str) -> str:
        """The most precise reason for a failure: abort (timeout/interrupt), host key, else `fallback`."""
        return self.abort_reason or self.hostkey_error or fallback
