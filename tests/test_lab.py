"""Tests of the simulated WAN lab itself (tests/lab/): hosts, devices, faults, inventory, teardown."""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paramiko
import pytest
from lab import MINIMAL_IOS, DeviceFactory, HostFactory, fakeios
from lab.golden import LAB_PASSWORD
from lab.hosts import KEEP_CAPS, HostSpec, Lab, cleanup_stale, leftovers
from lab.keys import Endpoint, KeyPair, write_known_hosts
from netmiko import BaseConnection, ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, ReadTimeout

pytest_plugins = ["lab.fixtures"]
pytestmark = pytest.mark.lab

VENV_BIN = Path(sys.executable).parent

R1 = """\
Building configuration...

Current configuration : 812 bytes
!
version 17.9
service timestamps debug datetime msec
no service pad
hostname R1
!
enable password 0 cisco
!
banner motd ^C
Authorised access only / เฉพาะผู้ได้รับอนุญาต
^C
!
interface GigabitEthernet1
 description WAN MPLS
 ip address 10.10.0.1 255.255.255.252
!
interface GigabitEthernet2
 no ip address
 shutdown
!
ip access-list standard MGMT
 permit 10.10.0.0 0.0.0.255
!
archive
 log config
  logging enable
!
line con 0
 exec-timeout 0 0
line vty 0 4
 exec-timeout 30 0
 transport input telnet ssh
!
end
"""


def ssh(
    address: str,
    *,
    known_hosts: Path,
    username: str = "root",
    key_file: Path | None = None,
    password: str | None = None,
    timeout: float = 10,
) -> paramiko.SSHClient:
    """A paramiko client that verifies the host key against `known_hosts` (never auto-adds)."""
    client = paramiko.SSHClient()
    client.load_host_keys(str(known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        address,
        username=username,
        key_filename=str(key_file) if key_file else None,
        password=password,
        look_for_keys=False,
        allow_agent=False,
        timeout=timeout,
        banner_timeout=timeout,
        auth_timeout=timeout,
    )
    return client


def run(client: paramiko.SSHClient, cmd: str) -> tuple[int, str, str]:
    _, out, err = client.exec_command(cmd, timeout=20)
    rc = out.channel.recv_exit_status()
    return rc, out.read().decode(), err.read().decode()


def endpoint_connect(ep: Endpoint, timeout: float = 5) -> paramiko.SSHClient:
    client = paramiko.SSHClient()
    client.load_host_keys(str(ep.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        ep.address,
        port=ep.port,
        username=ep.username,
        password=ep.password,
        key_filename=str(ep.key_file) if ep.key_file else None,
        look_for_keys=False,
        allow_agent=False,
        timeout=timeout,
        banner_timeout=timeout,
        auth_timeout=timeout,
    )
    return client


# --- Linux namespace hosts --------------------------------------------------------------------


def test_hosts_real_sshd_seeded_and_isolated(lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path) -> None:
    seeded = HostSpec(
        name="web1",
        files={
            "/etc/ssh/sshd_config.d/50-bad.conf": "PermitRootLogin yes\n",
            "/etc/sysctl.d/60-forward.conf": "net.ipv4.ip_forward = 1\nkernel.dmesg_restrict = 0\n",
            "/etc/prakan-seed.txt": "seeded by the lab\n",
        },
    )
    web1, web2 = lab_hosts(seeds=[seeded, HostSpec(name="web2")])
    kh = write_known_hosts(tmp_path / "known_hosts", [web1.known_hosts_line(), web2.known_hosts_line()])
    real_aslr = Path("/proc/sys/kernel/randomize_va_space").read_text().strip()

    with ssh(web1.address, known_hosts=kh, key_file=lab_keypair.private) as c:
        rc, out, _ = run(c, "sshd -T")
        assert rc == 0 and "permitrootlogin yes" in out.splitlines()
        assert run(c, "sysctl net.ipv4.ip_forward")[1].strip() == "net.ipv4.ip_forward = 1"
        assert run(c, "cat /etc/prakan-seed.txt")[1] == "seeded by the lab\n"
        assert run(c, "hostname")[1].strip() == "web1"
        assert run(c, "cat /proc/1/comm")[1].strip() == "sshd"  # sshd is PID 1 of its own PID space
        assert "default" not in run(c, "ip route")[1]
        assert run(c, "cat /etc/resolv.conf")[1].strip() == "nameserver 127.0.0.1"
        # Writing a kernel.* key (even its current value) must fail: /proc/sys is read-only.
        rc, _, err = run(c, f"sysctl -w kernel.randomize_va_space={real_aslr}")
        assert rc != 0 and "permission denied" in err.lower()
        assert run(c, "sysctl -w net.ipv4.conf.all.log_martians=1")[0] == 0  # net.* is the host's own
    assert Path("/proc/sys/kernel/randomize_va_space").read_text().strip() == real_aslr
    assert Path("/proc/sys/net/ipv4/conf/all/log_martians").read_text().strip() == "0"  # the machine's own

    with ssh(web2.address, known_hosts=kh, username="lab", password=LAB_PASSWORD) as c:
        assert "permitrootlogin without-password" in run(c, "sudo -n sshd -T")[1].splitlines()
        assert run(c, "/usr/sbin/sysctl net.ipv4.ip_forward")[1].strip() == "net.ipv4.ip_forward = 0"
        assert run(c, "sudo -n id -u")[1].strip() == "0"
    assert (web1.upper / "etc/prakan-seed.txt").exists() and not (web2.upper / "etc/prakan-seed.txt").exists()


# Run inside a host as root: chroot into a subdirectory, climb out with "..", chroot there. Under
# a plain chroot this lands in the machine's own root; under pivot_root it stays in the host's.
CHROOT_ESCAPE = """\
import os, sys
os.makedirs("/tmp/escape", exist_ok=True)
top = os.open("/", os.O_RDONLY)
os.chroot("/tmp/escape")
os.fchdir(top)
for _ in range(64):
    os.chdir("..")
os.chroot(".")
print(os.path.exists(sys.argv[1]))
"""

# Prints how many of the given globs' writable-mode files exist, and how many access(W_OK) allows.
# access() reports EROFS for a read-only mount and writes nothing, so probing is safe.
WRITABLE = """\
import glob, os, sys
files = [p for g in sys.argv[1:] for p in glob.glob(g)
         if os.path.isfile(p) and not os.path.islink(p) and os.stat(p).st_mode & 0o200]
print(len(files), sum(os.access(p, os.W_OK) for p in files))
"""

DANGEROUS_CAPS = {
    "sys_admin": 21,
    "sys_module": 16,
    "sys_rawio": 17,
    "mknod": 27,
    "sys_time": 25,
    "sys_boot": 22,
    "syslog": 34,
    "dac_read_search": 2,
    "sys_ptrace": 19,
    "bpf": 39,
}


def test_host_root_cannot_change_the_real_machine(lab_hosts: HostFactory, lab_keypair: KeyPair, tmp_path: Path) -> None:
    """Root in a host has no sys_admin, no block devices, no way out of its root, read-only /sys and
    global /proc. Only operations that must fail are tried, each harmless if it did succeed: mounts
    in the host's own mount namespace, mknod on its overlay, access() probes that write nothing.
    """
    (host,) = lab_hosts(1)
    kh = write_known_hosts(tmp_path / "known_hosts", [host.known_hosts_line()])
    marker = tmp_path / "only-on-the-machine"
    marker.write_text("x")
    real_forward = Path("/proc/sys/net/ipv4/ip_forward").read_text()

    with ssh(host.address, known_hosts=kh, key_file=lab_keypair.private) as c:
        for cmd in (
            "mount -o remount,rw /proc/sys",
            "mount -t proc proc /mnt",
            "mount -o remount,rw /sys",
            "umount -l /proc/sys",
            "mount -t sysfs sysfs /mnt",
            "mknod /root/vda b 253 0",
        ):
            rc, out, err = run(c, cmd)
            assert rc != 0, f"{cmd!r} succeeded inside a lab host: {out}{err}"

        status = dict(ln.split(":\t") for ln in run(c, "cat /proc/self/status")[1].splitlines() if ":\t" in ln)
        bounding, effective = int(status["CapBnd"], 16), int(status["CapEff"], 16)
        for name, bit in DANGEROUS_CAPS.items():
            assert not bounding & (1 << bit), f"CAP_{name.upper()} is in the bounding set"
        assert effective & ~bounding == 0
        dump = run(c, "setpriv --dump")[1]
        kept = next(ln.split(":", 1)[1] for ln in dump.splitlines() if ln.startswith("Capability bounding set:"))
        assert {cap.strip() for cap in kept.split(",")} == set(KEEP_CAPS)

        rc, out, _ = run(c, "ls -A /dev; find /dev -type b")
        assert rc == 0 and set(out.split()) == {
            "fd",
            "full",
            "null",
            "ptmx",
            "pts",
            "random",
            "shm",
            "stderr",
            "stdin",
            "stdout",
            "tty",
            "urandom",
            "zero",
        }
        assert run(c, "ls /dev/pts")[1].split() == ["ptmx"]  # a devpts of its own: the machine's ptys are not here

        mounts = {ln.split()[1]: ln.split()[3].split(",") for ln in run(c, "cat /proc/self/mounts")[1].splitlines()}
        assert "ro" in mounts["/sys"] and "ro" in mounts["/proc/sys"] and "rw" in mounts["/proc/sys/net"]
        probe = f"python3 -c {shlex.quote(WRITABLE)}"
        ro_globs = (
            "/sys/kernel/* /sys/kernel/mm/*/* /sys/module/*/parameters/* /sys/class/net/*/* "
            "/proc/sys/kernel/* /proc/sys/vm/* /proc/sys/fs/* /proc/sysrq-trigger /proc/irq/* /proc/mtrr"
        )
        found, writable = map(int, run(c, f"{probe} {ro_globs}")[1].split())
        assert found > 50 and writable == 0
        found, writable = map(int, run(c, f"{probe} /proc/sys/net/ipv4/* /proc/self/oom_score_adj")[1].split())
        assert found > 10 and writable == found  # the host's own netns and its own processes stay writable

        rc, out, err = run(c, f"python3 -c {shlex.quote(CHROOT_ESCAPE)} {marker}")
        assert (rc, out.strip()) == (0, "False"), err  # escaped only into the host's own root

        # What must keep working: sshd, sysctl (reading all, writing net.*), nft in the host's netns.
        assert run(c, "sshd -T")[0] == 0
        rc, out, _ = run(c, "sysctl -a")
        assert rc == 0 and "kernel.osrelease = " in out and "net.ipv4.ip_forward = " in out
        assert run(c, "sysctl -w net.ipv4.ip_forward=1")[0] == 0
        assert run(c, "cat /proc/sys/net/ipv4/ip_forward")[1].strip() == "1"
        rc, out, err = run(c, "nft add table inet prakan_probe && nft list ruleset")
        assert rc == 0 and "table inet prakan_probe" in out, err
    assert Path("/proc/sys/net/ipv4/ip_forward").read_text() == real_forward  # the machine's own

    with ssh(host.address, known_hosts=kh, username="lab", key_file=lab_keypair.private) as c:
        assert run(c, "sudo -n true")[0] == 0
        assert run(c, "sudo -n sshd -T")[0] == 0
        rc, out, _ = run(c, "sudo -n script -qc tty /dev/null")  # a pty from the host's devpts
        assert rc == 0 and out.strip() == "/dev/pts/0"


def test_inventory_drives_ansible(
    lab_hosts: HostFactory, lab_devices: DeviceFactory, lab_inventory: Callable[..., Path], tmp_path: Path
) -> None:
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader

    hosts = lab_hosts(2)
    devices = lab_devices({"R7": MINIMAL_IOS.format(name="R7")})
    inv = lab_inventory(hosts, devices)
    im = InventoryManager(loader=DataLoader(), sources=[str(inv)])
    assert {h.name for h in im.get_hosts("platform_linux")} == {h.name for h in hosts}
    r7 = im.get_host("R7").get_vars()
    assert r7["ansible_port"] == devices[0].port and r7["prakan_platform"] == "cisco_ios"
    assert im.groups["site_lab_ns"].get_vars()["prakan_site"]["code"] == "LAB-NS"

    env = {
        **os.environ,
        "ANSIBLE_PYTHON_INTERPRETER": "/usr/bin/python3",
        "ANSIBLE_GATHERING": "explicit",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_STDOUT_CALLBACK": "json",
    }
    res = subprocess.run(
        [
            str(VENV_BIN / "ansible"),
            "platform_linux",
            "-i",
            str(inv),
            "-m",
            "command",
            "-a",
            "cat /etc/hostname",
            "--become",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.count("CHANGED") == 2


# --- simulated IOS devices --------------------------------------------------------------------


def netmiko_to(dev: fakeios.Device, known_hosts: Path, **kw: Any) -> BaseConnection:
    return ConnectHandler(
        device_type="cisco_ios",
        host=dev.address,
        port=dev.port,
        username=dev.spec.username,
        password=dev.spec.password,
        secret=dev.spec.enable_password or "",
        ssh_strict=True,
        alt_host_keys=True,
        alt_key_file=str(known_hosts),
        **kw,
    )


def test_devices_netmiko_stateful(lab_devices: DeviceFactory, tmp_path: Path) -> None:
    r1, r2 = lab_devices(
        [
            fakeios.DeviceSpec("R1", R1, enable_password="en4ble"),
            fakeios.DeviceSpec(
                "R2",
                MINIMAL_IOS.format(name="R2"),
                username="ops",
                password="pw2",
                canned={"show ip ssh": "SSH Enabled - version 2.0"},
            ),
        ]
    )
    kh = write_known_hosts(tmp_path / "known_hosts", [r1.known_hosts_line(), r2.known_hosts_line()])
    seeded = R1.split("Current configuration : 812 bytes\n", 1)[1]

    c = netmiko_to(r1, kh)
    assert c.find_prompt() == "R1>"
    c.enable()
    assert c.find_prompt() == "R1#"
    running = c.send_command("show running-config")
    assert running.startswith("Building configuration...") and running.rstrip().endswith("\nend")
    assert running.split("bytes\n", 1)[1].strip() == seeded.strip()
    ver = c.send_command("show version", use_textfsm=True)
    assert ver[0]["version"] == "17.9.4a" and ver[0]["hostname"] == "R1"
    assert "GigabitEthernet2" in c.send_command("show ip interface brief")
    assert "% Invalid input detected at '^' marker." in c.send_command("show bogus")
    out = c.send_config_set(
        [
            "ip ssh version 2",
            "service pad",
            "line vty 0 4",
            "transport input ssh",
            "exec-timeout 5 0",
            "exit",
            "no enable password",
            "enable secret s3cret",
            "interface Gi2",
            "no shutdown",
            "hostname R1-new",
        ]
    )
    assert "R1(config-line)#" in out and "Invalid" not in out
    assert c.find_prompt() == "R1-new#"
    c.save_config()
    c.disconnect()

    c = netmiko_to(r1, kh)
    c.enable()
    now = c.send_command("show running-config")
    assert "hostname R1-new" in now and "ip ssh version 2" in now and "enable password" not in now
    assert "no service pad" not in now and "enable secret 9 $9$" in now
    assert c.send_command("show running-config | section line vty").splitlines() == [
        "line vty 0 4",
        " exec-timeout 5 0",
        " transport input ssh",
    ]
    assert c.send_command("show run | include ^hostname") == "hostname R1-new"
    assert "interface GigabitEthernet2\n no ip address\n!" in c.send_command("show startup-config")
    c.disconnect()

    c = netmiko_to(r2, kh)  # other credentials, no enable password
    c.enable()
    assert c.send_command("show running-config | include hostname") == "hostname R2"
    assert c.send_command("show ip ssh") == "SSH Enabled - version 2.0"  # a canned extra
    c.disconnect()


def test_device_enable_password_and_user_mode(lab_devices: DeviceFactory) -> None:
    (dev,) = lab_devices([fakeios.DeviceSpec("R9", MINIMAL_IOS.format(name="R9"), enable_password="right")])
    t = paramiko.Transport((dev.address, dev.port))
    t.connect(username="admin", password="admin")
    chan = t.open_session()
    chan.get_pty()
    chan.invoke_shell()
    chan.settimeout(5)

    def until(marker: str) -> str:
        buf = ""
        while not buf.endswith(marker):
            buf += chan.recv(4096).decode()
        return buf

    until("R9>")
    chan.send("show running-config\n")
    assert "% Invalid input detected at '^' marker." in until("R9>")  # not in user mode
    chan.send("enable\n")
    until("Password: ")
    chan.send("wrong\n")
    until("Password: ")
    chan.send("right\n")
    until("R9#")
    t.close()


def test_ansible_ios_config_idempotent(
    lab_devices: DeviceFactory, lab_inventory: Callable[..., Path], tmp_path: Path
) -> None:
    devices = lab_devices(
        [
            fakeios.DeviceSpec("R1", R1, enable_password="en4ble"),
            fakeios.DeviceSpec("R2", MINIMAL_IOS.format(name="R2")),
        ]
    )
    inv = lab_inventory(devices=devices)
    play = tmp_path / "play.yml"
    play.write_text("""\
- hosts: platform_cisco_ios
  gather_facts: false
  tasks:
    - cisco.ios.ios_config:
        lines: [ip ssh version 2, service password-encryption]
    - cisco.ios.ios_config:
        parents: line vty 0 4
        lines: [transport input ssh, exec-timeout 5 0]
""")
    env = {
        **os.environ,
        "ANSIBLE_NETWORK_CLI_SSH_TYPE": "libssh",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_STDOUT_CALLBACK": "json",
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_PERSISTENT_COMMAND_TIMEOUT": "30",
    }

    def play_run() -> dict[str, dict[str, int]]:
        res = subprocess.run(
            [str(VENV_BIN / "ansible-playbook"), "-i", str(inv), str(play)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        return json.loads(res.stdout)["stats"]

    first = play_run()
    assert {h: s["changed"] for h, s in first.items()} == {"R1": 2, "R2": 2}
    second = play_run()
    assert {h: s["changed"] for h, s in second.items()} == {"R1": 0, "R2": 0}
    for dev in devices:
        cfg = dev.running_config()
        assert "ip ssh version 2\n" in cfg and "service password-encryption\n" in cfg
        assert "line vty 0 4\n" in cfg and " transport input ssh\n" in cfg and " exec-timeout 5 0\n" in cfg


# --- faults -----------------------------------------------------------------------------------


def test_fault_down_host(fault_down_host: Endpoint) -> None:
    with pytest.raises(paramiko.ssh_exception.NoValidConnectionsError):
        endpoint_connect(fault_down_host)


def test_fault_wrong_key(fault_wrong_key: Endpoint) -> None:
    with pytest.raises(paramiko.AuthenticationException):
        endpoint_connect(fault_wrong_key)


def test_fault_wrong_password(fault_wrong_password: Endpoint) -> None:
    with pytest.raises(paramiko.AuthenticationException):
        endpoint_connect(fault_wrong_password)


def test_fault_wrong_device_password(fault_wrong_device_password: Endpoint) -> None:
    ep = fault_wrong_device_password
    with pytest.raises(NetmikoAuthenticationException):
        ConnectHandler(
            device_type="cisco_ios", host=ep.address, port=ep.port, username=ep.username, password=ep.password
        )


def test_fault_changed_host_key(fault_changed_host_key: Endpoint) -> None:
    with pytest.raises(paramiko.BadHostKeyException):
        endpoint_connect(fault_changed_host_key)


def test_fault_hanging_device(fault_hanging_device: Endpoint) -> None:
    ep = fault_hanging_device
    c = ConnectHandler(
        device_type="cisco_ios", host=ep.address, port=ep.port, username=ep.username, password=ep.password
    )
    c.enable()
    started = time.monotonic()
    with pytest.raises(ReadTimeout):
        c.send_command("show running-config", read_timeout=2)
    assert time.monotonic() - started < 10
    c.remote_conn_pre.close()  # netmiko's disconnect() would wait ~10 s on the stalled channel


def test_fault_garbage_device(fault_garbage_device: Endpoint) -> None:
    ep = fault_garbage_device
    with pytest.raises(ReadTimeout):  # netmiko never finds a prompt
        ConnectHandler(
            device_type="cisco_ios",
            host=ep.address,
            port=ep.port,
            username=ep.username,
            password=ep.password,
            conn_timeout=5,
            read_timeout_override=3,
        )


def test_fault_silent_device(fault_silent_device: Endpoint) -> None:
    with pytest.raises(paramiko.SSHException):  # "Error reading SSH protocol banner" or "No existing session"
        endpoint_connect(fault_silent_device, timeout=2)


# --- teardown ---------------------------------------------------------------------------------


def test_ten_hosts_up_down_leave_nothing(lab_golden: Path, lab_keypair: KeyPair) -> None:
    lab = Lab(lab_golden)
    try:
        t0 = time.monotonic()
        hosts = lab.up([HostSpec() for _ in range(10)], lab_keypair.public)
        t_up = time.monotonic() - t0
        for h in hosts:
            with socket.create_connection((h.address, 22), timeout=2) as s:
                assert s.recv(8) == b"SSH-2.0-"
        assert len({h.address for h in hosts}) == 10
        pids = [p for h in hosts for p in h.pids()]
        assert len(pids) >= 20  # unshare + sshd per host
        t0 = time.monotonic()
    finally:
        lab.down()
    t_down = time.monotonic() - t0
    print(f"\n10 hosts: up {t_up:.2f} s, down {t_down:.2f} s")
    assert leftovers(lab.run_id) == []
    assert not any(alive(p) for p in pids)
    assert not any(
        h.netns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout for h in hosts
    )


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for this process to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_stale_run_is_swept(lab_golden: Path, lab_keypair: KeyPair) -> None:
    lab = Lab(lab_golden)
    try:
        (host,) = lab.up([HostSpec()], lab_keypair.public)
        pids = host.pids()
        (lab.dir / "owner").write_text("999999999 0\n")  # as if the owning pytest had crashed
        assert host.netns in cleanup_stale()
        assert leftovers(lab.run_id) == []
        assert not any(alive(p) for p in pids)
    finally:
        lab.down()
