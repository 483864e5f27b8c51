"""Cisco IOS / IOS-XE collection over netmiko (device_type cisco_ios), one CLI session per device.

netmiko handles the interactive CLI (prompt detection, `terminal length 0`, enable). Two things are
ours: host keys (the SSH client netmiko builds carries no keys and asks our known_hosts policy),
and deciding whether an output can be trusted: `% Invalid input` / `% Incomplete` / `% Ambiguous`,
a running-config without its final `end`, or a read that times out mid-output are errors, never
evidence. A session that stops answering is abandoned: the rest of its commands would only read
the stale output of the one that hung.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

import paramiko
from netmiko.cisco.cisco_ios import CiscoIosSSH
from netmiko.exceptions import NetmikoAuthenticationException, NetmikoBaseException, ReadException

from prakan.collect import base
from prakan.collect.base import CollectError, HostContext
from prakan.collect.credentials import Target
from prakan.collect.hostkeys import KnownHosts
from prakan.collect.liblog import route_library_logging
from prakan.collect.linux import connect_error
from prakan.evidence import HostEvidence, SourceResult, now
from prakan.sources import Source

PROMPT_WAIT = 15.0  # seconds to see a first CLI prompt after login
_PROMPT = re.compile(r"(?m)^[\w.\-/:()]{1,63}[>#]\s*$")
_READ_ONLY = re.compile(r"show [^\x00-\x1f\x7f]+")  # one printable line starting `show `
_REJECTED = re.compile(r"(?m)^\s*(% ?(?:Invalid input|Incomplete command|Ambiguous command)[^\n]*)")
STILL_SENDING = 5.0  # seconds: output seen more recently than this means the device is still sending

route_library_logging()


class OutputTooLarge(Exception):
    """A command's output passed the cap (base.MAX_OUTPUT): the device does not stop sending."""


class _Reading:
    """What came back for the command under way: how much, and when the last byte came."""

    def __init__(self) -> None:
        self.bytes = 0
        self.started = self.last = time.monotonic()

    def add(self, n: int) -> None:
        if n:
            self.bytes += n
            self.last = time.monotonic()

    def describe(self) -> str:
        t = time.monotonic()
        if not self.bytes:
            return f"no output at all in {t - self.started:.0f} s"
        if t - self.last < STILL_SENDING:
            return f"output still arriving: {self.bytes} bytes in {t - self.started:.0f} s, too slow for the timeout"
        return f"output stopped mid-way: {self.bytes} bytes, then nothing for {t - self.last:.0f} s"


def _printable(text: str, limit: int = 60) -> str:
    return re.sub(r"[^\x20-\x7e]+", ".", text)[:limit]


class _IOS(CiscoIosSSH):
    """netmiko's IOS driver with our host-key policy, our deadline and a precise first-prompt check."""

    def __init__(self, *, prakan: tuple[Target, HostContext, KnownHosts], **kwargs: Any) -> None:
        self._prakan = prakan
        self.reading = _Reading()
        super().__init__(**kwargs)

    def _build_ssh_client(self) -> paramiko.SSHClient:
        target, ctx, known = self._prakan

        def record(warning: str, fp: str) -> None:
            ctx.warnings.append(warning)
            ctx.host_key = fp

        def hostkey_failed(msg: str) -> None:
            ctx.hostkey_error = msg

        client = paramiko.SSHClient()  # no keys loaded: our policy decides on every host key
        client.set_missing_host_key_policy(known.policy(target.name, record, hostkey_failed))
        ctx.register(client.close)
        return client

    def _connect_params_dict(self) -> dict[str, Any]:
        target, ctx, known = self._prakan
        params = super()._connect_params_dict()

        def register(tr: paramiko.Transport) -> None:
            ctx.transport = tr
            ctx.register(tr.close)

        params["transport_factory"] = known.preferred_transport(target.address, target.port, register)
        return params

    def read_channel(self) -> str:
        # netmiko polls a closed channel until its read timeout; stop at once when the watchdog
        # aborted this host (timeout, Ctrl-C) or the device hung up.
        _, ctx, _ = self._prakan
        if ctx.abort_reason is not None:
            raise CollectError(ctx.abort_reason)
        if self.remote_conn is not None and getattr(self.remote_conn, "closed", False):
            raise CollectError(ctx.failure("the device closed the session"))
        data = super().read_channel()
        self.reading.add(len(data))
        if self.reading.bytes > base.MAX_OUTPUT:
            raise OutputTooLarge(f"output passed {base.MAX_OUTPUT // (1024 * 1024)} MiB and the device kept sending")
        return data

    def session_preparation(self) -> None:
        _, ctx, _ = self._prakan
        ctx.stage = "waiting for the CLI prompt"
        wait = min(PROMPT_WAIT, ctx.remaining())
        end = time.monotonic() + wait
        buf = ""
        nudged = False
        while not _PROMPT.search(buf[-200:]):
            if time.monotonic() >= end:
                what = f"got {len(buf)} bytes of other output: {_printable(buf)!r}" if buf.strip() else "got nothing"
                raise CollectError(f"no IOS CLI prompt within {wait:.0f} s ({what})")
            chunk = self.read_channel()
            buf += chunk
            if not chunk:
                if not nudged and time.monotonic() > end - wait + 1:
                    self.write_channel(self.RETURN)  # some devices print the prompt only after a key
                    nudged = True
                time.sleep(0.02)
        ctx.stage = "preparing the session (terminal length 0)"
        super().session_preparation()


def _open(target: Target, ctx: HostContext, known: KnownHosts) -> _IOS:
    t = ctx.connect_timeout()
    ctx.stage = f"connecting to {target.address}:{target.port}"
    try:
        return _IOS(
            prakan=(target, ctx, known),
            device_type="cisco_ios",
            host=target.address,
            port=target.port,
            username=target.user,
            password=target.password or "",
            secret=target.become_password or target.password or "",
            use_keys=target.key_file is not None,
            key_file=target.key_file,
            allow_agent=False,
            conn_timeout=t,
            auth_timeout=t,
            banner_timeout=t,
            session_log=None,
            fast_cli=True,
        )
    except CollectError:
        raise
    except NetmikoAuthenticationException as exc:
        raise CollectError(ctx.failure(f"authentication failed for user {target.user}")) from exc
    except (NetmikoBaseException, paramiko.SSHException, OSError, EOFError, ValueError) as exc:
        tr = ctx.transport
        if isinstance(tr, paramiko.Transport) and not tr.remote_version and not ctx.abort_reason:
            raise CollectError(
                f"{target.address}:{target.port} accepted the TCP connection but sent no SSH "
                f"banner within {t:.0f} s (not an SSH server, or one that hangs)"
            ) from exc
        raise connect_error(_cause(exc), target, ctx) from exc


def _cause(exc: BaseException) -> BaseException:
    """netmiko rewraps socket errors in its own exceptions; classify by the original one."""
    return exc.__context__ if exc.__context__ is not None and not isinstance(exc, OSError) else exc


def _check_output(source: Source, output: str) -> tuple[str | None, bool]:
    """(error, truncated) for a command output that came back complete with a prompt."""
    rejected = _REJECTED.search(output)
    if rejected:
        return f"the device rejected `{source.command}`: {rejected.group(1).strip()}", False
    if source.parser == "ios_config":
        lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
        if not lines or lines[-1] != "end":
            return "configuration output has no final `end`: it is truncated", True
    return None, False


def refusal(source: Source) -> str | None:
    """Why `source` must not be sent to a device, or None. The catalog loader checks this too; this
    is the last guard: anything but a single `show` line could change the device."""
    if _READ_ONLY.fullmatch(source.command):
        return None
    return f"refused to send `{source.name}`: only a single-line `show` command may be sent to a device"


def _privileged(conn: _IOS, target: Target, ctx: HostContext) -> str | None:
    """Enter privileged EXEC; returns why not when it fails."""
    if conn.check_enable_mode():
        return None
    if not target.become:
        return "needs privileged EXEC: set ansible_become: true (with ansible_become_password) for this device"
    ctx.stage = "entering privileged EXEC (enable)"
    try:
        conn.enable()
    except (ReadException, ValueError) as exc:
        return f"enable failed (wrong ansible_become_password?): {str(exc).splitlines()[0]}"
    return None if conn.check_enable_mode() else "enable failed: still at the user EXEC prompt"


def run_sources(conn: _IOS, sources: list[Source], target: Target, ctx: HostContext) -> dict[str, SourceResult]:
    results: dict[str, SourceResult] = {}
    enable_problem: str | None = None
    tried_enable = False
    # unprivileged commands first, so a failing enable costs only the commands that need it
    for source in sorted(sources, key=lambda s: s.become):
        ctx.check()
        started = now()
        refused = refusal(source)
        if refused:
            results[source.name] = SourceResult(source.command, "", rc=None, collected_at=started, error=refused)
            continue
        if source.become and not tried_enable:
            tried_enable = True
            enable_problem = _privileged(conn, target, ctx)
        if source.become and enable_problem:
            results[source.name] = SourceResult(source.command, "", rc=None, collected_at=started, error=enable_problem)
            continue
        ctx.stage = f"running `{source.command}`"
        wait = ctx.remaining()
        conn.reading = _Reading()
        try:
            output = str(conn.send_command(source.command, read_timeout=wait, strip_prompt=True, strip_command=True))
        except OutputTooLarge as exc:
            # the session is flooded: nothing more can be read from it; the host's other sources say why
            results[source.name] = SourceResult(
                source.command,
                "",
                rc=None,
                collected_at=started,
                truncated=True,
                error=f"`{source.command}`: {exc} (not kept)",
            )
            for rest in sources:
                if rest.name not in results:
                    results[rest.name] = SourceResult(
                        rest.command,
                        "",
                        rc=None,
                        collected_at=now(),
                        error=(f"not run: the session was abandoned after `{source.command}` overflowed"),
                    )
            break
        except ReadException as exc:
            raise CollectError(
                ctx.failure(
                    f"`{source.command}` did not complete: no prompt within {wait:.0f} s ({conn.reading.describe()})"
                )
            ) from exc
        except CollectError as exc:  # aborted by the watchdog (timeout) or the device hung up mid-output
            raise CollectError(f"{exc} ({conn.reading.describe()})") from exc
        except (OSError, EOFError, paramiko.SSHException) as exc:
            why = str(exc) or type(exc).__name__
            raise CollectError(
                ctx.failure(f"session lost while running `{source.command}`: {why} ({conn.reading.describe()})")
            ) from exc
        error, truncated = _check_output(source, output)
        results[source.name] = SourceResult(
            source.command, output, rc=None, collected_at=started, truncated=truncated, error=error
        )
    return results


def collect(target: Target, sources: list[Source], ctx: HostContext, known: KnownHosts) -> HostEvidence:
    started = now()
    conn = _open(target, ctx, known)
    try:
        t0 = time.monotonic()
        results = run_sources(conn, sources, target, ctx)
        facts = {
            "address": target.address,
            "port": target.port,
            "user": target.user,
            "seconds": round(time.monotonic() - t0, 3),
        }
        return HostEvidence(
            host=target.name, platform=target.platform, sources=results, collected_at=started, facts=facts
        )
    finally:
        with contextlib.suppress(Exception):  # the evidence is complete; a failed logout changes nothing
            conn.disconnect()
