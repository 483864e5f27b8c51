"""Simulated Cisco IOS-XE devices: a small paramiko SSH server with a stateful IOS shell.

Why our own server rather than fakenos (lab-recipe §3): fakenos' shell has no configuration mode,
echoes byte by byte with a 10 ms sleep per byte, offers only a fixed RSA host key, cannot prompt
for an enable password, and takes seconds to stop. The fault devices (hang mid-output, garbage,
silent) need the same server with a different session anyway. One ~400-line module covers both.

Per device, the running-config is a list of lines whose indentation gives the IOS block structure
(a banner is one element holding its own newlines). Configuration commands edit that list the way
IOS does closely enough for netmiko and Ansible cisco.ios: sub-modes, ``no``, in-place replacement
of single-value settings, negated defaults shown as ``no ...``. State persists across sessions.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import random
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

INVALID = "% Invalid input detected at '^' marker."

# Global-config commands that open a sub-mode, with the prompt suffix IOS shows.
SUBMODES = [
    (re.compile(r"^interface \S"), "config-if"),
    (re.compile(r"^line \S"), "config-line"),
    (re.compile(r"^router \S"), "config-router"),
    (re.compile(r"^ip access-list standard \S"), "config-std-nacl"),
    (re.compile(r"^ip access-list extended \S"), "config-ext-nacl"),
    (re.compile(r"^ip access-list \S"), "config-acl"),
    (re.compile(r"^ipv6 access-list \S"), "config-ipv6-acl"),
    (re.compile(r"^vlan \d"), "config-vlan"),
    (re.compile(r"^archive$"), "config-archive"),
    (re.compile(r"^(route-map|key chain|vrf definition|ip vrf|class-map|policy-map) \S"), "config-sub"),
    (re.compile(r"^control-plane$"), "config-cp"),
    (re.compile(r"^(tacacs|radius) server \S"), "config-server-tacacs"),
    (re.compile(r"^aaa group server (tacacs\+|radius) \S"), "config-sg-tacacs+"),
]
NESTED = {
    "config-archive": (re.compile(r"^log config$"), "config-archive-log-cfg"),
    "config-router": (re.compile(r"^address-family \S"), "config-router-af"),
}
# Typed in a sub-mode, these belong to global config (IOS falls back to the parent mode).
GLOBAL_ONLY = re.compile(
    r"^(no )?(hostname|service|username|enable|banner|snmp-server|ntp|aaa|clock|boot|archive"
    r"|logging (?!synchronous|event)|ip (ssh|domain|http|scp|name-server|route|source-route|finger"
    r"|bootp|dhcp|tftp|ftp|forward-protocol)|login (block-for|on-|quiet|delay)|cdp run|lldp run"
    r"|security|crypto|spanning-tree mode|vtp)\b"
)
# Settings that hold one value: a new value replaces the old line in place.
SINGLE = [
    re.compile(p)
    for p in (
        r"^(hostname) ",
        r"^(enable secret) ",
        r"^(enable password) ",
        r"^(ip ssh version) ",
        r"^(ip ssh time-out) ",
        r"^(ip ssh authentication-retries) ",
        r"^(ip ssh source-interface) ",
        r"^(ip ssh dh min size) ",
        r"^(ip domain[ -]name) ",
        r"^(logging buffered)\b",
        r"^(logging trap)\b",
        r"^(logging source-interface) ",
        r"^(clock timezone) ",
        r"^(login block-for) ",
        r"^(snmp-server location) ",
        r"^(snmp-server contact) ",
        r"^(service timestamps (?:debug|log)) ",
        r"^(ntp source) ",
        r"^(security passwords min-length) ",
        r"^(username \S+) ",
        r"^(version) ",
        r"^(exec-timeout) ",
        r"^(transport input) ",
        r"^(transport output) ",
        r"^(session-timeout) ",
        r"^(privilege level) ",
        r"^(login)(?: local)?$",
        r"^(login authentication) ",
        r"^(password) ",
        r"^(description) ",
        r"^(ip address) \S+ \S+$",
        r"^(mtu) ",
        r"^(bandwidth) ",
        r"^(speed) ",
        r"^(duplex) ",
        r"^(switchport mode) ",
        r"^(switchport access vlan) ",
        r"^(router-id) ",
        r"^(ip access-group) \S+ (in|out)$",
        r"^(access-class) \S+ (in|out)",
        r"^(ipv6 access-class) \S+ (in|out)",
        r"^(ip verify unicast source reachable-via) ",
        r"^(path) ",
        r"^(maximum) ",
        r"^(name) ",
        r"^(aaa authentication (?:login|enable) \S+) ",
        r"^(aaa authorization (?:exec|network|commands \d+) \S+) ",
        r"^(aaa accounting (?:exec|network|connection|system|commands \d+) \S+) ",
        r"^(logging console)\b",
        r"^(ntp authentication-key \d+) ",
        r"^(ntp server (?:vrf \S+ )?(?:ip )?\S+)",
        r"^(key) ",
        r"^(address ipv4) ",
        r"^(logging size) ",
    )
]
# On by default: IOS hides the positive form and shows the negation.
DEFAULT_ON = {
    "service pad",
    "cdp run",
    "ip domain lookup",
    "ip domain-lookup",
    "ip source-route",
    "ip bootp server",
    "service dhcp",
    "ip gratuitous-arps",
    "ip redirects",
    "ip unreachables",
    "ip proxy-arp",
    "cdp enable",
    "exec",
    "logging on",
}
# Typed inside `archive` / `log config`, these stay there although they look global.
ARCHIVE_LINES = re.compile(r"^(no )?(logging (enable|size)|notify syslog|hidekeys)\b")
BOTH_SHOWN = {"ip http server", "ip http secure-server"}  # both forms appear in running-config
PLAIN_SECRET = re.compile(r"^(enable secret|username \S+(?: privilege \d+)? secret) (?!\d+ )(\S+)$")
BANNER = re.compile(r"^banner \S+ (\^C|\S)")

EXEC_COMMANDS = [
    ("show", "running-config"),
    ("show", "startup-config"),
    ("show", "version"),
    ("show", "clock"),
    ("show", "ip", "interface", "brief"),
    ("show", "privilege"),
    ("terminal",),
    ("configure", "terminal"),
    ("write", "memory"),
    ("write",),
    ("copy", "running-config", "startup-config"),
    ("enable",),
    ("disable",),
    ("exit",),
    ("logout",),
]
USER_EXEC = {
    ("show", "version"),
    ("show", "clock"),
    ("show", "privilege"),
    ("terminal",),
    ("enable",),
    ("exit",),
    ("logout",),
}

SHOW_VERSION = """\
Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Virtual XE Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 17.9.4a, \
RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.
Compiled Fri 20-Oct-23 10:44 by mcpre


ROM: IOS-XE ROMMON
{hostname} uptime is 1 week, 2 days, 3 hours, 4 minutes
Uptime for this control processor is 1 week, 2 days, 3 hours, 6 minutes
System returned to ROM by reload
System image file is "bootflash:packages.conf"
Last reload reason: reload



This product contains cryptographic features and is subject to United
States and local country laws governing import, export, transfer and
use.

License Level: network-advantage
License Type: Smart License
Next reload license Level: network-advantage

cisco C8000V (VXE) processor (revision VXE) with 1987022K/3075K bytes of memory.
Processor board ID 9{serial}
Router operating mode: Autonomous
3 Gigabit Ethernet interfaces
32768K bytes of non-volatile configuration memory.
3965136K bytes of physical memory.
11526144K bytes of virtual hard disk at bootflash:.

Configuration register is 0x2102
"""


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip(" "))


def parse_config(text: str) -> list[str]:
    """Config text -> lines, dropping the show-command header, `end` and trailing blanks."""
    out: list[str] = []
    lines = iter(text.replace("\r\n", "\n").split("\n"))
    for raw in lines:
        line = raw.rstrip()
        if not line or (not out and line.startswith(("Building configuration", "Current configuration"))):
            continue
        if line == "end":
            break
        m = BANNER.match(line)
        if m and m.group(1) not in line[m.end() :]:
            body = [line]
            for more in lines:  # a banner runs to its closing delimiter
                body.append(more.rstrip())
                if m.group(1) in more:
                    break
            line = "\n".join(body)
        out.append(line)
    return out


def type9(secret: str) -> str:
    """Looks like an IOS type 9 (scrypt) hash; the lab needs the shape, not the algorithm."""
    salt = base64.b64encode(secrets.token_bytes(10), b"./").decode()[:14]
    digest = base64.b64encode(hashlib.sha256((salt + secret).encode()).digest(), b"./").decode()[:43]
    return f"9 $9${salt}${digest}"


def new_host_key() -> paramiko.PKey:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    return paramiko.Ed25519Key(file_obj=io.StringIO(pem.decode()))


_HOST_KEYS: dict[str, paramiko.PKey] = {}  # one key per device name for the whole test session


@dataclass
class DeviceSpec:
    name: str
    config: str
    username: str = "admin"
    password: str = "admin"
    enable_password: str | None = None  # None: `enable` asks for no password
    # ios | hang (stalls mid show running-config) | garbage | silent (TCP, never SSH)
    # | endless (show running-config never ends) | trickle (show running-config at 1 byte/s)
    # | drop_at_auth (hangs up when the client offers its credentials)
    behaviour: str = "ios"
    canned: dict[str, str] = field(default_factory=dict)  # extra privileged show outputs, by exact command


@dataclass
class Device:
    """One simulated device: its state, its host key and (once started) its listening address."""

    spec: DeviceSpec
    lines: list[str] = field(default_factory=list)
    startup: list[str] = field(default_factory=list)
    address: str = "127.0.0.1"
    port: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)
    host_key: paramiko.PKey = field(init=False)
    _server: _Server | None = None

    def __post_init__(self) -> None:
        self.lines = parse_config(self.spec.config)
        self.startup = list(self.lines)
        self.host_key = _HOST_KEYS.setdefault(self.spec.name, new_host_key())

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def hostname(self) -> str:
        for ln in self.lines:
            if ln.startswith("hostname "):
                return ln.split(None, 1)[1]
        return self.spec.name

    @property
    def host_key_line(self) -> str:
        return f"{self.host_key.get_name()} {self.host_key.get_base64()}"

    def known_hosts_line(self) -> str:
        return f"[{self.address}]:{self.port} {self.host_key_line}"

    def running_config(self) -> str:
        with self.lock:
            return "\n".join(self.lines) + "\nend\n"

    def rekey(self) -> str:
        """New host key for the same address (a "changed host key" fault); used by new sessions."""
        self.host_key = _HOST_KEYS[self.spec.name] = new_host_key()
        return self.host_key_line

    def start(self, address: str = "127.0.0.1", port: int = 0) -> Device:
        self._server = _Server(self, address, port)
        self.address, self.port = self._server.sock.getsockname()[:2]
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stop()
            self._server = None


def start(specs: Iterable[DeviceSpec], address: str = "127.0.0.1") -> list[Device]:
    """Start one device per spec, each on its own free port of `address`."""
    started: list[Device] = []
    try:
        for spec in specs:
            started.append(Device(spec).start(address))
    except BaseException:
        for d in started:
            d.stop()
        raise
    return started


class _Auth(paramiko.ServerInterface):
    def __init__(self, spec: DeviceSpec, hang_up: Callable[[], None] = lambda: None) -> None:
        self.spec = spec
        self.shell = threading.Event()
        self.hang_up = hang_up

    def get_allowed_auths(self, username: str) -> str:
        return "password"

    def check_auth_password(self, username: str, password: str) -> int:
        if self.spec.behaviour == "drop_at_auth":
            self.hang_up()
            return paramiko.AUTH_FAILED
        ok = (username, password) == (self.spec.username, self.spec.password)
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args: object) -> bool:
        return True

    def check_channel_window_change_request(self, *args: object) -> bool:
        return True

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        self.shell.set()
        return True


class _Server:
    """Accept loop on one TCP port; one thread per connection."""

    def __init__(self, device: Device, address: str, port: int) -> None:
        self.device = device
        self.stopping = threading.Event()
        self.conns: list[socket.socket] = []
        self.transports: list[paramiko.Transport] = []
        self.sock = socket.create_server((address, port), reuse_port=False)
        self.sock.settimeout(0.2)
        self.thread = threading.Thread(target=self._accept, name=f"fakeios-{device.name}", daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        dev = self.device
        if dev.spec.behaviour == "silent":  # TCP accepts, SSH never answers
            self.stopping.wait()
            conn.close()
            return
        transport = paramiko.Transport(conn)
        self.transports.append(transport)
        try:
            transport.add_server_key(dev.host_key)
            auth = _Auth(dev.spec, lambda: conn.shutdown(socket.SHUT_RDWR))
            transport.start_server(server=auth)
            chan = transport.accept(timeout=20)
            if chan is None or not auth.shell.wait(10):
                return
            chan.settimeout(0.2)
            if dev.spec.behaviour == "garbage":
                _garbage(chan, self.stopping)
            else:
                Session(dev, chan, self.stopping).run()
        except (paramiko.SSHException, OSError, EOFError):
            pass  # the client went away or failed to authenticate: nothing to clean but the socket
        finally:
            transport.close()

    def stop(self) -> None:
        self.stopping.set()
        self.sock.close()
        for t in self.transports:
            t.close()  # before the sockets, so paramiko's reader thread ends quietly
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()
        self.thread.join(timeout=2)


def _garbage(chan: paramiko.Channel, stopping: threading.Event) -> None:
    """Answer everything with noise that contains no IOS prompt character, never a prompt."""
    noise = bytes(b for b in range(256) if b not in b"#>$%\r\n")
    rnd = random.Random(0)
    while not stopping.is_set() and not chan.closed:
        chunk = bytes(rnd.choice(noise) for _ in range(200))
        chan.sendall(b"*** SYSTEM FAULT: " + chunk + b"\r\nkernel: oops\r\n")
        with contextlib.suppress(TimeoutError):
            if chan.recv(1024) == b"":
                return
        time.sleep(0.2)


class Session:
    """One interactive shell: reads lines, keeps the mode, prints what IOS would."""

    def __init__(self, dev: Device, chan: paramiko.Channel, stopping: threading.Event) -> None:
        self.dev = dev
        self.chan = chan
        self.stopping = stopping
        self.buf = b""
        self.priv = False
        self.path: list[str] = []  # config sub-mode headers; None outside config mode
        self.modes: list[str] = []
        self.config = False

    # --- I/O -------------------------------------------------------------------------------
    def send(self, text: str) -> None:
        self.chan.sendall(text.replace("\r\n", "\n").replace("\n", "\r\n").encode())

    def readline(self) -> str | None:
        while True:
            m = re.search(rb"\r\n|\r|\n|\x1a", self.buf)
            if m:
                line, self.buf = self.buf[: m.start()], self.buf[m.end() :]
                return line.decode(errors="replace") + ("\x1a" if m.group() == b"\x1a" else "")
            if self.stopping.is_set():
                return None
            try:
                data = self.chan.recv(4096)
            except TimeoutError:
                continue
            if not data:
                return None
            self.buf += data

    def prompt(self) -> str:
        host = self.dev.hostname
        if self.config:
            return f"{host}({self.modes[-1] if self.modes else 'config'})#"
        return f"{host}{'#' if self.priv else '>'}"

    def run(self) -> None:
        self.send("\n" + self.prompt())
        while (line := self.readline()) is not None:
            self.send(line.rstrip("\x1a") + "\n")  # IOS echoes what was typed
            try:
                out = self.handle(line)
            except _Hangup:
                return
            if out:
                self.send(out.rstrip("\n") + "\n")
            self.send(self.prompt())

    # --- commands --------------------------------------------------------------------------
    def handle(self, raw: str) -> str:
        line = raw.strip()
        if raw.endswith("\x1a") or (self.config and line == "end"):
            self.config, self.path, self.modes = False, [], []
            return ""
        if not line:
            return ""
        if self.config:
            if line.startswith("do "):
                return self.exec(line[3:].strip())
            return self.configure(line)
        return self.exec(line)

    def invalid(self, offset: int = 0) -> str:
        return " " * (len(self.prompt()) + offset) + "^\n" + INVALID

    def exec(self, line: str) -> str:
        cmd, _, pipe = line.partition("|")
        words = cmd.split()
        canned = self.dev.spec.canned.get(" ".join(words))
        if canned is not None and self.priv:
            return _filter(canned, pipe) if pipe else canned
        match = _match(words)
        if match is None or (not self.priv and match not in USER_EXEC):
            return self.invalid()
        args = words[len(match) :]
        if match in (("exit",), ("logout",)):
            raise _Hangup
        if match == ("enable",):
            return self.enable()
        if match == ("disable",):
            self.priv = False
            return ""
        if match == ("terminal",):
            return ""
        if match == ("configure", "terminal"):
            self.config = True
            return "Enter configuration commands, one per line.  End with CNTL/Z."
        if match in (("write", "memory"), ("write",)):
            self.save()
            return "Building configuration...\n[OK]"
        if match == ("copy", "running-config", "startup-config"):
            self.send("Destination filename [startup-config]? ")
            answer = self.readline()
            if answer is None:
                raise _Hangup
            self.send(answer + "\n")
            self.save()
            return "Building configuration...\n[OK]"
        out = self.show(match, args)
        return _filter(out, pipe) if pipe else out

    def enable(self) -> str:
        want = self.dev.spec.enable_password
        if want is not None and not self.priv:
            for _ in range(3):
                self.send("Password: ")  # IOS does not echo the password
                got = self.readline()
                if got is None:
                    raise _Hangup
                self.send("\n")
                if got == want:
                    break
            else:
                return "% Bad passwords"
        self.priv = True
        return ""

    def save(self) -> None:
        with self.dev.lock:
            self.dev.startup = list(self.dev.lines)

    def show(self, match: tuple[str, ...], args: list[str]) -> str:
        dev = self.dev
        if match == ("show", "version"):
            serial = hashlib.sha256(dev.name.encode()).hexdigest()[:10].upper()
            return SHOW_VERSION.format(hostname=dev.hostname, serial=serial)
        if match == ("show", "privilege"):
            return f"Current privilege level is {15 if self.priv else 1}"
        if match == ("show", "clock"):
            return time.strftime("*%H:%M:%S.000 UTC %a %b %d %Y", time.gmtime())
        if match == ("show", "ip", "interface", "brief"):
            return _ip_int_brief(dev.lines)
        with dev.lock:
            lines = list(dev.startup if match == ("show", "startup-config") else dev.lines)
        if args and args[0] not in ("all", "full"):  # show running-config interface Gi1 etc.
            want = " ".join(args)
            lines = [ln for blk in _blocks(lines) if blk[0].lower().startswith(want.lower()) for ln in blk]
        body = "\n".join(lines) + "\nend\n"
        if match == ("show", "startup-config"):
            return f"Using {len(body)} out of 33554432 bytes\n" + body
        out = f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n" + body
        if dev.spec.behaviour == "hang":
            self.send(out[: len(out) // 2])  # half the config, then silence with the channel open
            self.stopping.wait()
            raise _Hangup
        if dev.spec.behaviour == "endless":  # a config that never ends, as fast as the channel takes it
            block = "".join(f"interface Loopback{i}\n description endless {i:08d}\n" for i in range(400))
            while not self.stopping.is_set() and not self.chan.closed:
                try:
                    self.chan.sendall(block.encode())
                except (OSError, EOFError, paramiko.SSHException):
                    raise _Hangup from None
            raise _Hangup
        if dev.spec.behaviour == "trickle":  # one byte a second: always "still sending", never done
            for ch in out:
                if self.stopping.wait(1.0) or self.chan.closed:
                    raise _Hangup
                self.send(ch)
            return ""
        return out

    def configure(self, line: str) -> str:
        if line == "exit":
            if self.path:
                self.path.pop()
                self.modes.pop()
            else:
                self.config = False
            return ""
        if re.match(r"^(show|write|copy|configure|terminal)(\s|$)|^(enable|disable)$", line):
            return self.invalid()
        in_archive = bool(self.modes) and self.modes[-1].startswith("config-archive") and ARCHIVE_LINES.match(line)
        if self.path and not in_archive and (GLOBAL_ONLY.match(line) or _submode(line)):
            self.path, self.modes = [], []  # IOS runs a global command from a sub-mode and stays global
        line = _expand_interface(line)
        secret = PLAIN_SECRET.match(line)
        if secret:
            line = f"{secret.group(1)} {type9(secret.group(2))}"
        with self.dev.lock:
            if not self.path and line.startswith("banner ") and (m := BANNER.match(line)):
                line = self.banner(line, m.group(1))
            nested = NESTED.get(self.modes[-1]) if self.modes else None
            mode = _submode(line) if not self.path else (nested[1] if nested and nested[0].match(line) else None)
            _apply(self.dev.lines, self.path, line)
            if mode:
                self.path.append(line)
                self.modes.append(mode)
        return ""

    def banner(self, first: str, delim: str) -> str:
        """Read a banner to its closing delimiter; IOS stores (and shows) it between ^C marks."""
        m = BANNER.match(first)
        head, rest = first[: m.start(1)], first[m.end() :]  # type: ignore[union-attr]
        body = rest
        if delim not in rest:
            self.send("Enter TEXT message.  End with the character '" + delim + "'.\n")
            while (more := self.readline()) is not None:
                self.send(more + "\n")
                body += "\n" + more
                if delim in more:
                    break
        body = body.split(delim, 1)[0].strip("\n")
        return f"{head}^C\n{body}\n^C"


class _Hangup(Exception):
    """The session ends (exit, logout, client gone, or a hang fault released at stop)."""


def _match(words: list[str]) -> tuple[str, ...] | None:
    """IOS-style abbreviations: each typed word a prefix of the command word; longest wins."""
    hits = [
        c
        for c in EXEC_COMMANDS
        if len(words) >= len(c) and all(k.startswith(w.lower()) for w, k in zip(words, c, strict=False))
    ]
    return max(hits, key=len, default=None)


IFTYPES = (
    "GigabitEthernet",
    "FastEthernet",
    "TenGigabitEthernet",
    "TwentyFiveGigE",
    "Ethernet",
    "Loopback",
    "Vlan",
    "Port-channel",
    "Tunnel",
    "Serial",
    "Management",
    "BDI",
)


def _expand_interface(line: str) -> str:
    """`interface Gi2` -> `interface GigabitEthernet2`, as IOS stores it."""
    m = re.match(r"^(no )?interface ([A-Za-z-]+)\s*(\d[\d/.:]*)$", line)
    if not m:
        return line
    full = next((t for t in IFTYPES if t.lower().startswith(m.group(2).lower())), m.group(2))
    return f"{m.group(1) or ''}interface {full}{m.group(3)}"


def _submode(line: str) -> str | None:
    return next((mode for rx, mode in SUBMODES if rx.match(line)), None)


def _blocks(lines: list[str]) -> list[list[str]]:
    """Top-level blocks: a line at indent 0 plus the indented lines under it."""
    blocks: list[list[str]] = []
    for ln in lines:
        if _indent(ln) == 0 or not blocks:
            blocks.append([ln])
        else:
            blocks[-1].append(ln)
    return blocks


def _filter(out: str, pipe: str) -> str:
    kind, _, rx_text = pipe.strip().partition(" ")
    try:
        rx = re.compile(rx_text.strip())
    except re.error:
        return INVALID
    lines = out.rstrip("\n").split("\n")
    for name in ("include", "exclude", "begin", "section"):
        if kind and name.startswith(kind.lower()):
            break
    else:
        return INVALID
    if name == "include":
        return "\n".join(ln for ln in lines if rx.search(ln))
    if name == "exclude":
        return "\n".join(ln for ln in lines if not rx.search(ln))
    if name == "begin":
        start = next((i for i, ln in enumerate(lines) if rx.search(ln)), len(lines))
        return "\n".join(lines[start:])
    return "\n".join(ln for blk in _blocks(lines) if rx.search(blk[0]) for ln in blk)


def _scope(lines: list[str], path: list[str]) -> tuple[int, int, int]:
    """(start, end, depth) of the lines directly under `path`; creates missing headers."""
    start, end, depth = 0, len(lines), 0
    for header in path:
        found = next((j for j in range(start, end) if _indent(lines[j]) == depth and lines[j].strip() == header), None)
        if found is None:
            lines.insert(end, " " * depth + header)
            found = end
        start, depth = found + 1, depth + 1
        end = next((j for j in range(start, len(lines)) if _indent(lines[j]) < depth), len(lines))
    return start, end, depth


def _key(line: str) -> str | None:
    for rx in SINGLE:
        m = rx.match(line)
        if m:
            return " ".join(g for g in m.groups() if g)
    return None


def _apply(lines: list[str], path: list[str], line: str) -> None:
    """Apply one configuration line at `path`, as IOS would store it."""

    def direct() -> tuple[int, list[int]]:
        start, end, depth = _scope(lines, path)
        return end, [j for j in range(start, end) if _indent(lines[j]) == depth]

    def remove(match: Callable[[str], bool]) -> bool:
        end, heads = direct()
        doomed: list[int] = []
        for j in heads:
            if match(lines[j].strip()):  # the line and everything indented under it
                stop = next((k for k in range(j + 1, end) if _indent(lines[k]) <= _indent(lines[j])), end)
                doomed += range(j, stop)
        for k in sorted(set(doomed), reverse=True):
            del lines[k]
        return bool(doomed)

    def add(text: str) -> None:
        end, heads = direct()
        pad = " " * len(path)
        if any(lines[j].strip() == text for j in heads):
            return
        key = _key(text)
        if key and any(lines[j].strip() == f"no {key}" for j in heads):
            remove(lambda s: s == f"no {key}")  # `logging trap informational` replaces `no logging trap`
            end, heads = direct()
        same = next((j for j in heads if key and _key(lines[j].strip()) == key), None)
        if same is not None:
            lines[same] = pad + text  # in place, as IOS keeps its own ordering
        else:
            lines.insert(end, pad + text)

    if line.startswith("no "):
        target = line[3:]
        remove(lambda s: s == target or s.startswith(target + " "))
        if target in DEFAULT_ON or target in BOTH_SHOWN:
            add(line)
        return
    remove(lambda s: s == f"no {line}")
    if line not in DEFAULT_ON:
        add(line)


def _ip_int_brief(lines: list[str]) -> str:
    rows = [f"{'Interface':<27}{'IP-Address':<16}OK? Method Status                Protocol"]
    for blk in _blocks(lines):
        if not blk[0].startswith("interface "):
            continue
        addr = next((ln.split()[2] for ln in blk[1:] if re.match(r"^\s+ip address \S+ \S+$", ln)), "unassigned")
        down = any(ln.strip() == "shutdown" for ln in blk[1:])
        status, proto = ("administratively down", "down") if down else ("up", "up")
        method = "manual" if addr != "unassigned" else "unset"
        rows.append(f"{blk[0].split(None, 1)[1]:<27}{addr:<16}YES {method:<7}{status:<22}{proto}")
    return "\n".join(rows)
