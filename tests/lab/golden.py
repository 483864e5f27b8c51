"""Build (once) and cache the golden Debian 12 rootfs that every lab host overlays.

debootstrap itself installs a ``policy-rc.d`` that exits 101 and a fake start-stop-daemon while it
installs packages, so no service starts; we keep our own ``policy-rc.d`` in the finished rootfs and
verify afterwards that no process runs from inside it.

The golden tree carries no host keys and no authorised client keys: hosts.py writes both per host
(the client key pair is per test session), so one cached tree serves every session.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

SUITE = "bookworm"
PACKAGES = (
    "openssh-server",
    "python3",
    "sudo",
    "iproute2",
    "procps",
    "kmod",
    "nftables",
    "rsyslog",
    "chrony",
    "auditd",
    "libpam-pwquality",
)
LAB_USER = "lab"
LAB_PASSWORD = "lab-Passw0rd"  # for password-auth tests only; the rootfs never leaves the machine
CACHE_ROOT = Path(os.environ.get("PRAKAN_LAB_CACHE", "/var/cache/prakan-lab"))
SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))


class GoldenError(RuntimeError):
    """The golden rootfs could not be built."""


def debian_mirror(sources: tuple[Path, ...] = SOURCES, suite: str = SUITE) -> str:
    """The Debian mirror URI the machine's own apt sources use for `suite` (one-line or deb822)."""
    files: list[Path] = []
    for src in sources:
        if src.is_dir():
            files += sorted(p for p in src.iterdir() if p.suffix in (".list", ".sources"))
        elif src.is_file():
            files.append(src)
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        if f.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(
                    (k.strip().lower(), v.strip())
                    for k, _, v in (ln.partition(":") for ln in stanza.splitlines())
                    if not k.startswith("#") and v
                )
                if "deb" in fields.get("types", "").split() and suite in fields.get("suites", "").split():
                    return fields["uris"].split()[0].rstrip("/")
        else:
            for ln in text.splitlines():
                m = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", ln.strip())
                if m and m.group(2) == suite:
                    return m.group(1).rstrip("/")
    raise GoldenError(f"no Debian mirror for {suite!r} in the machine's apt sources")


def cache_key() -> str:
    """Changes whenever the package list or this build script changes."""
    h = hashlib.sha256()
    h.update(" ".join((SUITE, *PACKAGES)).encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def golden_path() -> Path:
    return CACHE_ROOT / f"golden-{cache_key()}"


def _run(cmd: list[str], **kw: object) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if res.returncode:
        raise GoldenError(f"{' '.join(cmd[:4])} ... failed ({res.returncode}): {res.stderr[-2000:]}")


def _procs_rooted_in(root: Path) -> list[int]:
    """PIDs whose root directory lies inside `root` (a service started by a package postinst)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if Path(os.readlink(d / "root")).is_relative_to(root):
                    found.append(int(d.name))
            except OSError:
                continue
    return found


def _configure(root: Path) -> None:
    """Turn a fresh debootstrap tree into the lab's golden host."""
    policy = root / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\n# prakan lab: never start services from package scripts\nexit 101\n")
    policy.chmod(0o755)
    _run(["chroot", str(root), "useradd", "--create-home", "--shell", "/bin/bash", LAB_USER])
    _run(["chroot", str(root), "chpasswd"], input=f"{LAB_USER}:{LAB_PASSWORD}\n")
    sudoers = root / "etc/sudoers.d" / LAB_USER
    sudoers.write_text(f"{LAB_USER} ALL=(ALL) NOPASSWD:ALL\n")
    sudoers.chmod(0o440)
    for home, owner in ((root / "root", "root"), (root / "home" / LAB_USER, LAB_USER)):
        (home / ".ssh").mkdir(mode=0o700, exist_ok=True)
        _run(["chroot", str(root), "chown", f"{owner}:{owner}", f"/{home.relative_to(root)}/.ssh"])
    # No default route and no resolver in a lab host: name lookups fail fast instead of leaking.
    (root / "etc/resolv.conf").unlink(missing_ok=True)
    (root / "etc/resolv.conf").write_text("nameserver 127.0.0.1\n")
    for key in (root / "etc/ssh").glob("ssh_host_*"):
        key.unlink()
    (root / "etc/hostname").write_text("golden\n")
    # Drop apt caches but keep the directories apt needs to work again.
    for d in (root / "var/lib/apt/lists", root / "var/cache/apt"):
        for p in d.iterdir():
            if p.name != "partial":
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
        (d / "partial").mkdir(exist_ok=True)
    for p in (root / "var/cache/apt/archives", root / "var/log/apt"):
        p.mkdir(parents=True, exist_ok=True)
    (root / "var/cache/apt/archives/partial").mkdir(exist_ok=True)


def build(dest: Path) -> float:
    """debootstrap into a temporary sibling of `dest`, configure it, then rename: atomic."""
    started = time.monotonic()
    tmp = dest.with_name(f".build-{dest.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(PACKAGES)}",
                SUITE,
                str(tmp),
                debian_mirror(),
            ]
        )
        if pids := _procs_rooted_in(tmp):
            raise GoldenError(f"debootstrap left processes running inside the rootfs: {pids}")
        _configure(tmp)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return time.monotonic() - started


def ensure_golden() -> Path:
    """The cached golden rootfs, building it first if needed (serialised by a lock file)."""
    dest = golden_path()
    if dest.is_dir():
        return dest
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    with open(CACHE_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not dest.is_dir():
            build(dest)
    return dest


if __name__ == "__main__":
    t0 = time.monotonic()
    path = ensure_golden()
    print(f"{path} ({time.monotonic() - t0:.1f} s)")
