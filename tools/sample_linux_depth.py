"""Sample outputs of the Linux depth sources (AIDE, MAC, sudo, boot, mounts, persistent sysctls, ...).

Used by gen_sample_evidence.py for every Linux host. The gaps here are drawn from their own random
stream (`<seed>|<host>|depth`), so adding them leaves every earlier sample output unchanged. Hardened
hosts (headquarters, cloud) pass nearly everything; regional offices show the usual depth gaps.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from typing import Any, Protocol

# Probability of each gap per site kind; provincial offices host no servers.
DEPTH_GAPS: dict[str, dict[str, float]] = {
    "no_aide": {"hq": 0.02, "regional": 0.7, "cloud": 0.0},
    "mac_complain": {"hq": 0.02, "regional": 0.4, "cloud": 0.0},
    "sudo_nopasswd": {"hq": 0.0, "regional": 0.4, "cloud": 0.02},
    "sudo_no_log": {"hq": 0.02, "regional": 0.6, "cloud": 0.02},
    "no_grub_password": {"hq": 0.02, "regional": 0.8, "cloud": 0.05},
    "no_audit_boot": {"hq": 0.02, "regional": 0.6, "cloud": 0.02},
    "rules_not_loaded": {"hq": 0.0, "regional": 0.2, "cloud": 0.0},
    "flat_partitions": {"hq": 0.02, "regional": 0.7, "cloud": 0.05},
    "shm_exec": {"hq": 0.02, "regional": 0.5, "cloud": 0.02},
    "sysctl_dropin_weak": {"hq": 0.02, "regional": 0.25, "cloud": 0.02},
    "stray_files": {"hq": 0.02, "regional": 0.4, "cloud": 0.0},
    "open_logs": {"hq": 0.02, "regional": 0.5, "cloud": 0.02},
    "plain_syslog": {"hq": 0.02, "regional": 0.7, "cloud": 0.02},
    "no_tmout": {"hq": 0.02, "regional": 0.6, "cloud": 0.02},
    "apt_trusted": {"hq": 0.0, "regional": 0.15, "cloud": 0.0},
    "root_pw_old": {"hq": 0.02, "regional": 0.5, "cloud": 0.0},
    "no_su_wheel": {"hq": 0.02, "regional": 0.7, "cloud": 0.02},
    "coredumps": {"hq": 0.02, "regional": 0.6, "cloud": 0.02},
}
# Modules the hardening role disables (the same list as gen_sample_evidence.MODULES).
MODULES = ["cramfs", "freevxfs", "hfs", "hfsplus", "jffs2", "squashfs", "udf", "dccp", "rds", "sctp", "tipc"]
NOW_DAYS = 20778  # 2026-11-21, the sample collection day
KERNEL = {"debian12": "6.1.0-27-amd64", "ubuntu22.04": "5.15.0-125-generic"}


class ServerLike(Protocol):
    """What gen_sample_evidence.Server offers."""

    host: Any
    kind: str
    gaps: set[str]

    @property
    def os(self) -> str: ...

    @property
    def debian(self) -> bool: ...

    @property
    def role(self) -> str: ...

    @property
    def approved(self) -> Mapping[str, Any]: ...

    def has(self, gap: str) -> bool: ...


def draw_depth_gaps(seed: str, host: str, kind: str, clean: bool) -> set[str]:
    rng = random.Random(int.from_bytes(hashlib.sha256(f"{seed}|{host}|depth".encode()).digest()[:8], "big"))
    gaps = {g for g, p in DEPTH_GAPS.items() if rng.random() < p.get(kind, 0.0)}
    return set() if clean else gaps


def _files(parts: Mapping[str, str]) -> str:
    return "".join(f"### {path}\n{body}" for path, body in parts.items())


def _kernel(s: ServerLike) -> str:
    return KERNEL.get(s.os, "5.14.0-427.42.1.el9_4.x86_64")


def _category_high(s: ServerLike) -> bool:
    return str(getattr(s.host, "category", "") or "high") == "high"


def sysctl_persistent(s: ServerLike, running: Mapping[str, str], checked: list[str]) -> str:
    """The vendor sysctl.d files of the distribution, plus the role's file on hardened hosts."""
    if s.debian:
        parts = {
            "/usr/lib/sysctl.d/50-pid-max.conf": "kernel.pid_max = 4194304\n",
            "/usr/lib/sysctl.d/99-protect-links.conf": "fs.protected_fifos = 1\nfs.protected_hardlinks = 1\n"
            "fs.protected_regular = 2\nfs.protected_symlinks = 1\n",
            "/etc/sysctl.d/99-sysctl.conf": "#\n# /etc/sysctl.conf - Configuration file for setting system variables\n",
            "/etc/sysctl.conf": "#\n# /etc/sysctl.conf - Configuration file for setting system variables\n",
        }
    else:
        parts = {
            "/usr/lib/sysctl.d/10-default-yama-scope.conf": "kernel.yama.ptrace_scope = 0\n",
            "/usr/lib/sysctl.d/50-coredump.conf": (
                "kernel.core_pattern=|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n"
            ),
            "/usr/lib/sysctl.d/50-default.conf": "kernel.sysrq = 16\nkernel.core_uses_pid = 1\n"
            "net.ipv4.conf.default.rp_filter = 2\nnet.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n"
            "net.ipv4.conf.default.accept_source_route = 0\nfs.protected_hardlinks = 1\nfs.protected_symlinks = 1\n",
            "/usr/lib/sysctl.d/50-pid-max.conf": "kernel.pid_max = 4194304\n",
            "/etc/sysctl.conf": (
                "# sysctl settings are defined through files in\n"
                "# /usr/lib/sysctl.d/, /run/sysctl.d/, and /etc/sysctl.d/.\n"
            ),
        }
    if not s.has("sysctl_defaults"):
        body = "# Managed by Ansible (role linux_hardening)\n" + "".join(
            f"{k} = {running[k]}\n" for k in checked if k in running
        )
        parts = {**parts, "/etc/sysctl.d/60-prakan.conf": body}
        if not s.debian:  # /etc/sysctl.conf is applied last on RHEL too: keep it last
            parts = {k: v for k, v in parts.items() if k != "/etc/sysctl.conf"} | {
                "/etc/sysctl.conf": parts["/etc/sysctl.conf"]
            }
    if s.has("sysctl_dropin_weak"):  # an application's tuning file, written after the role's
        parts["/etc/sysctl.d/99-zz-app-tuning.conf"] = (
            "# vendor tuning for the application\nnet.ipv4.conf.all.rp_filter = 2\n"
        )
    return _files(parts)


def aide_state(s: ServerLike) -> str:
    out = "probe aide\n"
    if s.has("no_aide"):
        return out
    if s.debian:
        return out + (
            "aide_binary /usr/bin/aide\naide_database /var/lib/aide/aide.db\n"
            "aide_schedule /etc/cron.daily/dailyaidecheck\n"
            "aide_schedule /etc/systemd/system/timers.target.wants/dailyaidecheck.timer\n"
        )
    return out + "aide_binary /usr/sbin/aide\naide_database /var/lib/aide/aide.db.gz\naide_schedule /etc/crontab\n"


def mac_state(s: ServerLike) -> str:
    if s.debian:
        complain = 4 if s.has("mac_complain") else 0
        return (
            f"probe mac\napparmor_enabled Y\napparmor_profiles 38\napparmor_enforce {38 - complain}\n"
            f"apparmor_complain {complain}\n"
        )
    mode = "permissive" if s.has("mac_complain") else "enforcing"
    enforce = 0 if s.has("mac_complain") else 1
    return f"probe mac\nselinux_enforce {enforce}\nselinux_config {mode}\nselinux_type targeted\n"


def kernel_cmdline(s: ServerLike) -> str:
    extra = "" if s.has("no_audit_boot") else " audit=1 audit_backlog_limit=8192"
    if s.debian:
        return f"BOOT_IMAGE=/boot/vmlinuz-{_kernel(s)} root=/dev/mapper/vg0-root ro quiet{extra}\n"
    return (
        f"BOOT_IMAGE=(hd0,gpt2)/vmlinuz-{_kernel(s)} root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M,4G-64G:256M "
        f"resume=/dev/mapper/rhel-swap rd.lvm.lv=rhel/root rd.lvm.lv=rhel/swap{extra}\n"
    )


def grub_config(s: ServerLike, token: Callable[[str], str]) -> str:
    extra = "" if s.has("no_audit_boot") else " audit=1 audit_backlog_limit=8192"
    if s.debian:
        users = "" if s.has("no_grub_password") else f'set superusers="root"\npassword_pbkdf2 root {token("grub")}\n'
        cfg = (
            f"{users}menuentry 'Debian GNU/Linux' --class debian --class gnu-linux --class os --unrestricted {{\n"
            f"\tlinux\t/vmlinuz-{_kernel(s)} root=/dev/mapper/vg0-root ro quiet{extra}\n"
            f"\tinitrd\t/initrd.img-{_kernel(s)}\n}}\n"
            f"menuentry 'Debian GNU/Linux, with Linux {_kernel(s)} (recovery mode)' {{\n"
            f"\tlinux\t/vmlinuz-{_kernel(s)} root=/dev/mapper/vg0-root ro single{extra}\n}}\n"
        )
        default = 'GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n'
        default += f'GRUB_CMDLINE_LINUX="{extra.strip()}"\n'
        return _files({"/boot/grub/grub.cfg": cfg, "/etc/default/grub": default})
    parts = {
        "/boot/grub2/grub.cfg": 'set default="${saved_entry}"\ninsmod blscfg\nblscfg\n',
        f"/boot/loader/entries/4f1c-{_kernel(s)}.conf": (
            f"title Red Hat Enterprise Linux ({_kernel(s)}) 9.4 (Plow)\nversion {_kernel(s)}\n"
            f"linux /vmlinuz-{_kernel(s)}\ninitrd /initramfs-{_kernel(s)}.img\n"
            f"options root=/dev/mapper/rhel-root ro crashkernel=1G-4G:192M,4G-64G:256M rd.lvm.lv=rhel/root{extra}\n"
        ),
        "/etc/default/grub": f'GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX="rd.lvm.lv=rhel/root{extra}"\n',
    }
    if not s.has("no_grub_password"):
        parts["/boot/grub2/user.cfg"] = f"GRUB2_PASSWORD={token('grub')}\n"
    return _files(parts)


def sudoers(s: ServerLike) -> str:
    log = "" if s.has("sudo_no_log") else 'Defaults logfile="/var/log/sudo.log"\n'
    main = (
        "Defaults env_reset\nDefaults mail_badpass\n"
        'Defaults secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n'
        f"Defaults use_pty\n{log}root ALL=(ALL:ALL) ALL\n"
    )
    main += (
        "%sudo ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n"
        if s.debian
        else "%wheel ALL=(ALL) ALL\n#includedir /etc/sudoers.d\n"
    )
    parts = {
        "/etc/sudoers": main,
        "/etc/sudoers.d/10-prakan-ops": "%ops ALL=(root) /usr/bin/systemctl restart *, /usr/bin/journalctl\n",
    }
    if s.has("sudo_nopasswd"):
        parts["/etc/sudoers.d/90-vendor-agent"] = "vendoragent ALL=(ALL) NOPASSWD: ALL\n"
    return _files(parts)


def _loaded(rules: str) -> str:
    """`auditctl -l` prints the rules it holds: keys as `-F key=`, `unset` as -1, no comments."""
    out = []
    for line in rules.splitlines():
        line = line.strip()
        if not line.startswith(("-a", "-w")):
            continue
        line = line.replace("auid!=unset", "auid!=-1")
        if line.startswith("-a") and " -k " in line:
            line = line.replace(" -k ", " -F key=")
        out.append(line)
    return "\n".join(out) + "\n"


def audit_loaded(s: ServerLike, written: str) -> str:
    if s.has("no_auditd") and s.debian:
        return "auditctl not installed\n"
    if s.has("no_auditd") or s.has("rules_not_loaded"):
        return "No rules\n"
    text = "\n".join(ln for ln in written.splitlines() if not ln.startswith("### /etc/audit/audit.rules"))
    return _loaded(text)


def mounts(s: ServerLike) -> str:
    root = "/dev/mapper/vg0-root" if s.debian else "/dev/mapper/rhel-root"
    fs = "ext4" if s.debian else "xfs"
    shm = "rw,nosuid,nodev" + ("" if s.has("shm_exec") else ",noexec")
    out = [
        ("sysfs", "/sys", "sysfs", "rw,nosuid,nodev,noexec,relatime"),
        ("proc", "/proc", "proc", "rw,nosuid,nodev,noexec,relatime"),
        ("udev", "/dev", "devtmpfs", "rw,nosuid,relatime,size=4015400k,nr_inodes=1003850,mode=755"),
        ("devpts", "/dev/pts", "devpts", "rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=000"),
        ("tmpfs", "/run", "tmpfs", "rw,nosuid,nodev,noexec,relatime,size=804336k,mode=755"),
        (
            root,
            "/",
            fs,
            "rw,relatime,errors=remount-ro" if s.debian else "rw,relatime,attr2,inode64,logbufs=8,logbsize=32k,noquota",
        ),
        ("tmpfs", "/dev/shm", "tmpfs", shm),
    ]
    if not s.has("flat_partitions"):
        vg = "vg0" if s.debian else "rhel"
        hard = "rw,nosuid,nodev,noexec,relatime"
        out += [
            (f"/dev/mapper/{vg}-tmp", "/tmp", fs, hard),
            (f"/dev/mapper/{vg}-var", "/var", fs, "rw,nodev,relatime"),
            (f"/dev/mapper/{vg}-vartmp", "/var/tmp", fs, hard),
            (f"/dev/mapper/{vg}-log", "/var/log", fs, hard),
            (f"/dev/mapper/{vg}-audit", "/var/log/audit", fs, hard),
            (f"/dev/mapper/{vg}-home", "/home", fs, "rw,nosuid,nodev,relatime"),
        ]
    out.append(("/dev/sda1", "/boot", "ext4" if s.debian else "xfs", "rw,nosuid,nodev,relatime"))
    return "".join(f"{d} {t} {f} {o} 0 0\n" for d, t, f, o in out)


def system_file_modes(s: ServerLike) -> str:
    group, mode = ("root", "600") if s.debian else ("ssh_keys", "640")
    out = "".join(f"hostkey {mode} root {group} /etc/ssh/ssh_host_{k}_key\n" for k in ("ecdsa", "ed25519", "rsa"))
    out += "".join(f"hostpub 644 root root /etc/ssh/ssh_host_{k}_key.pub\n" for k in ("ecdsa", "ed25519", "rsa"))
    if s.has("stray_files"):
        out = "bin 775 root staff /usr/local/bin/backup-nightly.sh\n" + out
    return out


def local_file_findings(s: ServerLike) -> str:
    if not s.has("stray_files"):
        return ""
    return (
        "ww_dir /srv/share/incoming\nww_file /opt/legacy-app/conf/app.properties\n"
        "nouser /home/somsak.old/.bash_history\nnogroup /opt/legacy-app/bin/start.sh\n"
    )


def log_files(s: ServerLike) -> str:
    if not s.has("open_logs"):
        return ""
    return (
        "other 644 root root /var/log/dpkg.log\nother 644 root root /var/log/alternatives.log\n"
        if s.debian
        else "other 644 root root /var/log/dnf.log\nother 644 root root /var/log/hawkey.log\n"
    )


def logrotate(s: ServerLike) -> str:
    main = "# rotate log files weekly\nweekly\n# keep 13 weeks (90 days, NCSA)\nrotate 13\n"
    main += "create\ndateext\ninclude /etc/logrotate.d\n"
    return _files({"/etc/logrotate.conf": main})


def journald_conf(s: ServerLike) -> str:
    return _files(
        {
            "/etc/systemd/journald.conf": "[Journal]\n#Storage=auto\n#Compress=yes\n",
            "/etc/systemd/journald.conf.d/60-prakan.conf": "[Journal]\nStorage=persistent\nForwardToSyslog=yes\n",
        }
    )


def syslog_tls(s: ServerLike) -> str | None:
    """The TLS forwarding file that replaces plain TCP on hardened hosts (None: keep plain forwarding)."""
    if s.has("plain_syslog") or s.has("no_remote_log") or s.role == "syslog":
        return None
    target = s.approved.get("syslog_servers", ["10.10.0.31"])[0]
    return (
        "# Managed by Ansible (role linux_hardening): forward everything to the central log server over TLS\n"
        'global(DefaultNetstreamDriverCAFile="/etc/ssl/certs/prakan-gov-ca.pem")\n'
        f'*.* action(type="omfwd" target="{target}" port="6514" protocol="tcp"\n'
        '         StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"\n'
        '         action.resumeRetryCount="-1" queue.type="LinkedList" queue.size="10000"\n'
        '         queue.filename="fwd_central" queue.saveOnShutdown="on")\n'
    )


def shell_profiles(s: ServerLike) -> str:
    parts = {
        "/etc/profile": 'if [ "$(id -u)" -eq 0 ]; then\n'
        '  PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n'
        "fi\nexport PATH\nif [ -d /etc/profile.d ]; then\n  for i in /etc/profile.d/*.sh; do . $i; done\nfi\n"
    }
    if not s.has("no_tmout"):
        parts["/etc/profile.d/99-prakan-session.sh"] = (
            "# Managed by Ansible (role linux_hardening)\nTMOUT=900\nreadonly TMOUT\nexport TMOUT\numask 027\n"
        )
    return _files(parts)


def logind_conf(s: ServerLike) -> str:
    parts = {"/etc/systemd/logind.conf": "[Login]\n#KillUserProcesses=no\n#StopIdleSessionSec=infinity\n"}
    if not s.has("no_tmout"):
        parts["/etc/systemd/logind.conf.d/60-prakan.conf"] = "[Login]\nStopIdleSessionSec=900\n"
    return _files(parts)


def loaded_modules(s: ServerLike) -> str:
    mods = [
        "ext4 1007616 3 - Live 0x0000000000000000",
        "mbcache 16384 1 ext4, Live 0x0000000000000000",
        "nf_tables 344064 1 - Live 0x0000000000000000",
        "dm_mod 184320 9 - Live 0x0000000000000000",
    ]
    if s.has("sysctl_defaults"):
        mods.append("sctp 434176 2 - Live 0x0000000000000000")
    return "\n".join(mods) + "\n"


def package_sources(s: ServerLike) -> str:
    if s.debian:
        suite = "bookworm" if s.os == "debian12" else "jammy"
        parts = {
            "/etc/apt/sources.list": f"deb http://mirror.gdcc.example/debian {suite} main\n"
            f"deb http://mirror.gdcc.example/debian-security {suite}-security main\n",
            "/etc/apt/apt.conf.d/70debconf": 'DPkg::Pre-Install-Pkgs {"/usr/sbin/dpkg-preconfigure --apt || true";};\n',
        }
        if s.has("apt_trusted"):
            parts["/etc/apt/sources.list.d/internal.list"] = "deb [trusted=yes] http://10.20.0.40/repo ./\n"
        return _files(parts)
    return _files(
        {
            "/etc/dnf/dnf.conf": "[main]\ngpgcheck=1\ninstallonly_limit=3\nclean_requirements_on_remove=True\n",
            "/etc/yum.repos.d/redhat.repo": "[rhel-9-for-x86_64-baseos-rpms]\nname = BaseOS\n"
            "baseurl = https://mirror.gdcc.example/rhel9/baseos\nenabled = 1\ngpgcheck = 1\n"
            "gpgkey = file:///etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release\n",
        }
    )


def root_access(s: ServerLike) -> str:
    if s.debian and not s.has("root_pw_old"):
        return f"now_days {NOW_DAYS}\nroot_password locked\nroot_lastchg 19800\n"
    changed = NOW_DAYS - (612 if s.has("root_pw_old") else 75)
    return f"now_days {NOW_DAYS}\nroot_password set\nroot_lastchg {changed}\n"


def pam_su(s: ServerLike) -> str:
    wheel = (
        "# auth       required   pam_wheel.so"
        if s.has("no_su_wheel")
        else "auth       required   pam_wheel.so use_uid group=sugroup"
    )
    if s.debian:
        return _files(
            {
                "/etc/pam.d/su": f"auth       sufficient pam_rootok.so\n{wheel}\n"
                "session       required   pam_env.so readenv=1\n"
                "@include common-auth\n@include common-account\n@include common-session\n"
            }
        )
    return _files(
        {
            "/etc/pam.d/su": f"auth\t\tsufficient\tpam_rootok.so\n{wheel}\nauth\t\tsubstack\tsystem-auth\n"
            "account\t\tsufficient\tpam_succeed_if.so uid = 0 use_uid quiet\n"
        }
    )


def coredump_config(s: ServerLike) -> str:
    parts = {
        "/etc/security/limits.conf": "# /etc/security/limits.conf\n#<domain>      <type>  <item>         <value>\n"
    }
    if not s.has("coredumps"):
        parts["/etc/security/limits.d/60-prakan.conf"] = "* hard core 0\n"
    if not s.debian:
        parts["/etc/systemd/coredump.conf"] = "[Coredump]\n#Storage=external\n#ProcessSizeMax=2G\n"
        if not s.has("coredumps"):
            parts["/etc/systemd/coredump.conf.d/60-prakan.conf"] = "[Coredump]\nStorage=none\nProcessSizeMax=0\n"
    return _files(parts)
