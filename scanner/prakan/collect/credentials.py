"""Connection settings of one host, from its merged Ansible variables.

Honours what Ansible honours for these connections: ansible_host, ansible_port, ansible_user,
ansible_ssh_private_key_file, ansible_password (ansible_ssh_pass), ansible_become and
ansible_become_password (ansible_become_pass). Vault values arrive decrypted when the inventory was
loaded with a vault password file; still encrypted, they are an error that says so. A value that is
a single-variable template (`"{{ vault_ios_password }}"`, the usual vault indirection) is resolved
from the host's own variables; anything more elaborate is refused rather than guessed.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prakan.inventory.model import Vaulted

_REF = re.compile(r"^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$")
_TRUE = {"true", "yes", "on", "1", "y", "t"}


class CredentialError(ValueError):
    """A connection variable is missing, encrypted without a password, or not understood."""


@dataclass(frozen=True)
class Target:
    name: str
    platform: str
    address: str
    port: int
    user: str
    password: str | None = None
    key_file: str | None = None
    become: bool = False
    become_password: str | None = None

    def __repr__(self) -> str:  # never print secrets in tracebacks or logs
        return f"Target({self.name!r}, {self.platform}, {self.user}@{self.address}:{self.port})"


def _value(hostvars: Mapping[str, Any], name: str, depth: int = 0) -> Any:
    value = hostvars.get(name)
    if value is None:
        return None
    if isinstance(value, Vaulted):
        raise CredentialError(f"{name} is vault-encrypted: pass --vault-password-file to decrypt it")
    if isinstance(value, str) and "{{" in value:
        m = _REF.match(value.strip())
        if not m or depth > 5:
            raise CredentialError(f"{name}: only a plain value or a single '{{{{ variable }}}}' reference is supported")
        if m.group(1) not in hostvars:
            raise CredentialError(f"{name} refers to undefined variable {m.group(1)}")
        return _value(hostvars, m.group(1), depth + 1)
    return value


def _text(hostvars: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = _value(hostvars, name)
        if value is not None and str(value) != "":
            return str(value)
    return None


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE


def target_for(name: str, platform: str, address: str, hostvars: Mapping[str, Any]) -> Target:
    port_text = _text(hostvars, "ansible_port", "ansible_ssh_port") or "22"
    try:
        port = int(port_text)
    except ValueError as exc:
        raise CredentialError(f"ansible_port {port_text!r} is not a number") from exc
    if not 0 < port < 65536:
        raise CredentialError(f"ansible_port {port} is out of range")
    user = _text(hostvars, "ansible_user", "ansible_ssh_user")
    if user is None:
        if platform != "linux":
            raise CredentialError("ansible_user is not set (network devices need an explicit login)")
        user = getpass.getuser()  # what ssh (and so Ansible) does
    key_file = _text(hostvars, "ansible_ssh_private_key_file", "ansible_private_key_file")
    return Target(
        name=name,
        platform=platform,
        address=address,
        port=port,
        user=user,
        password=_text(hostvars, "ansible_password", "ansible_ssh_pass", "ansible_ssh_password"),
        key_file=os.path.expanduser(key_file) if key_file else None,
        become=_bool(_value(hostvars, "ansible_become") or False),
        become_password=_text(hostvars, "ansible_become_password", "ansible_become_pass"),
    )
