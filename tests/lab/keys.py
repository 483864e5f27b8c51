"""Client key pairs, known_hosts files and the connection details the lab hands to tests."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class KeyPair:
    private: Path
    public: str  # "ssh-ed25519 AAAA... comment"


@dataclass(frozen=True)
class Endpoint:
    """Everything a client needs to (try to) log in to one lab target."""

    name: str
    platform: str  # linux | cisco_ios
    address: str
    port: int
    username: str
    known_hosts: Path
    password: str | None = None
    key_file: Path | None = None
    enable_password: str | None = None


def make_keypair(directory: Path, name: str = "lab_ed25519") -> KeyPair:
    directory.mkdir(parents=True, exist_ok=True)
    private = directory / name
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"prakan-{name}", "-f", str(private)],
        check=True,
        capture_output=True,
    )
    return KeyPair(private, private.with_suffix(".pub").read_text().strip())


def write_known_hosts(path: Path, lines: list[str]) -> Path:
    """A known_hosts file in OpenSSH format (`addr key` or `[addr]:port key`), one entry per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{ln}\n" for ln in lines))
    return path
