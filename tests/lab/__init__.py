"""The simulated WAN lab: namespace Linux hosts, simulated IOS devices, faults, fixtures.

Fixtures live in lab/fixtures.py (load with `pytest_plugins = ["lab.fixtures"]`); lab/golden.py
builds the cached Debian 12 rootfs; scripts/lab-deps.sh installs the Debian packages it needs.
"""

from __future__ import annotations

from collections.abc import Callable

from .fakeios import Device
from .hosts import Host

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
