"""pytest fixtures of the simulated WAN lab. Load with `pytest_plugins = ["lab.fixtures"]`.

Expensive parts are session-scoped (golden rootfs, client key pair, the run's namespace Lab);
hosts and devices are function-scoped factories, so every test gets fresh targets and leaves
nothing behind. Host fixtures skip, saying why, only when the machine cannot run namespaces;
devices need nothing but Python and never skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from . import MINIMAL_IOS, DeviceFactory, HostFactory, fakeios, faults, unavailable
from .golden import ensure_golden
from .hosts import Host, HostSpec, Lab
from .inventory import write_inventory
from .keys import Endpoint, KeyPair, make_keypair


def lab_unavailable() -> str | None:
    """Why namespace hosts cannot run here, or None."""
    if os.geteuid() != 0:
        return "the lab's namespace hosts need root"
    for tool in ("ip", "unshare", "nsenter", "debootstrap", "ssh-keygen", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run scripts/lab-deps.sh)"
    if subprocess.run(["ip", "netns", "list"], capture_output=True).returncode:
        return "`ip netns` does not work on this machine"
    return None


@pytest.fixture(scope="session")
def lab_golden() -> Path:
    reason = lab_unavailable()
    if reason:
        unavailable(reason)
    return ensure_golden()


@pytest.fixture(scope="session")
def lab_keypair(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    return make_keypair(tmp_path_factory.mktemp("lab-keys"))


@pytest.fixture(scope="session")
def lab_net(lab_golden: Path) -> Iterator[Lab]:
    """The session's run of namespace hosts; torn down (and checked clean) at session end."""
    lab = Lab(lab_golden)
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture
def lab_hosts(lab_net: Lab, lab_keypair: KeyPair) -> Iterator[HostFactory]:
    """`lab_hosts(n=1, seeds=None)`: n hosts, or one per HostSpec in `seeds`; gone after the test."""
    mine: list[Host] = []

    def make(n: int = 1, seeds: Sequence[HostSpec] | None = None) -> list[Host]:
        hosts = lab_net.up(list(seeds) if seeds is not None else [HostSpec() for _ in range(n)], lab_keypair.public)
        mine.extend(hosts)
        return hosts

    try:
        yield make
    finally:
        lab_net.remove(mine)


@pytest.fixture
def lab_devices() -> Iterator[DeviceFactory]:
    """`lab_devices(configs)`: configs maps name -> config text, or is a list of DeviceSpec."""
    mine: list[fakeios.Device] = []

    def make(configs: Mapping[str, str] | Sequence[fakeios.DeviceSpec]) -> list[fakeios.Device]:
        specs = (
            [fakeios.DeviceSpec(n, c) for n, c in configs.items()] if isinstance(configs, Mapping) else list(configs)
        )
        devices = fakeios.start(specs)
        mine.extend(devices)
        return devices

    try:
        yield make
    finally:
        for d in mine:
            d.stop()


@pytest.fixture
def lab_inventory(tmp_path: Path, lab_keypair: KeyPair) -> Callable[..., Path]:
    """`lab_inventory(hosts, devices)` -> path of a hosts.yml (with its known_hosts) for them."""

    def write(hosts: Sequence[Host] = (), devices: Sequence[fakeios.Device] = (), **kw: str) -> Path:
        return write_inventory(tmp_path / "inventory", hosts, devices, lab_keypair, **kw)

    return write


# --- faults -----------------------------------------------------------------------------------


@pytest.fixture
def fault_down_host(lab_net: Lab, lab_keypair: KeyPair, tmp_path: Path) -> Iterator[Endpoint]:
    ep = faults.down_host(lab_net, lab_keypair, tmp_path)
    try:
        yield ep
    finally:
        lab_net.remove([h for h in lab_net.hosts if h.address == ep.address])


@pytest.fixture
def fault_wrong_key(lab_hosts: HostFactory, tmp_path: Path) -> Endpoint:
    return faults.wrong_key(lab_hosts(1)[0], tmp_path)


@pytest.fixture
def fault_wrong_password(lab_hosts: HostFactory, tmp_path: Path) -> Endpoint:
    return faults.wrong_password(lab_hosts(1)[0], tmp_path)


@pytest.fixture
def fault_changed_host_key(lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path) -> Endpoint:
    return faults.changed_host_key(lab_hosts(1)[0], lab_keypair, tmp_path)


@pytest.fixture
def fault_wrong_device_password(lab_devices: DeviceFactory, tmp_path: Path) -> Endpoint:
    (dev,) = lab_devices({"RPW": MINIMAL_IOS.format(name="RPW")})
    return faults.wrong_device_password(dev, tmp_path)


def _fault_device(behaviour: str, tmp_path: Path) -> Iterator[Endpoint]:
    dev, ep = faults.fault_device(behaviour, MINIMAL_IOS.format(name=f"F-{behaviour}"), tmp_path)
    try:
        yield ep
    finally:
        dev.stop()


@pytest.fixture
def fault_hanging_device(tmp_path: Path) -> Iterator[Endpoint]:
    yield from _fault_device("hang", tmp_path)


@pytest.fixture
def fault_garbage_device(tmp_path: Path) -> Iterator[Endpoint]:
    yield from _fault_device("garbage", tmp_path)


@pytest.fixture
def fault_silent_device(tmp_path: Path) -> Iterator[Endpoint]:
    yield from _fault_device("silent", tmp_path)
