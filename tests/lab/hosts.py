"""Linux lab hosts: one network namespace per host running real sshd over an overlay of the golden rootfs.

Host i lives at 10.203.i.2/24 (root-namespace end 10.203.i.1) and has no default route, so it can
reach nothing but the machine's end of its veth. Inside ``unshare --mount --uts --ipc --pid`` it gets
its own hostname, its own PID space (sshd is PID 1) and its own root.

Root inside a host must not be able to change the real machine (its kernel, disks or files), so:
the host's root is ``pivot_root``-ed into the overlay with the machine's mounts detached (a chroot
would be escaped by root in one syscall); /dev is a tmpfs holding only null, zero, full, random,
urandom, tty and a private devpts (no block devices); /sys is read-only, and so is every global
/proc entry, /proc/sys included, except the per-namespace /proc/sys/net; and sshd starts with a
capability bounding set of :data:`KEEP_CAPS` only (no sys_admin, so none of this can be remounted).

Everything a run creates carries the run id: netns ``plab-<run>-<i>``, veth ``pl<run><i>``, state
under ``/var/tmp/prakan-lab/<run>/``. A run directory whose owner process is gone belongs to a
crashed run and is swept by :func:`cleanup_stale`; live runs of other sessions are left alone.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

STATE_ROOT = Path(os.environ.get("PRAKAN_LAB_STATE", "/var/tmp/prakan-lab"))
NETNS_PREFIX = "plab-"
VETH_PREFIX = "pl"
SUBNET = ipaddress.ip_network("10.203.0.0/16")
ALLOC_LOCK = Path("/run/prakan-lab.lock")

Seed = Callable[[Path], None]


class LabError(RuntimeError):
    """A lab host could not be brought up."""


def run(*cmd: str, check: bool = True, input: str | None = None) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, capture_output=True, text=True, input=input)
    if check and res.returncode:
        raise LabError(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr.strip()}")
    return res


@dataclass
class HostSpec:
    """What to seed into one host before its sshd starts.

    ``files`` maps absolute paths inside the host to content; ``seed`` is called with the host's
    merged root for anything more (permissions, deletions). sysctl.d files seeded this way have
    their net.* keys applied at start, as the boot would (only net.* is writable in a host).
    """

    name: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    seed: Seed | None = None
    sshd: bool = True  # False: the address answers but nothing listens (a "down" host)


@dataclass
class Host:
    name: str
    index: int
    netns: str
    veth: str
    dir: Path
    sshd: bool
    host_key: str = ""  # "ssh-ed25519 AAAA..." of the host's current key
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"10.203.{self.index}.2"

    @property
    def gateway(self) -> str:
        return f"10.203.{self.index}.1"

    @property
    def port(self) -> int:
        return 22

    @property
    def root(self) -> Path:
        """The host's filesystem, readable and writable from the machine (an overlay mount)."""
        return self.dir / "merged"

    @property
    def upper(self) -> Path:
        """Exactly the files this host changed relative to the golden rootfs."""
        return self.dir / "upper"

    def known_hosts_line(self) -> str:
        return f"{self.address} {self.host_key}"

    def pids(self) -> list[int]:
        out = run("ip", "netns", "pids", self.netns, check=False).stdout
        return [int(p) for p in out.split()]

    def init_pid(self) -> int:
        """Machine-side PID of the host's PID 1 (sshd), never the unshare process that started it.

        Entering the wrong process (unshare lives in the machine's mount namespace) would run a
        command against the real machine's /proc/sys, so the namespaces are checked as well.
        """
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                nspid = next(ln.split()[1:] for ln in status.splitlines() if ln.startswith("NSpid:"))
                own_mnt = os.readlink(f"/proc/{pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt")
            except (OSError, StopIteration):
                continue
            if len(nspid) > 1 and nspid[-1] == "1" and own_mnt:
                return pid
        raise LabError(f"{self.name}: its PID 1 is not running")

    def exec(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command inside the host: all its namespaces and its root, as its sshd sees them."""
        init = str(self.init_pid())
        return run("nsenter", "-t", init, "-m", "-u", "-n", "-p", "-r", "-w", *cmd, check=check)

    def rekey(self) -> str:
        """Give the host a new ed25519 host key and make sshd use it (SIGHUP re-execs sshd)."""
        self.host_key = _new_host_key(self.root, self.name)
        os.kill(self.init_pid(), signal.SIGHUP)
        time.sleep(0.2)  # sshd closes its listener while it re-execs
        _wait_ssh([self])
        return self.host_key


def _new_host_key(root: Path, name: str) -> str:
    key = root / "etc/ssh/ssh_host_ed25519_key"
    for p in (key, key.with_suffix(".pub")):
        p.unlink(missing_ok=True)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"root@{name}", "-f", str(key))
    kind, blob = key.with_suffix(".pub").read_text().split()[:2]
    return f"{kind} {blob}"


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


# What root keeps inside a host: enough for sshd privilege separation (chroot, setuid), PAM, sudo,
# file ownership and the host's own network stack (net.* sysctls, nft). Everything else
# (sys_admin, sys_module, sys_rawio, mknod, sys_time, sys_boot, syslog, bpf, perfmon,
# dac_read_search, sys_ptrace, ...) leaves the bounding set, so no process in the host can regain it.
KEEP_CAPS = (
    "chown",
    "dac_override",
    "fowner",
    "fsetid",
    "kill",
    "setgid",
    "setuid",
    "setfcap",
    "net_bind_service",
    "net_broadcast",
    "net_admin",
    "net_raw",
    "sys_chroot",
    "audit_write",
)
DEV_NODES = ("null", "zero", "full", "random", "urandom", "tty")


def _start_script(host: Host) -> str:
    """The shell run as PID 1 of the host's PID namespace; it ends by exec'ing sshd with few capabilities.

    All mounts happen first, while the shell still has every capability; then the root moves into
    the overlay and the machine's mounts are detached; only then are capabilities dropped.
    """
    m = _sh_quote(str(host.root))
    steps = [
        "set -e",
        f"hostname {_sh_quote(host.name)}",
        # A minimal /dev: the harmless character devices bound from the machine, a private devpts.
        f"mount -t tmpfs -o nosuid,noexec,mode=0755,size=64k tmpfs {m}/dev",
        f"for d in {' '.join(DEV_NODES)}; do : >{m}/dev/$d; mount --bind /dev/$d {m}/dev/$d; done",
        f"mkdir {m}/dev/pts {m}/dev/shm",
        f"mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5,nosuid,noexec devpts {m}/dev/pts",
        f"ln -s pts/ptmx {m}/dev/ptmx",
        f"mount -t tmpfs -o nosuid,nodev,mode=1777,size=64m tmpfs {m}/dev/shm",
        f"ln -s /proc/self/fd {m}/dev/fd",
        *(f"ln -s /proc/self/fd/{i} {m}/dev/{n}" for i, n in enumerate(("stdin", "stdout", "stderr"))),
        f"mount -t proc -o nosuid,nodev,noexec proc {m}/proc",
        # /proc/sys read-only except the per-namespace /proc/sys/net: protects the real kernel.
        f"mount --bind {m}/proc/sys {m}/proc/sys",
        f"mount --bind {m}/proc/sys/net {m}/proc/sys/net",
        f"mount -o remount,bind,ro {m}/proc/sys",
        # Every other global /proc entry that takes writes (sysrq-trigger, irq, acpi, ...) read-only
        # too; the per-process /proc/PID stay writable (sshd and PAM write their own).
        f"find {m}/proc -mindepth 1 -maxdepth 1 ! -type l ! -name '[0-9]*' ! -name sys"
        " \\( -type d -o -perm /222 \\) -exec mount --bind -o ro {} {} \\;",
        f"mount -t sysfs -o ro,nosuid,nodev,noexec sysfs {m}/sys",
        f"mount -t tmpfs -o nosuid,nodev,mode=0755,size=64m tmpfs {m}/run",
        f"mkdir -p {m}/run/sshd {m}/run/lock",
        # pam_loginuid must set the login uid; without audit_control that works only if it is unset.
        "echo 4294967295 >/proc/self/loginuid 2>/dev/null || true",
        # The overlay becomes /, and the machine's whole mount tree is detached from this namespace.
        f"cd {m}",
        "pivot_root . mnt",
        "umount -l /mnt",
        "cd /",
        # As at boot: apply sysctl.d; kernel.* keys fail (read-only), net.* keys land in this netns.
        "/usr/sbin/sysctl -q --system >/dev/null 2>&1 || true",
    ]
    caps = ",".join(f"+{c}" for c in KEEP_CAPS)
    drop = f"exec setpriv --inh-caps=-all --bounding-set=-all,{caps} --"
    if not host.sshd:
        return "\n".join([*steps, f"{drop} sleep infinity"])
    return "\n".join([*steps, f"{drop} /usr/sbin/sshd -D -E /var/log/sshd.log"])


def _wait_ssh(hosts: Iterable[Host], timeout: float = 15.0) -> None:
    """Wait until each host's sshd sends its SSH banner."""
    deadline = time.monotonic() + timeout
    for h in hosts:
        while True:
            if h.proc is not None and h.proc.poll() is not None:
                log = h.root / "var/log/sshd.log"
                tail = log.read_text(errors="replace")[-1000:] if log.exists() else ""
                raise LabError(f"{h.name}: namespace init exited {h.proc.returncode}: {tail}")
            try:
                with socket.create_connection((h.address, 22), timeout=1) as s:
                    s.settimeout(2)
                    if s.recv(64).startswith(b"SSH-2.0-"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise LabError(f"{h.name}: sshd did not listen on {h.address}:22 within {timeout} s")
            time.sleep(0.02)


def _used_indices() -> set[int]:
    """Third octets of 10.203.x.0/24 already configured in the root namespace (any run)."""
    out = run("ip", "-o", "-4", "addr", "show").stdout
    used = set()
    for tok in out.split():
        with contextlib.suppress(ValueError):
            iface = ipaddress.ip_interface(tok)
            if iface.ip in SUBNET:
                used.add(int(str(iface.ip).split(".")[2]))
    return used


def _owner_alive(run_dir: Path) -> bool:
    try:
        pid, start = (run_dir / "owner").read_text().split()
        return _proc_start(int(pid)) == start
    except (OSError, ValueError):
        return False


def _proc_start(pid: int) -> str:
    """Start time of `pid` (field 22 of /proc/PID/stat): tells a live owner from a reused PID."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat.rsplit(")", 1)[1].split()[19]


class Lab:
    """One test run's hosts. Use as a context manager, or call :meth:`down` in a finally block."""

    def __init__(self, golden: Path, run_id: str | None = None) -> None:
        self.golden = golden
        self.run_id = run_id or secrets.token_hex(2)
        self.dir = STATE_ROOT / self.run_id
        self.hosts: list[Host] = []
        self._authorized_keys = ""
        cleanup_stale()
        self.dir.mkdir(parents=True, exist_ok=False)
        (self.dir / "owner").write_text(f"{os.getpid()} {_proc_start(os.getpid())}\n")
        atexit.register(self.down)

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    def up(self, specs: Iterable[HostSpec], authorized_key: str) -> list[Host]:
        """Bring up one host per spec; returns them once every sshd answers."""
        specs = list(specs)
        new: list[Host] = []
        try:
            with open(ALLOC_LOCK, "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # index allocation is machine-wide
                free = iter(i for i in range(1, 255) if i not in _used_indices())
                for spec in specs:
                    i = next(free, None)
                    if i is None:
                        raise LabError("no free 10.203.x.0/24 subnet left")
                    host = Host(
                        name=spec.name or f"h{i}",
                        index=i,
                        netns=f"{NETNS_PREFIX}{self.run_id}-{i}",
                        veth=f"{VETH_PREFIX}{self.run_id}{i}",
                        dir=self.dir / f"h{i}",
                        sshd=spec.sshd,
                    )
                    self.hosts.append(host)
                    new.append(host)
                    self._network(host)
            for host, spec in zip(new, specs, strict=True):
                self._rootfs(host, spec, authorized_key)
                with open(host.dir / "init.log", "wb") as log:
                    host.proc = subprocess.Popen(
                        [
                            "ip",
                            "netns",
                            "exec",
                            host.netns,
                            "unshare",
                            "--mount",
                            "--uts",
                            "--ipc",
                            "--pid",
                            "--fork",
                            "--kill-child",
                            "--propagation",
                            "private",
                            "sh",
                            "-c",
                            _start_script(host),
                        ],
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=log,
                    )
            _wait_ssh(h for h in new if h.sshd)
        except BaseException:
            for h in new:
                self._down_host(h)
            raise
        return new

    def _network(self, h: Host) -> None:
        peer = f"{h.veth}n"
        run("ip", "netns", "add", h.netns)
        run("ip", "link", "add", h.veth, "type", "veth", "peer", "name", peer)
        run("ip", "link", "set", peer, "netns", h.netns)
        run("ip", "-n", h.netns, "link", "set", peer, "name", "eth0")
        run("ip", "addr", "add", f"{h.gateway}/24", "dev", h.veth)
        run("ip", "link", "set", h.veth, "up")
        run("ip", "-n", h.netns, "addr", "add", f"{h.address}/24", "dev", "eth0")
        run("ip", "-n", h.netns, "link", "set", "eth0", "up")
        run("ip", "-n", h.netns, "link", "set", "lo", "up")  # no default route: on purpose

    def _rootfs(self, h: Host, spec: HostSpec, authorized_key: str) -> None:
        for sub in ("upper", "work", "merged"):
            (h.dir / sub).mkdir(parents=True, exist_ok=True)
        run(
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            f"nodev,lowerdir={self.golden},upperdir={h.upper},workdir={h.dir / 'work'}",
            str(h.root),
        )
        r = h.root
        (r / "etc/hostname").write_text(f"{h.name}\n")
        (r / "etc/hosts").write_text(f"127.0.0.1\tlocalhost\n{h.address}\t{h.name}\n")
        h.host_key = _new_host_key(r, h.name)
        for home in ("root", "home/lab"):
            ak = r / home / ".ssh/authorized_keys"
            ak.write_text(authorized_key.strip() + "\n")
            st = ak.parent.stat()
            os.chown(ak, st.st_uid, st.st_gid)
            ak.chmod(0o600)
        for path, content in spec.files.items():
            target = r / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        if spec.seed:
            spec.seed(r)

    def _down_host(self, h: Host) -> None:
        pids = h.pids()
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + 1.0
            while (pids := h.pids()) and time.monotonic() < deadline:
                time.sleep(0.02)
            if not pids:
                break
        if h.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                h.proc.wait(timeout=5)
        _remove_net(h.netns, h.veth)
        _remove_dir(h.dir)
        if h in self.hosts:
            self.hosts.remove(h)

    def remove(self, hosts: Iterable[Host]) -> None:
        """Tear down some hosts of this run (a test's own), leaving the rest up."""
        for h in list(hosts):
            self._down_host(h)

    def down(self) -> None:
        """Tear every host of this run down; safe to call twice."""
        for h in list(self.hosts):
            self._down_host(h)
        _remove_dir(self.dir)


def _remove_net(netns: str, veth: str) -> None:
    run("ip", "link", "del", veth, check=False)  # usually already gone with the netns
    run("ip", "netns", "del", netns, check=False)


def _remove_dir(d: Path) -> None:
    """Unmount anything mounted under `d` (deepest first), then delete it."""
    if not d.exists():
        return
    prefix = str(d.resolve()) + "/"
    mounts = [ln.split()[1] for ln in Path("/proc/self/mounts").read_text().splitlines()]
    for mnt in sorted((m for m in mounts if m.startswith(prefix)), key=len, reverse=True):
        if run("umount", mnt, check=False).returncode:
            run("umount", "-l", mnt, check=False)
    shutil.rmtree(d, ignore_errors=True)


def cleanup_stale() -> list[str]:
    """Remove what crashed runs of this lab left: only run dirs whose owner is dead, and their netns."""
    removed: list[str] = []
    live = set()
    if STATE_ROOT.is_dir():
        for rd in STATE_ROOT.iterdir():
            if rd.is_dir() and _owner_alive(rd):
                live.add(rd.name)
    for ns in run("ip", "netns", "list", check=False).stdout.split("\n"):
        name = ns.split(" ")[0]
        if not name.startswith(NETNS_PREFIX):
            continue
        run_id, _, idx = name[len(NETNS_PREFIX) :].partition("-")
        if run_id in live:
            continue
        for pid in run("ip", "netns", "pids", name, check=False).stdout.split():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)
        _remove_net(name, f"{VETH_PREFIX}{run_id}{idx}")
        removed.append(name)
    if STATE_ROOT.is_dir():
        for rd in STATE_ROOT.iterdir():
            if rd.is_dir() and rd.name not in live:
                _remove_dir(rd)
                removed.append(str(rd))
    return removed


def leftovers(run_id: str) -> list[str]:
    """Anything of run `run_id` still present on the machine (netns, veth, mounts, state dir)."""
    found = [ns for ns in run("ip", "netns", "list").stdout.split() if ns.startswith(f"{NETNS_PREFIX}{run_id}-")]
    links = run("ip", "-o", "link", "show").stdout
    found += [f"veth {w}" for w in links.split() if w.startswith(f"{VETH_PREFIX}{run_id}")]
    d = str(STATE_ROOT / run_id)
    found += [ln for ln in Path("/proc/self/mounts").read_text().splitlines() if d in ln]
    if Path(d).exists():
        found.append(d)
    return found
