"""Linux collection over paramiko: one SSH connection per host, a few exec channels at a time.

A source that walks file systems (`slow` in sources.yml) gets a channel of its own; the others run
in batches of up to BATCH sources per channel, one after another under one shell and one sudo, each
command's output and exit status closed by a line carrying a random nonce (batch_line). A dozen
commands then cost one process start-up on the host instead of twelve. Channels run a few at a time
on the one connection (sshd allows 10 sessions by default) and are multiplexed with select(), so a
host costs one handshake plus its slowest channel.
Every command runs as `sh -c` with stdin from /dev/null, `LC_ALL=C` and a fixed PATH, so outputs
parse the same everywhere. Sources that need root run through `sudo -n` (or `sudo -S` fed the
become password on stdin, never on the command line) when the host has `ansible_become` set.
sudo is tried once first: when that fails, no other sudo command is sent, so a wrong become
password costs one failed authentication per run, never enough to trip a lockout (faillock).
"""

from __future__ import annotations

import contextlib
import errno
import secrets
import select
import shlex
import socket
import time
from collections.abc import Iterable
from typing import Any

import paramiko

from prakan.collect.base import MAX_OUTPUT, MAX_STDERR, CollectError, HostContext
from prakan.collect.credentials import Target
from prakan.collect.hostkeys import HostKeyError, KnownHosts
from prakan.collect.liblog import route_library_logging
from prakan.evidence import HostEvidence, SourceResult, now
from prakan.sources import Source

route_library_logging()  # paramiko's tracebacks never reach the terminal; reasons say what happened

PARALLEL_CHANNELS = 4
BATCH = 12  # sources per exec channel: one shell and one sudo for a dozen commands, not one each
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
        if "transport shut down or saw EOF" in str(exc) and not ctx.abort_reason:
            # the server hung up before it answered (a restart, MaxStartups, too many keys offered): no
            # verdict on the credentials, so it is retried like a reset connection
            where = f"{target.address}:{target.port}"
            raise CollectError(f"{where} closed the SSH connection during authentication", transient=True) from exc
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


def batch_line(sources: list[Source], nonce: str, target: Target) -> tuple[str, str | None]:
    """One remote command line running `sources` one after another (one sudo for all of them).

    Each command runs in its own `sh -c` exactly as it would alone; after it, a line with the run's
    random nonce, the source's index and its exit status closes its output on stdout (and a line
    with the nonce and index closes its stderr), each preceded by a newline that is not part of the
    output. A host's files cannot contain a nonce chosen for this run, so sections cannot be faked
    by accident; a host that lies can lie in any case."""
    parts = []
    for i, src in enumerate(sources):
        if any(c in src.command for c in "\n\r\0"):
            raise UnsafeCommand(f"refused to send `{src.name}`: its command is not a single line")
        closing = f"printf '\\n%s E {i} %s\\n' {nonce} $?; printf '\\n%s E {i}\\n' {nonce} >&2"
        parts.append(f"sh -c {shlex.quote(src.command)}; {closing}")
    batch = Source(f"({len(sources)} sources)", ("linux",), "; ".join(parts), "text", become=sources[0].become)
    return command_line(batch, target)


def detach_and_close(chan: paramiko.Channel, detached: list[Any]) -> None:
    """Close a channel that may still be receiving (a flood we stopped reading).

    paramiko's select() pipe closes its descriptors before it marks itself closed, so the transport
    thread feeding that channel can write into a closed, or reused, descriptor. The pipe is marked
    closed first (later writes return at once) and its descriptors are closed in `collect` once the
    transport has stopped."""
    pipe = getattr(chan, "_pipe", None)
    if pipe is not None:
        pipe._closed = True
        chan._pipe = None  # type: ignore[attr-defined]
        detached.append(pipe)
    chan.close()


class _Run:
    """One exec channel running one source, or several in a row (a batch) with nonce-framed output."""

    def __init__(self, sources: list[Source], chan: paramiko.Channel, nonce: str = "") -> None:
        self.sources, self.chan, self.nonce = sources, chan, nonce
        self.out = bytearray()
        self.err = bytearray()
        self.started = now()
        self.truncated = False  # stdout of the current source passed MAX_OUTPUT: reading stopped
        self._searched = 0  # bytes of `out` already searched for the current source's closing line
        self.outputs: list[tuple[bytes, int]] = []  # per finished source of a batch: (stdout, exit status)
        self.details: list[str] = []  # per source of a batch whose stderr section closed: its last line

    @property
    def current(self) -> Source:
        return self.sources[min(len(self.outputs), len(self.sources) - 1)]

    @property
    def leftover(self) -> list[Source]:
        """Sources of a batch never run because an earlier one flooded its output (sent again, alone)."""
        return self.sources[len(self.outputs) + 1 :] if self.truncated and self.nonce else []

    def drain(self) -> None:
        """Read what is ready, within bounds: a source's stdout up to MAX_OUTPUT (then stop: truncated),
        and only the last MAX_STDERR bytes of its stderr (it gives the error line)."""
        for _ in range(_READ_PER_POLL):
            if self.truncated or not self.chan.recv_ready():
                break
            self.out += self.chan.recv(_CHUNK)
            self._split_stdout()
            if len(self.out) > MAX_OUTPUT:
                self.truncated = True
        for _ in range(_READ_PER_POLL):
            if not self.chan.recv_stderr_ready():
                break
            self.err += self.chan.recv_stderr(_CHUNK)
            self._split_stderr()
            if len(self.err) > MAX_STDERR:
                del self.err[:-MAX_STDERR]

    def _split_stdout(self) -> None:
        while self.nonce and len(self.outputs) < len(self.sources):
            mark = f"\n{self.nonce} E {len(self.outputs)} ".encode()
            at = self.out.find(mark, max(0, self._searched - len(mark) - 24))  # a large output is searched once
            eol = self.out.find(b"\n", at + len(mark)) if at >= 0 else -1
            if eol < 0:
                self._searched = at if at >= 0 else len(self.out)
                return
            status = bytes(self.out[at + len(mark) : eol])
            self.outputs.append((bytes(self.out[:at]), int(status) if status.isdigit() else -1))
            del self.out[: eol + 1]
            self._searched = 0

    def _split_stderr(self) -> None:
        while self.nonce and len(self.details) < len(self.sources):
            mark = f"\n{self.nonce} E {len(self.details)}\n".encode()
            at = self.err.find(mark)
            if at < 0:
                return
            lines = self.err[:at].decode("utf-8", "replace").strip().splitlines()
            self.details.append(lines[-1][:300] if lines else "")
            del self.err[: at + len(mark)]

    def finish(self, ctx: HostContext, detached: list[Any]) -> dict[str, SourceResult]:
        rc: int | None = None
        if not self.truncated and self.chan.status_event.wait(ctx.remaining()):
            while self.chan.recv_stderr_ready() or self.chan.recv_ready():  # after EOF: finite, and capped
                self.drain()
                if self.truncated:
                    break
            rc = self.chan.recv_exit_status()
        detach_and_close(self.chan, detached)
        if not self.nonce:
            src = self.sources[0]
            return {src.name: self._result(src, bytes(self.out), rc, self.last_err_line())}
        results = {}
        for i, src in enumerate(self.sources):
            if i < len(self.outputs):
                output, status = self.outputs[i]
                results[src.name] = self._result(src, output, status, self.details[i] if i < len(self.details) else "")
            elif i == len(self.outputs) and self.truncated:
                results[src.name] = self._result(src, bytes(self.out), None, "")
            elif not self.truncated:  # the batch ended early (killed, or sudo refused it): no status for these
                results[src.name] = self._result(src, b"", None, self.last_err_line(), batch_rc=rc)
        return results

    def last_err_line(self) -> str:
        lines = self.err.decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:300] if lines else ""

    def _result(
        self, src: Source, out: bytes, rc: int | None, detail: str, batch_rc: int | None = None
    ) -> SourceResult:
        truncated = self.truncated and src is self.current
        error = None
        if truncated:
            error = f"output exceeded {MAX_OUTPUT // (1024 * 1024)} MiB and was cut"
        elif rc is None and batch_rc:
            error = f"exit status {batch_rc}" + (f": {detail}" if detail else "")
        elif rc is None:
            error = "the command ended without an exit status"
        elif rc != 0:
            error = f"exit status {rc}" + (f": {detail}" if detail else "")
        output = out[:MAX_OUTPUT].decode("utf-8", "replace")
        return SourceResult(
            command=src.command, output=output, rc=rc, collected_at=self.started, truncated=truncated, error=error
        )


def _start(client: paramiko.SSHClient, sources: list[Source], target: Target, ctx: HostContext) -> _Run:
    transport = client.get_transport()
    if transport is None or not transport.is_active():
        raise CollectError(ctx.failure("SSH connection closed by the host"))
    nonce = secrets.token_hex(16) if len(sources) > 1 else ""
    line, stdin = batch_line(sources, nonce, target) if nonce else command_line(sources[0], target)
    chan = transport.open_session(timeout=ctx.remaining())
    chan.exec_command(line)
    if stdin is not None:
        chan.sendall(stdin.encode())
    chan.shutdown_write()
    return _Run(sources, chan, nonce)


def _stage(active: Iterable[_Run]) -> str:
    """What the host is waiting for: the source each open channel is running, so a timeout names the one that hung."""
    names = ", ".join(f"`{r.current.name}`" for r in active)
    return f"running {names}" if names else "between commands"


def sudo_failure(target: Target, detail: str) -> str:
    why = f"sudo authentication failed for {target.user} (not retried, to avoid locking the account)"
    return why + (f": {detail}" if detail else "")


def batches(sources: list[Source]) -> list[list[Source]]:
    """Slow sources alone (each beside the others), the rest in batches of the same sudo-ness."""
    out: list[list[Source]] = [[s] for s in sources if s.slow]
    for become in (True, False):
        group = [s for s in sources if not s.slow and s.become == become]
        out += [group[i : i + BATCH] for i in range(0, len(group), BATCH)]
    return out


def run_sources(
    client: paramiko.SSHClient, sources: Iterable[Source], target: Target, ctx: HostContext, detached: list[Any]
) -> dict[str, SourceResult]:
    """Run every source; `detached` receives the select() pipes of closed channels (see detach_and_close)."""
    results: dict[str, SourceResult] = {}
    sendable: list[Source] = []
    for src in sources:
        try:
            command_line(src, target)
            sendable.append(src)
        except UnsafeCommand as exc:  # never sent; the source is an error, the rest still runs
            results[src.name] = SourceResult(command=src.command, output="", rc=None, error=str(exc))
    # Privileged sources wait for one sudo check: if it fails, none of them is sent (account lockout).
    privileged = batches([s for s in sendable if uses_sudo(s, target)])
    pending = batches([s for s in sendable if not uses_sudo(s, target)])
    if privileged:
        pending.insert(0, [SUDO_PROBE])
    active: dict[paramiko.Channel, _Run] = {}
    limit = PARALLEL_CHANNELS
    try:
        while pending or active:
            ctx.check()
            while pending and len(active) < limit:
                batch = pending.pop(0)
                try:
                    run = _start(client, batch, target, ctx)
                except paramiko.ChannelException:
                    if not active:
                        raise
                    # sshd's MaxSessions (hardened hosts set it low) or closes it has not seen yet:
                    # run fewer channels at once on this host instead of failing it
                    pending.insert(0, batch)
                    limit = max(1, len(active))
                    break
                active[run.chan] = run
                ctx.stage = _stage(active.values())
            # Every open channel is drained after each wake-up, not only those select() names: paramiko's
            # stdout/stderr "or" pipe can lose a wake-up when both streams move at once (a batch's
            # stderr lines and its stdout markers), so the timeout is short as well.
            select.select(list(active), [], [], min(0.1, ctx.remaining()))
            for chan, run in list(active.items()):
                run.drain()
                ctx.stage = _stage(active.values())
                if run.truncated or (chan.eof_received and not chan.recv_ready()):
                    del active[chan]
                    done = run.finish(ctx, detached)
                    pending += [[s] for s in run.leftover]
                    ctx.stage = _stage(active.values())
                    if run.sources[0] is not SUDO_PROBE:
                        results.update(done)
                        continue
                    probe = done[SUDO_PROBE.name]
                    if probe.rc == 0:
                        pending.extend(privileged)
                        continue
                    error = sudo_failure(target, run.last_err_line() or probe.error or "")
                    for src in (s for b in privileged for s in b):
                        results[src.name] = SourceResult(command=src.command, output="", rc=None, error=error)
    except (paramiko.SSHException, OSError, EOFError) as exc:
        raise CollectError(ctx.failure(f"SSH session failed while {ctx.stage}: {exc}")) from exc
    finally:
        for chan in active:
            with contextlib.suppress(Exception):
                detach_and_close(chan, detached)
    return results


def collect(target: Target, sources: list[Source], ctx: HostContext, known: KnownHosts) -> HostEvidence:
    started = now()
    client = connect(target, ctx, known)
    detached: list[Any] = []
    try:
        t0 = time.monotonic()
        results = run_sources(client, sources, target, ctx, detached)
        facts = {
            "address": target.address,
            "port": target.port,
            "user": target.user,
            "seconds": round(time.monotonic() - t0, 3),
        }
        return HostEvidence(host=target.name, platform="linux", sources=results, collected_at=started, facts=facts)
    finally:
        client.close()  # stops the transport thread: nothing feeds the detached pipes any more
        for pipe in detached:
            with contextlib.suppress(OSError):
                pipe.close()
