"""Lab hosts that boot systemd as PID 1 (``systemd-nspawn --boot``), for playbook round trips.

A hardening playbook needs what a real server has: a service manager for its handlers and a
package source. So these hosts differ from the plain lab hosts (hosts.py, sshd as PID 1):

* their golden rootfs has systemd-sysv and dbus, and no policy-rc.d: installing a package starts
  its service, as on a real server. It deliberately lacks what the hardening installs (auditd,
  chrony, rsyslog, nftables, libpam-pwquality, aide, logrotate) and carries the telnet client (a gap to remove);
* those packages come from a local Debian repository built here from Debian's packages
  (``apt-get install --download-only`` inside the golden tree, then ``dpkg-scanpackages`` and
  ``apt-ftparchive release``), cached beside the golden, and bind-mounted read-only into every
  host at :data:`REPO_MOUNT`, the way an air-gapped ministry uses its own mirror. The hosts have
  no other apt source and no route anywhere;
* each host boots with ``systemd-nspawn --boot`` joined to its lab network namespace (lab-recipe
  section 8). ``SYSTEMD_NSPAWN_API_VFS_WRITABLE=network`` keeps /proc/sys read-only except the
  per-namespace /proc/sys/net, so a kernel.* sysctl written inside never reaches the machine.

What such a container cannot show: auditd cannot run (no kernel audit in a container), chronyd
does not start (its unit needs CAP_SYS_TIME), and kernel.* / fs.* sysctls are persisted in
sysctl.d but not applied. The files are still there for the scan to check.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from .golden import CACHE_ROOT, SUITE, GoldenError, _configure, _procs_rooted_in, _run, debian_mirror
from .hosts import Host, HostSpec, Lab, LabError, _wait_ssh

PACKAGES = (
    "systemd-sysv",
    "dbus",
    "openssh-server",
    "python3",
    "python3-apt",
    "sudo",
    "iproute2",
    "procps",
    "kmod",
    "telnet",  # a gap the sample department has: the hardening removes it
)
# What the hardening playbook installs; served by the local repository, absent from the golden tree.
REPO_PACKAGES = ("auditd", "chrony", "rsyslog", "nftables", "libpam-pwquality", "aide", "aide-common", "logrotate")
REPO_MOUNT = "/srv/prakan-repo"
REPO_LINE = f"deb [trusted=yes] file:{REPO_MOUNT} ./"
BOOT_TIMEOUT = 60.0
BUILD_REVISION = "1"  # raise when build() changes what it makes


def cache_key() -> str:
    h = hashlib.sha256()
    h.update(" ".join((SUITE, *PACKAGES, "|", *REPO_PACKAGES)).encode())
    h.update(BUILD_REVISION.encode())
    return h.hexdigest()[:16]


def golden_path() -> Path:
    return CACHE_ROOT / f"golden-systemd-{cache_key()}"


def repo_path() -> Path:
    return CACHE_ROOT / f"debrepo-{cache_key()}"


def nspawn_unavailable() -> str | None:
    if shutil.which("systemd-nspawn") is None:
        return "systemd-nspawn is not installed (run scripts/lab-deps.sh: package systemd-container)"
    for tool in ("dpkg-scanpackages", "apt-ftparchive"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run scripts/lab-deps.sh: packages dpkg-dev, apt-utils)"
    return None


def _build_repo(root: Path, repo: Path) -> None:
    """Download REPO_PACKAGES and what they need beyond the golden tree; index them as a flat repo."""
    _run(["chroot", str(root), "apt-get", "-q", "update"])
    _run(
        [
            "chroot",
            str(root),
            "apt-get",
            "-q",
            "-y",
            "--no-install-recommends",
            "--download-only",
            "install",
            *REPO_PACKAGES,
        ]
    )
    archives = root / "var/cache/apt/archives"
    debs = sorted(archives.glob("*.deb"))
    if not debs:
        raise GoldenError("the local repository would be empty: apt downloaded no package")
    repo.mkdir(parents=True)
    for deb in debs:
        shutil.move(str(deb), repo / deb.name)
    packages = subprocess.run(
        ["dpkg-scanpackages", "--multiversion", "."], cwd=repo, capture_output=True, check=True
    ).stdout
    (repo / "Packages").write_bytes(packages)
    release = subprocess.run(["apt-ftparchive", "release", "."], cwd=repo, capture_output=True, check=True).stdout
    (repo / "Release").write_bytes(release)


def build(golden: Path, repo: Path) -> float:
    started = time.monotonic()
    tmp = golden.with_name(f".build-{golden.name}-{os.getpid()}")
    tmp_repo = repo.with_name(f".build-{repo.name}-{os.getpid()}")
    for d in (tmp, tmp_repo):
        shutil.rmtree(d, ignore_errors=True)
    try:
        _run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(tmp), debian_mirror()])
        if pids := _procs_rooted_in(tmp):
            raise GoldenError(f"debootstrap left processes running inside the rootfs: {pids}")
        _build_repo(tmp, tmp_repo)
        _configure(tmp)
        # A real server: package scripts start their services. The only apt source is the one the
        # playbook configures (linux_baseline_apt_repository).
        (tmp / "usr/sbin/policy-rc.d").unlink()
        (tmp / "etc/apt/sources.list").write_text("")
        # No console login prompt on the container's console; nothing else is masked.
        (tmp / "etc/systemd/system/console-getty.service").symlink_to("/dev/null")
        machine_id = tmp / "etc/machine-id"
        machine_id.write_text("")
        tmp_repo.rename(repo)
        tmp.rename(golden)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(tmp_repo, ignore_errors=True)
    return time.monotonic() - started


def ensure_golden() -> tuple[Path, Path]:
    """(golden rootfs, local repository), building both first if needed (serialised by a lock file)."""
    golden, repo = golden_path(), repo_path()
    if golden.is_dir() and repo.is_dir():
        return golden, repo
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    with open(CACHE_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (golden.is_dir() and repo.is_dir()):
            shutil.rmtree(golden, ignore_errors=True)
            shutil.rmtree(repo, ignore_errors=True)
            build(golden, repo)
    return golden, repo


class NspawnLab(Lab):
    """Like :class:`Lab`, but each host boots systemd in ``systemd-nspawn`` with the local repo bound in."""

    def __init__(self, golden: Path, repo: Path, run_id: str | None = None) -> None:
        super().__init__(golden, run_id)
        self.repo = repo

    def up(self, specs: Iterable[HostSpec], authorized_key: str) -> list[Host]:
        specs = list(specs)
        new: list[Host] = []
        try:
            from .hosts import ALLOC_LOCK, NETNS_PREFIX, VETH_PREFIX, _used_indices

            with open(ALLOC_LOCK, "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
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
                        sshd=True,
                    )
                    self.hosts.append(host)
                    new.append(host)
                    self._network(host)
            for host, spec in zip(new, specs, strict=True):
                self._rootfs(host, spec, authorized_key)
                env = {**os.environ, "SYSTEMD_NSPAWN_API_VFS_WRITABLE": "network", "SYSTEMD_LOG_COLOR": "0"}
                with open(host.dir / "init.log", "wb") as log:
                    host.proc = subprocess.Popen(
                        [
                            "systemd-nspawn",
                            "-D",
                            str(host.root),
                            "--boot",
                            f"--machine={host.netns}",
                            f"--hostname={host.name}",
                            f"--network-namespace-path=/run/netns/{host.netns}",
                            "--register=no",
                            "--keep-unit",
                            "--console=read-only",
                            "-q",
                            "--capability=CAP_NET_ADMIN",
                            f"--bind-ro={self.repo}:{REPO_MOUNT}",
                        ],
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=log,
                        env=env,
                    )
            _wait_ssh(new, timeout=BOOT_TIMEOUT)
            # sshd answers before the boot is over, and a login then can be hung up on: wait for the end of it
            for host in new:
                host.exec("timeout", str(int(BOOT_TIMEOUT)), "systemctl", "is-system-running", "--wait", check=False)
        except BaseException:
            for h in new:
                self._down_host(h)
            raise
        return new

    def _down_host(self, h: Host) -> None:
        """Power the container off (SIGTERM to nspawn halts systemd cleanly), then sweep what is left."""
        if h.proc is not None and h.proc.poll() is None:
            h.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                h.proc.wait(timeout=20)
            if h.proc.poll() is None:
                h.proc.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    h.proc.wait(timeout=5)
        super()._down_host(h)


def systemctl(host: Host, *args: str) -> subprocess.CompletedProcess[str]:
    """`systemctl ARGS` inside a booted host (unchecked)."""
    return host.exec("systemctl", *args, check=False)


if __name__ == "__main__":
    t0 = time.monotonic()
    g, r = ensure_golden()
    print(f"{g}\n{r} ({time.monotonic() - t0:.1f} s)")
