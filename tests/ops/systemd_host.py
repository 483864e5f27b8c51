"""A scanning host with systemd as its init, for the nightly job's round trip: a debootstrapped
Debian 12 booted with `systemd-nspawn --boot` (reference/lab-recipe.md section 8), its sshd on a
free port of 127.0.0.1 only. It shares the machine's network namespace (so it reaches simulated
devices on loopback) but has its own mount, PID, IPC and UTS namespaces and no CAP_NET_ADMIN.

The rootfs is built once and cached (PRAKAN_LAB_CACHE, default /var/cache/prakan-lab); each host
boots from a fresh copy that is removed with it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from lab.golden import CACHE_ROOT, SUITE, _procs_rooted_in, debian_mirror

PACKAGES = ("systemd-sysv", "dbus", "openssh-server", "python3", "procps", "util-linux", "sudo")
BUILD = 1  # bump when ensure_rootfs() changes what it builds


class SystemdHostError(RuntimeError):
    pass


def unavailable() -> str | None:
    if os.geteuid() != 0:
        return "a systemd-nspawn host needs root"
    for tool in ("systemd-nspawn", "debootstrap", "nsenter", "ssh-keygen"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/lab-deps.sh installs systemd-container)"
    return None


def _key() -> str:
    return hashlib.sha256(" ".join((SUITE, *PACKAGES, str(BUILD))).encode()).hexdigest()[:16]


def ensure_rootfs() -> Path:
    dest = CACHE_ROOT / f"ops-systemd-{_key()}"
    if dest.is_dir():
        return dest
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    with open(CACHE_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if dest.is_dir():
            return dest
        tmp = dest.with_name(f".build-{dest.name}-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            res = subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={','.join(PACKAGES)}",
                    SUITE,
                    str(tmp),
                    debian_mirror(),
                ],
                capture_output=True,
                text=True,
                timeout=1200,
            )
            if res.returncode:
                raise SystemdHostError(f"debootstrap failed: {res.stderr[-2000:]}")
            if pids := _procs_rooted_in(tmp):
                raise SystemdHostError(f"debootstrap left processes running inside the rootfs: {pids}")
            (tmp / "etc/resolv.conf").write_text("nameserver 127.0.0.1\n")
            # nothing in the container may touch the machine's network configuration
            for unit in ("systemd-networkd.service", "systemd-resolved.service", "systemd-timesyncd.service"):
                (tmp / "etc/systemd/system" / unit).unlink(missing_ok=True)
                (tmp / "etc/systemd/system" / unit).symlink_to("/dev/null")
            tmp.rename(dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SystemdHost:
    """One booted container; `with` it, or call stop()."""

    def __init__(self, workdir: Path, authorized_key: str) -> None:
        self.root = workdir / "rootfs"
        self.port = _free_port()
        self.root.mkdir(parents=True)
        subprocess.run(["cp", "-a", f"{ensure_rootfs()}/.", str(self.root)], check=True)
        ssh = self.root / "etc/ssh"
        for old in ssh.glob("ssh_host_*"):
            old.unlink()
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(ssh / "ssh_host_ed25519_key")], check=True
        )
        (ssh / "sshd_config.d").mkdir(exist_ok=True)
        (ssh / "sshd_config.d/lab.conf").write_text(
            f"ListenAddress 127.0.0.1\nPort {self.port}\nHostKey /etc/ssh/ssh_host_ed25519_key\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
        )
        (self.root / "root/.ssh").mkdir(mode=0o700, exist_ok=True)
        (self.root / "root/.ssh/authorized_keys").write_text(authorized_key.strip() + "\n")
        self.host_key = (ssh / "ssh_host_ed25519_key.pub").read_text().split()[:2]
        self.log = (workdir / "boot.log").open("w")
        self.proc = subprocess.Popen(
            [
                "systemd-nspawn",
                "-q",
                "-D",
                str(self.root),
                "--boot",
                "--register=no",
                "--keep-unit",
                f"--machine=prakan-ops-{self.port}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def known_hosts_line(self) -> str:
        return f"[127.0.0.1]:{self.port} {' '.join(self.host_key)}"

    def leader(self) -> str:
        kids = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        if not kids:
            raise SystemdHostError("the container has no init process")
        return kids[0]

    def exec(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            ["nsenter", "-t", self.leader(), "-m", "-u", "-i", "-p", "-r", "-w", *cmd],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check and res.returncode:
            raise SystemdHostError(f"{cmd}: {res.returncode}: {res.stderr[-2000:]}")
        return res

    def _wait(self, timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise SystemdHostError(f"systemd-nspawn exited {self.proc.returncode}")
            try:
                state = self.exec("systemctl", "is-system-running", check=False).stdout.strip()
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    banner = s.recv(64)
                if state in ("running", "degraded") and banner.startswith(b"SSH-"):
                    return
            except (OSError, SystemdHostError):
                pass
            time.sleep(0.5)
        raise SystemdHostError(f"the container did not boot with sshd on port {self.port} in {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.exec("systemctl", "poweroff", check=False)
                self.proc.wait(timeout=60)
            except (subprocess.TimeoutExpired, SystemdHostError):
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self.log.close()
        if not _procs_rooted_in(self.root):
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> SystemdHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
