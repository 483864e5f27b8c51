"""Linux collection over paramiko: one SSH connection per host, one exec channel per evidence source.

Channels run a few at a time on the one connection (sshd allows 10 sessions by default) and are
multiplexed with select(), so a host costs one handshake plus its slowest command, not the sum.
Every command runs as `sh -c` with stdin from /dev/null, `LC_ALL=C` and a fixed PATH, so outputs
parse the same everywhere. Sources that need root run through `sudo -n` (or `sudo -S` fed the
become password on stdin, never on the command line) when the host has `ansible_become` set.
sudo is tried once first: when that fails, no other sudo command is sent, so a wrong become
password costs one failed authentication per run, never enough to trip a lockout (faillock).
"""

from __future__ import annotations

import contextlib
import errno
import select
import shlex
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import paramiko

from prakan.collect.base import MAX_OUTPUT, MAX_STDERR, CollectError, HostContext
from prakan.collect.credentials import Target
from prakan.collect.hostkeys import HostKeyError, KnownHosts
from prakan.collect.liblog import route_library_logging
from prakan.evidence import HostEvidence, SourceResult, now
from prakan.sources import Source

route_library_logging()  # paramiko's tracebacks never reach the terminal; reasons say what happened

PARALLEL_CHANNELS = 4
_PRELUDE = "exec </dev/null; LC_ALL=C; PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; export LC_ALL PATH; unset LANG LANGUAGE; "  # noqa: E501
_TRANSIENT_ERRNO = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ETIMEDOUT, errno.ECONNABORTED}
_CHUNK = 1 << 16
_READ_PER_POLL = 16  # chunks per stream per poll, so a flooding command cannot starve the deadline check
# Run once before any privileged source: same sudo form as the sources, a command that does nothing.
SUDO_PROBE = Source("(sudo check)", ("linux",), "true", "text", become=True)


class UnsafeCommand(ValueError):
    """A command a read-only collector must not send (the catalog loader refuses it too)."""


def uses_sudo(source: Source, target: Target) -> bool:
    return source.become and target.become and target.user != "root"


def command_line(source: Source, target: Target) -> tuple[str, str | None]:
    """The exact remote command line for a catalog source, and what to feed on stdin (sudo password)."""
    if any(c in source.command for c in "\n\r\0"):  # a second line would be a second command
        raise UnsafeCommand(f"refused to send `{source.name}`: its command is not a single line")
    script = "sh -c " + shlex.quote(_PRELUDE + source.command)
    if not uses_sudo(source, target):
        return script, None
    if target.become_password:
        return f"sudo -S -p '' -- {script}", target.become_password + "\n"
    return f"sudo -n -- {script}", None


def connect(target: Target, ctx: HostContext, known: KnownHosts) -> paramiko.SSHClient:
    client = paramiko.SSHClient()  # no keys loaded: our policy decides on every host key

    def record(warning: str, fp: str) -> None:
        ctx.warnings.append(warning)
        ctx.host_key = fp

    def hostkey_failed(msg: str) -> None:
        ctx.hostkey_error = msg

    client.set_missing_host_key_policy(known.policy(target.name, record, hostkey_failed))
    ctx.stage = f"connecting to {target.address}:{target.port}"
    ctx.register(client.close)
    t = ctx.connect_timeout()
    try:
        client.connect(
            target.address,
            port=target.port,
            username=target.user,
            password=target.password,
            key_filename=target.key_file,
            look_for_keys=target.key_file is None and target.password is None,
            allow_agent=target.key_file is None and target.password is None,
            timeout=t,
            banner_timeout=t,
            auth_timeout=t,
            channel_timeout=t,
            transport_factory=known.preferred_transport(target.address, target.port, lambda tr: ctx.register(tr.close)),
        )
    except HostKeyError as exc:
        client.close()
        raise CollectError(str(exc)) from exc
    except paramiko.AuthenticationException as exc:
        client.close()
        raise CollectError(ctx.failure(f"authentication failed for user {target.user}: {exc}")) from exc
    except (paramiko.SSHException, OSError, EOFError) as exc:
        client.close()
        raise connect_error(exc, target, ctx) from exc
    return client


def connect_error(exc: BaseException, target: Target, ctx: HostContext) -> CollectError:
    """Classify a connection failure: refused/reset/timeout are transient (retried), others are not."""
    where = f"{target.address}:{target.port}"
    if ctx.abort_reason or ctx.hostkey_error:
        return CollectError(ctx.failure(""))
    if isinstance(exc, paramiko.ssh_exception.NoValidConnectionsError):
        codes = {e.errno for e in exc.errors.values() if isinstance(e, OSError)}
        if codes & {errno.ECONNREFUSED}:
            return CollectError(f"connection refused by {where} (no SSH server listening)", transient=True)
        return CollectError(f"cannot connect to {where}: {exc}", transient=bool(codes & _TRANSIENT_ERRNO))
    if isinstance(exc, TimeoutError | socket.timeout):
        return CollectError(f"connection to {where} timed out", transient=True)
    if isinstance(exc, OSError) and exc.errno in _TRANSIENT_ERRNO:
        return CollectError(f"connection to {where} failed: {exc.strerror or exc}", transient=True)
    if isinstance(exc, EOFError) or "protocol banner" in str(exc) or "reset" in str(exc).lower():
        return CollectError(f"SSH handshake with {where} failed: {exc or 'connection closed'}", transient=True)
    return CollectError(f"SSH connection to {where} failed: {exc}")


@dataclass
class _Run:
    source: Source
    chan: paramiko.Channel
    out: bytearray = field(default_factory=bytearray)
    err: bytearray = field(default_factory=bytearray)
    started: str = field(default_factory=now)
    truncated: bool = False


def _start(client: paramiko.SSHClient, source: Source, target: Target, ctx: HostContext) -> _Run:
    transport = client.get_transport()
    if transport is None or not transport.is_active():
        raise CollectError(ctx.failure("SSH connection closed by the host"))
    line, stdin = command_line(source, target)
    chan = transport.open_session(timeout=ctx.remaining())
    chan.exec_command(line)
    if stdin is not None:
        chan.sendall(stdin.encode())
    chan.shutdown_write()
    return _Run(source, chan)


def _drain(run: _Run) -> None:
    """Read what is ready, within bounds: stdout up to MAX_OUTPUT (then stop: truncated), and
    only the last MAX_STDERR bytes of stderr (it gives the error line; a flood must not fill memory)."""
    for _ in range(_READ_PER_POLL):
        if run.truncated or not run.chan.recv_ready():
            break
        run.out += run.chan.recv(_CHUNK)
        if len(run.out) > MAX_OUTPUT:
            run.truncated = True
    for _ in range(_READ_PER_POLL):
        if not run.chan.recv_stderr_ready():
            break
        run.err += run.chan.recv_stderr(_CHUNK)
        if len(run.err) > MAX_STDERR:
            del run.err[:-MAX_STDERR]


def _finish(run: _Run, ctx: HostContext) -> SourceResult:
    rc: int | None = None
    if not run.truncated and run.chan.status_event.wait(ctx.remaining()):
        while run.chan.recv_stderr_ready() or run.chan.recv_ready():  # after EOF: finite, and capped
            _drain(run)
            if run.truncated:
                break
        rc = run.chan.recv_exit_status()
    run.chan.close()
    output = run.out[:MAX_OUTPUT].decode("utf-8", "replace")
    error = None
    if run.truncated:
        error = f"output exceeded {MAX_OUTPUT // (1024 * 1024)} MiB and was cut"
    elif rc is None:
        error = "the command ended without an exit status"
    elif rc != 0:
        detail = run.err.decode("utf-8", "replace").strip().splitlines()
        error = f"exit status {rc}" + (f": {detail[-1][:300]}" if detail else "")
    return SourceResult(
        command=run.source.command, output=output, rc=rc, collected_at=run.started, truncated=run.truncated, error=error
    )


def _stage(active: Iterable[_Run]) -> str:
    """What the host is waiting for: every channel still open, so a timeout names the one that hung."""
    names = ", ".join(f"`{r.source.name}`" for r in active)
    return f"running {names}" if names else "between commands"


def sudo_failure(target: Target, detail: str) -> str:
    why = f"sudo authentication failed for {target.user} (not retried, to avoid locking the account)"
    return why + (f": {detail}" if detail else "")


def run_sources(
    client: paramiko.SSHClient, sources: Iterable[Source], target: Target, ctx: HostContext
) -> dict[str, SourceResult]:
    results: dict[str, SourceResult] = {}
    pending: list[Source] = []
    for src in sources:
        try:
            command_line(src, target)
            pending.append(src)
        except UnsafeCommand as exc:  # never sent; the source is an error, the rest still runs
            results[src.name] = SourceResult(command=src.command, output="", rc=None, error=str(exc))
    # Privileged sources wait for one sudo check: if it fails, none of them is sent (account lockout).
    privileged = [s for s in pending if uses_sudo(s, target)]
    pending = [s for s in pending if not uses_sudo(s, target)]
    if privileged:
        pending.insert(0, SUDO_PROBE)
    active: dict[paramiko.Channel, _Run] = {}
    limit = PARALLEL_CHANNELS
    try:
        while pending or active:
            ctx.check()
            while pending and len(active) < limit:
                src = pending.pop(0)
                try:
                    run = _start(client, src, target, ctx)
                except paramiko.ChannelException:
                    if not active:
                        raise
                    # sshd's MaxSessions (hardened hosts set it low) or closes it has not seen yet:
                    # run fewer channels at once on this host instead of failing it
                    pending.insert(0, src)
                    limit = max(1, len(active))
                    break
                active[run.chan] = run
                ctx.stage = _stage(active.values())
            ready, _, _ = select.select(list(active), [], [], min(0.5, ctx.remaining()))
            for chan in ready:
                run = active[chan]
                _drain(run)
                if run.truncated or (chan.eof_received and not chan.recv_ready()):
                    del active[chan]
                    result = _finish(run, ctx)
                    ctx.stage = _stage(active.values())
                    if run.source is not SUDO_PROBE:
                        results[run.source.name] = result
                    elif result.rc == 0:
                        pending.extend(privileged)
                    else:
                        detail = run.err.decode("utf-8", "replace").strip().splitlines()
                        error = sudo_failure(target, detail[-1][:300] if detail else result.error or "")
                        for src in privileged:
                            results[src.name] = SourceResult(command=src.command, output="", rc=None, error=error)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise CollectError(ctx.failure(f"SSH session failed while {ctx.stage}: {exc}")) from exc
    finally:
        for chan in active:
            with contextlib.suppress(Exception):
                chan.close()
    return results


def collect(target: Target, sources: list[Source], ctx: HostContext, known: KnownHosts) -> HostEvidence:
    started = now()
    client = connect(target, ctx, known)
    try:
        t0 = time.monotonic()
        results = run_sources(client, sources, target, ctx)
        facts = {
            "address": target.address,
            "port": target.port,
            "user": target.user,
            "seconds": round(time.monotonic() - t0, 3),
        }
        return HostEvidence(host=target.name, platform="linux", sources=results, collected_at=started, facts=facts)
    finally:
        client.close()
