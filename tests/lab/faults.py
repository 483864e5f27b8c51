"""Misbehaving lab targets, each paired with the client-side failure it should produce.

| fault                 | how                                                    | paramiko/netmiko sees             |
|-----------------------|--------------------------------------------------------|-----------------------------------|
| down host             | netns + address, nothing listens on :22                | connection refused                |
| wrong key             | live host, client key not in authorized_keys           | AuthenticationException           |
| wrong password        | live host or device, bad password                      | AuthenticationException           |
| changed host key      | live host re-keyed after its first key was recorded    | BadHostKeyException               |
| hanging device        | sends half of `show running-config`, then stalls open  | netmiko ReadTimeout               |
| garbage device        | authenticates, then noise with no prompt, forever      | netmiko ReadTimeout (no prompt)   |
| silent device         | TCP accepts, no SSH banner                             | paramiko SSHException             |
"""

from __future__ import annotations

from pathlib import Path

from . import fakeios
from .hosts import Host, HostSpec, Lab
from .keys import Endpoint, KeyPair, make_keypair, write_known_hosts

WRONG_PASSWORD = "not-the-password"


def _host_endpoint(host: Host, workdir: Path, **kw: object) -> Endpoint:
    kh = write_known_hosts(workdir / f"known_hosts-{host.name}", [host.known_hosts_line()])
    args: dict[str, object] = {
        "name": host.name,
        "platform": "linux",
        "address": host.address,
        "port": 22,
        "username": "lab",
        "known_hosts": kh,
    }
    args.update(kw)
    return Endpoint(**args)  # type: ignore[arg-type]


def down_host(lab: Lab, key: KeyPair, workdir: Path) -> Endpoint:
    """An allocated, reachable address where nothing listens."""
    (host,) = lab.up([HostSpec(name="down", sshd=False)], key.public)
    return _host_endpoint(host, workdir, key_file=key.private)


def wrong_key(host: Host, workdir: Path) -> Endpoint:
    """A live host and a client key it does not authorise."""
    stranger = make_keypair(workdir / "stranger", "stranger_ed25519")
    return _host_endpoint(host, workdir, key_file=stranger.private)


def wrong_password(host: Host, workdir: Path) -> Endpoint:
    return _host_endpoint(host, workdir, password=WRONG_PASSWORD)


def changed_host_key(host: Host, key: KeyPair, workdir: Path) -> Endpoint:
    """Record the host's key, then re-key the host: the endpoint's known_hosts holds the old key."""
    ep = _host_endpoint(host, workdir, key_file=key.private)
    host.rekey()
    return ep


def _device_endpoint(dev: fakeios.Device, workdir: Path, **kw: object) -> Endpoint:
    kh = write_known_hosts(workdir / f"known_hosts-{dev.name}", [dev.known_hosts_line()])
    args: dict[str, object] = {
        "name": dev.name,
        "platform": "cisco_ios",
        "address": dev.address,
        "port": dev.port,
        "username": dev.spec.username,
        "password": dev.spec.password,
        "known_hosts": kh,
    }
    args.update(kw)
    return Endpoint(**args)  # type: ignore[arg-type]


def fault_device(behaviour: str, config: str, workdir: Path) -> tuple[fakeios.Device, Endpoint]:
    """Start a device with `behaviour` hang | garbage | silent; the caller stops it."""
    dev = fakeios.Device(fakeios.DeviceSpec(f"FAULT-{behaviour.upper()}", config, behaviour=behaviour)).start()
    return dev, _device_endpoint(dev, workdir)


def wrong_device_password(dev: fakeios.Device, workdir: Path) -> Endpoint:
    return _device_endpoint(dev, workdir, password=WRONG_PASSWORD)
