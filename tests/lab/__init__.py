"""The simulated WAN lab: namespace Linux hosts, simulated IOS devices, faults, fixtures.

Fixtures live in lab/fixtures.py (load with `pytest_plugins = ["lab.fixtures"]`); lab/golden.py
builds the cached Debian 12 rootfs; scripts/lab-deps.sh installs the Debian packages it needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import NoReturn

import pytest

from .fakeios import Device
from .hosts import Host


def unavailable(reason: str) -> NoReturn:
    """A test that cannot run here: skipped on a developer's machine, a failure under CI=true
    (CI installs everything the tests need, so a skip there would hide a missing install step)."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"cannot run under CI: {reason}")
    pytest.skip(reason)


HostFactory = Callable[..., list[Host]]
DeviceFactory = Callable[..., list[Device]]

MINIMAL_IOS = """\
!
version 17.9
service timestamps debug datetime msec
service timestamps log datetime msec
hostname {name}
!
interface GigabitEthernet1
 ip address 192.0.2.1 255.255.255.0
!
line vty 0 4
 login local
 transport input ssh
!
end
"""
