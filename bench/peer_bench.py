"""Benchmark: Prakan beside OpenSCAP and Lynis on the same lab host, in three states.

    sudo .venv/bin/python bench/peer_bench.py [--rounds 5] [--states stock,hardened,weakened] [--keep DIR]

Needs root (the lab's hosts are network namespaces booting systemd in systemd-nspawn, as in the
playbook round trip). What it does:

1. Installs the peers into the lab hosts from Debian's packages: `openscap-scanner`, `lynis` and
   `linux-base` (which OpenSCAP's Debian content needs to call a host a real system) from bookworm,
   served to the hosts by the lab's local repository, and the Debian 12 data stream from trixie's
   `ssg-debian` (bookworm's 0.1.65 has none), unpacked on this machine. `oscap-ssh` comes unpacked
   from bookworm's `openscap-utils`. The download uses the machine's own Debian mirror with apt state
   kept in the cache (the machine's apt configuration is not touched); everything is cached under
   /var/cache/prakan-lab/peers-<key>.
2. Boots three hosts: `stock` (as installed), `hardened` (playbooks/site.yml applied) and `weakened`
   (hardened, then weakened through drop-in files only: sshd_config.d, sysctl.d, sudoers.d,
   limits.d, profile.d, pwquality.conf.d, journald.conf.d; sshd restarted, kernel values not applied).
3. Per state and round, one after the other, over SSH as the same sudo user from this machine:
   `prakan scan` of the host (collection, evaluation, HTML report, CSV, JUnit), `oscap-ssh --sudo`
   with the `standard` and `anssi_bp28_high` profiles (results XML and HTML report), and
   `lynis audit system --quick` (PKGS-7392, the `apt-get update` a lab host cannot reach, skipped).
4. Prints the median wall time of each, the ratios, and the agreement between Prakan's checks and
   the ComplianceAsCode rules each names in `refs.ssg` (evaluated once more with OpenSCAP's `(all)`
   profile restricted to those rules), with every disagreement.
"""

from __future__ import annotations

import argparse
import collections
import fcntl
import hashlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests")]

from lab import nspawn  # noqa: E402
from lab.golden import CACHE_ROOT, debian_mirror  # noqa: E402
from lab.hosts import Host, HostSpec  # noqa: E402
from lab.inventory import LAB_APPROVED, write_inventory  # noqa: E402
from lab.keys import KeyPair, make_keypair  # noqa: E402
from prakan.catalog import load_catalog  # noqa: E402

BIN = Path(sys.executable).parent
PEER_PACKAGES = ("openscap-scanner", "lynis", "linux-base")
DATA_STREAM = "ssg-debian12-ds.xml"
PROFILE = "xccdf_org.ssgproject.content_profile_"
RULE = "xccdf_org.ssgproject.content_rule_"
XCCDF = "{http://checklists.nist.gov/xccdf/1.2}"
STATES = ("stock", "hardened", "weakened")
REVISION = "1"  # raise when prepare() changes what it makes

# Weakening through drop-in files only: what an admin or a package leaves behind after hardening.
WEAK_FILES = {
    "/etc/ssh/sshd_config.d/00-local.conf": (  # read before the hardening's 00-prakan.conf: first value wins
        "PermitRootLogin yes\nPasswordAuthentication yes\nPermitEmptyPasswords yes\nX11Forwarding yes\n"
        "MaxAuthTries 10\nClientAliveInterval 0\nLoginGraceTime 600\nIgnoreRhosts no\nHostbasedAuthentication yes\n"
        "PermitUserEnvironment yes\nAllowTcpForwarding yes\nLogLevel QUIET\n"
    ),
    "/etc/sysctl.d/99-weak.conf": (
        "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.accept_redirects = 1\nnet.ipv4.conf.all.send_redirects = 1\n"
        "net.ipv4.conf.all.accept_source_route = 1\nnet.ipv4.tcp_syncookies = 0\nkernel.randomize_va_space = 0\n"
        "kernel.dmesg_restrict = 0\nfs.suid_dumpable = 2\nkernel.sysrq = 1\n"
    ),
    "/etc/sudoers.d/99-weak": "Defaults !use_pty\nDefaults timestamp_timeout=-1\n",
    "/etc/security/limits.d/99-weak.conf": "* hard core unlimited\n",
    "/etc/profile.d/zz-weak.sh": "TMOUT=0\numask 000\n",
    "/etc/security/pwquality.conf.d/99-weak.conf": "minlen = 6\nminclass = 1\n",
    "/etc/systemd/journald.conf.d/99-weak.conf": "[Journal]\nStorage=volatile\nCompress=no\n",
}


def sh(*cmd: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode:
        sys.exit(f"{shlex.join(cmd[:6])} ... failed ({res.returncode}): {res.stderr[-2000:]}")
    return res


# --- the peers, from Debian's packages ---------------------------------------------------------


@dataclass(frozen=True)
class Peers:
    repo: Path  # the lab's local repository plus the peers' packages
    data_stream: Path  # ssg-debian12-ds.xml
    oscap_ssh: Path
    versions: dict[str, str]


def _apt(work: Path, suite: str, status: Path) -> list[str]:
    """apt-get with its sources, lists and cache in `work`, resolving against `status` (a dpkg status file)."""
    (work / "lists/partial").mkdir(parents=True, exist_ok=True)
    (work / "cache/archives/partial").mkdir(parents=True, exist_ok=True)
    sources = work / "sources.list"
    sources.write_text(
        f"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] {debian_mirror()} {suite} main\n"
    )
    opts = {
        "Dir::Etc::SourceList": sources,
        "Dir::Etc::SourceParts": "/dev/null",
        "Dir::State::Lists": work / "lists",
        "Dir::Cache": work / "cache",
        "Dir::Cache::pkgcache": "",
        "Dir::Cache::srcpkgcache": "",
        "Dir::State::status": status,
        "Debug::NoLocking": "1",
    }
    return ["apt-get", "-q", *(a for k, v in opts.items() for a in ("-o", f"{k}={v}"))]


def prepare(golden: Path, lab_repo: Path) -> Peers:
    key = hashlib.sha256(f"{golden.name}|{' '.join(PEER_PACKAGES)}|{REVISION}".encode()).hexdigest()[:16]
    dest = CACHE_ROOT / f"peers-{key}"
    with open(CACHE_ROOT / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not dest.is_dir():
            tmp = dest.with_name(f".build-{dest.name}")
            shutil.rmtree(tmp, ignore_errors=True)
            _build_peers(tmp, golden, lab_repo)
            tmp.rename(dest)
    versions = json.loads((dest / "versions.json").read_text())
    return Peers(dest / "repo", dest / DATA_STREAM, dest / "utils/usr/bin/oscap-ssh", versions)


def _build_peers(dest: Path, golden: Path, lab_repo: Path) -> None:
    status = golden / "var/lib/dpkg/status"
    bookworm, trixie = dest / "apt-bookworm", dest / "apt-trixie"
    apt = _apt(bookworm, "bookworm", status)
    sh(*apt, "update")
    sh(*apt, "-y", "--no-install-recommends", "--download-only", "install", *PEER_PACKAGES)
    repo = dest / "repo"
    repo.mkdir(parents=True)
    for deb in [*lab_repo.glob("*.deb"), *(bookworm / "cache/archives").glob("*.deb")]:
        if not (repo / deb.name).exists():
            shutil.copy2(deb, repo / deb.name)
    (repo / "Packages").write_bytes(
        subprocess.run(["dpkg-scanpackages", "--multiversion", "."], cwd=repo, capture_output=True, check=True).stdout
    )
    (repo / "Release").write_bytes(
        subprocess.run(["apt-ftparchive", "release", "."], cwd=repo, capture_output=True, check=True).stdout
    )
    # oscap-ssh (a shell script over ssh and scp) from openscap-utils, unpacked, not installed.
    sh(*apt, "download", "openscap-utils", cwd=dest)
    # The Debian 12 data stream: trixie's ssg-debian is architecture-independent XML.
    apt_t = _apt(trixie, "trixie", status)
    sh(*apt_t, "update")
    sh(*apt_t, "download", "ssg-debian", cwd=dest)
    versions: dict[str, str] = {}
    for deb in sorted(dest.glob("*.deb")):
        sh("dpkg-deb", "-x", str(deb), str(dest / ("utils" if "openscap-utils" in deb.name else "ssg")))
    for deb in sorted(repo.glob("*.deb")):
        name = deb.name.split("_")[0]
        if name in ("openscap-scanner", "lynis"):
            versions[name] = sh("dpkg-deb", "-f", str(deb), "Version").stdout.strip()
    ssg = next(dest.glob("ssg-debian_*.deb"))
    versions["ssg-debian"] = sh("dpkg-deb", "-f", str(ssg), "Version").stdout.strip()
    found = list((dest / "ssg").rglob(DATA_STREAM))
    if not found:
        sys.exit(f"{ssg.name} carries no {DATA_STREAM}")
    shutil.copy2(found[0], dest / DATA_STREAM)
    (dest / "versions.json").write_text(json.dumps(versions))
    for d in (bookworm, trixie):
        shutil.rmtree(d)


# --- the lab -----------------------------------------------------------------------------------


class Bench:
    def __init__(self, work: Path, key: KeyPair, hosts: list[Host], peers: Peers) -> None:
        self.work, self.key, self.peers = work, key, peers
        self.hosts = {h.name: h for h in hosts}
        self.inventory = write_inventory(work / "inventory", hosts, [], key)
        self.known_hosts = self.inventory.parent / "known_hosts"
        gv = self.inventory.parent / "group_vars"
        gv.mkdir(exist_ok=True)
        (gv / "all.yml").write_text(
            yaml.safe_dump(
                {"prakan_approved": LAB_APPROVED, "linux_baseline_apt_repository": nspawn.REPO_LINE},
                allow_unicode=True,
            )
        )
        self.env = {
            # as an installed package runs: byte code cached (a developer's shell may turn that off)
            **{k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PRAKAN_NO_CACHE")},
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_DATA_HOME": str(work / "data"),
            "XDG_CACHE_HOME": str(work / "cache"),
            "PRAKAN_REDACTION_KEY": "",
            "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
            "ANSIBLE_PIPELINING": "1",
            "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.json",
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "SSH_ADDITIONAL_OPTIONS": self.ssh_options(),
        }

    def ssh_options(self) -> str:
        return (
            f"-i {self.key.private} -o IdentitiesOnly=yes -o UserKnownHostsFile={self.known_hosts} "
            "-o StrictHostKeyChecking=yes -o BatchMode=yes"
        )

    def ssh(self, host: Host, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ssh", *shlex.split(self.ssh_options()), f"lab@{host.address}", command],
            capture_output=True,
            text=True,
            timeout=900,
        )

    def install_peers(self, host: Host) -> None:
        line = nspawn.REPO_LINE
        apt = "apt-get -q -o Dir::Etc::SourceList=/run/peers.list -o Dir::Etc::SourceParts=/dev/null"
        script = (
            f"echo '{line}' > /run/peers.list && {apt} update && DEBIAN_FRONTEND=noninteractive "
            f"{apt} -y --no-install-recommends install {' '.join(PEER_PACKAGES)} && "
            "mkdir -p /etc/lynis && echo 'skip-test=PKGS-7392' > /etc/lynis/custom.prf"
        )
        res = host.exec("sh", "-c", script, check=False)
        if res.returncode:
            sys.exit(f"{host.name}: installing the peers failed: {res.stderr[-2000:]}")

    def harden(self, names: list[str]) -> float:
        t0 = time.monotonic()
        proc = subprocess.run(
            [BIN / "ansible-playbook", "-i", self.inventory, ROOT / "playbooks/site.yml", "--limit", ",".join(names)],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=1800,
        )
        stats = json.loads(proc.stdout)["stats"] if proc.stdout.startswith("{") else {}
        if proc.returncode or any(s["failures"] or s["unreachable"] for s in stats.values()):
            (self.work / "harden.log").write_text(proc.stdout + proc.stderr)
            sys.exit(f"hardening failed (exit {proc.returncode}); see {self.work / 'harden.log'}")
        return time.monotonic() - t0

    def weaken(self, host: Host) -> None:
        for path, content in WEAK_FILES.items():
            target = host.root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
            target.chmod(0o440 if "sudoers" in path else 0o644)
        for unit in ("ssh", "systemd-journald"):
            host.exec("systemctl", "restart", unit)

    # Each tool returns the file its verdicts are in.
    def prakan(self, host: Host, out: Path) -> Path:
        ev = out / "evidence"
        cmd = [str(BIN / "prakan"), "scan", "-i", str(self.inventory), "--limit", host.name, "--evidence-dir"]
        cmd += [str(ev), "--known-hosts", str(self.known_hosts), "-q", "--fail-on", "critical"]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=900)
        if proc.returncode not in (0, 1):
            sys.exit(f"prakan scan of {host.name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return ev / "results.json"

    def oscap(self, host: Host, out: Path, profile: str, rules: Iterable[str] = ()) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        results = out / "oscap-results.xml"
        cmd = [str(self.peers.oscap_ssh), "--sudo", f"lab@{host.address}", "22", "xccdf", "eval"]
        cmd += ["--profile", profile, *(a for r in rules for a in ("--rule", RULE + r))]
        cmd += ["--results", str(results), "--report", str(out / "oscap-report.html"), str(self.peers.data_stream)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env, timeout=1800)
        if proc.returncode not in (0, 2) or not results.exists():
            sys.exit(f"oscap-ssh {profile} on {host.name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return results

    def lynis(self, host: Host, out: Path) -> Path:
        out.mkdir(parents=True, exist_ok=True)
        cmd = "sudo lynis audit system --quick --no-colors --logfile /tmp/lynis.log --report-file /tmp/lynis.dat"
        proc = self.ssh(host, cmd)
        if proc.returncode:
            sys.exit(f"lynis on {host.name} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        report = out / "lynis-report.dat"
        report.write_text(self.ssh(host, "sudo cat /tmp/lynis.dat").stdout)
        return report


def timed(fn: Callable[[], Path]) -> tuple[float, Path]:
    t0 = time.perf_counter()
    path = fn()
    return time.perf_counter() - t0, path


# --- agreement ---------------------------------------------------------------------------------


def oscap_results(path: Path) -> dict[str, str]:
    """rule id (without the prefix) -> result, from an XCCDF 1.2 results file."""
    out = {}
    for rr in ET.parse(path).getroot().iter(f"{XCCDF}rule-result"):
        rule = rr.get("idref", "").removeprefix(RULE)
        result = rr.find(f"{XCCDF}result")
        if result is not None and result.text:
            out[rule] = result.text
    return out


def data_stream_rules(data_stream: Path) -> set[str]:
    """Every rule id (without the prefix) the data stream defines."""
    rules = set()
    for _, el in ET.iterparse(data_stream):
        if el.tag == f"{XCCDF}Rule" and el.get("id", "").startswith(RULE):
            rules.add(el.get("id", "").removeprefix(RULE))
        el.clear()
    return rules


def ssg_verdict(rules: list[str], results: dict[str, str]) -> tuple[str, str]:
    """One verdict for the rules a check names: fail if any fails, pass if all that were assessed pass."""
    got = {r: results.get(r, "absent") for r in rules}
    shown = ", ".join(f"{r}={v}" for r, v in got.items())
    assessed = [v for v in got.values() if v in ("pass", "fail")]
    if not assessed:
        return "no verdict", shown
    return ("fail" if "fail" in assessed else "pass"), shown


@dataclass
class Comparison:
    state: str
    check: str
    prakan: str
    openscap: str
    detail: str
    actual: str


def compare(state: str, prakan_results: Path, ssg: dict[str, str], refs: dict[str, list[str]]) -> list[Comparison]:
    doc = json.loads(prakan_results.read_text())
    (host,) = doc["hosts"]
    out = []
    for r in host["results"]:
        if r["check"] not in refs:
            continue
        verdict, detail = ssg_verdict(refs[r["check"]], ssg)
        out.append(Comparison(state, r["check"], r["status"], verdict, detail, str(r.get("actual", ""))[:160]))
    return out


def lynis_tests(report: Path) -> int:
    for line in report.read_text(errors="replace").splitlines():
        if line.startswith("tests_executed="):
            return len([t for t in line.split("=", 1)[1].split("|") if t])
    return 0


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--states", default=",".join(STATES))
    ap.add_argument("--keep", type=Path, help="keep the outputs (results, reports) in this directory")
    args = ap.parse_args()
    states = [s for s in args.states.split(",") if s]
    if os.geteuid() != 0:
        sys.exit("run as root: the lab's hosts are network namespaces booting systemd")
    if any(s not in STATES for s in states):
        sys.exit(f"--states: choose from {', '.join(STATES)}")
    if why := nspawn.nspawn_unavailable():
        sys.exit(why)

    catalog = load_catalog()
    refs = {c.id: list(c.refs["ssg"]) for c in catalog.checks.values() if "linux" in c.platforms and c.refs.get("ssg")}
    mapped_rules = sorted({r for rs in refs.values() for r in rs})
    golden, lab_repo = nspawn.ensure_golden()
    t0 = time.monotonic()
    peers = prepare(golden, lab_repo)
    print(f"peers ready in {time.monotonic() - t0:.1f} s: {peers.versions}", flush=True)

    work = Path(args.keep or tempfile.mkdtemp(prefix="prakan-peer-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    key = make_keypair(work / "keys")
    lab = nspawn.NspawnLab(golden, peers.repo)
    try:
        hosts = lab.up([HostSpec(name=s) for s in states], key.public)
        bench = Bench(work, key, hosts, peers)
        for h in hosts:
            bench.install_peers(h)
        if to_harden := [s for s in states if s != "stock"]:
            print(f"hardening {', '.join(to_harden)}: {bench.harden(to_harden):.0f} s", flush=True)
        if "weakened" in states:
            bench.weaken(bench.hosts["weakened"])

        tools: dict[str, Callable[[Host, Path], Path]] = {
            "prakan scan": bench.prakan,
            "oscap standard": lambda h, o: bench.oscap(h, o, PROFILE + "standard"),
            "oscap anssi_bp28_high": lambda h, o: bench.oscap(h, o, PROFILE + "anssi_bp28_high"),
            "lynis --quick": bench.lynis,
        }
        walls: dict[str, list[float]] = collections.defaultdict(list)
        last: dict[tuple[str, str], Path] = {}
        for tool, fn in tools.items():  # one untimed run each: caches, byte code and page cache warm for all
            fn(bench.hosts[states[0]], work / "warm-up" / tool.replace(" ", "-"))
        for rnd in range(args.rounds):
            for state in states:
                host = bench.hosts[state]
                for tool, fn in tools.items():
                    out = work / "runs" / state / tool.replace(" ", "-") / str(rnd)
                    out.mkdir(parents=True, exist_ok=True)
                    wall, path = timed(lambda fn=fn, host=host, out=out: fn(host, out))
                    walls[tool].append(wall)
                    last[(state, tool)] = path
            print(f"round {rnd + 1}/{args.rounds} done", flush=True)

        report(args.rounds, states, walls, last, bench, refs, mapped_rules)
        print(f"\noutputs: {work}")
    finally:
        lab.down()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(
    rounds: int,
    states: list[str],
    walls: dict[str, list[float]],
    last: dict[tuple[str, str], Path],
    bench: Bench,
    refs: dict[str, list[str]],
    mapped_rules: list[str],
) -> None:
    med = {tool: statistics.median(ws) for tool, ws in walls.items()}
    print(f"\n== speed: one host, median wall of {rounds} rounds x {len(states)} states ==")
    print(f"{'tool':24} {'median s':>9} {'min s':>7} {'max s':>7} {'Prakan faster by':>17}")
    for tool, ws in walls.items():
        ratio = med[tool] / med["prakan scan"]
        print(f"{tool:24} {med[tool]:9.2f} {min(ws):7.2f} {max(ws):7.2f} {ratio:16.1f}x")

    print("\n== what each assessed (last round) ==")
    for state in states:
        p = json.loads(last[(state, "prakan scan")].read_text())["hosts"][0]["results"]
        counts = collections.Counter(r["status"] for r in p)
        line = [f"{state:9} prakan {len(p)} checks {dict(sorted(counts.items()))}"]
        for prof in ("standard", "anssi_bp28_high"):
            res = collections.Counter(oscap_results(last[(state, f"oscap {prof}")]).values())
            selected = sum(n for r, n in res.items() if r != "notselected")
            line.append(f"oscap {prof} {selected} rules selected {dict(sorted(res.items()))}")
        line.append(f"lynis {lynis_tests(last[(state, 'lynis --quick')])} tests")
        print("\n    ".join(line))

    print(f"\n== agreement on the settings mapped in refs.ssg ({len(refs)} checks, {len(mapped_rules)} rules) ==")
    known = data_stream_rules(bench.peers.data_stream)
    absent = [r for r in mapped_rules if r not in known]
    print(f"named in refs.ssg, not defined in the Debian 12 data stream ({len(absent)}): {', '.join(absent)}")
    all_cmp: list[Comparison] = []
    for state in states:
        out = bench.work / "runs" / state / "oscap-mapped"
        ssg = oscap_results(bench.oscap(bench.hosts[state], out, "(all)", [r for r in mapped_rules if r in known]))
        all_cmp += compare(state, last[(state, "prakan scan")], ssg, refs)
    for state in [*states, "all"]:
        rows = [c for c in all_cmp if state in ("all", c.state)]
        both = [c for c in rows if c.prakan in ("pass", "fail") and c.openscap in ("pass", "fail")]
        agree = sum(c.prakan == c.openscap for c in both)
        no_ssg = sum(c.openscap == "no verdict" for c in rows)
        prakan_unknown = sum(c.prakan not in ("pass", "fail") and c.openscap != "no verdict" for c in rows)
        pct = 100 * agree / len(both) if both else 0.0
        print(
            f"{state:9} both decided {len(both):4}  agree {agree:4} ({pct:5.1f}%)  disagree {len(both) - agree:3}"
            f"  OpenSCAP no verdict {no_ssg:3}  Prakan not pass/fail {prakan_unknown:3}"
        )
    why: collections.Counter[str] = collections.Counter()
    for c in all_cmp:
        if c.openscap == "no verdict":
            results = {v.split("=", 1)[1] for v in c.detail.split(", ")}
            why["not in the data stream" if results == {"absent"} else "/".join(sorted(results - {"absent"}))] += 1
    print(f"OpenSCAP without a verdict, by its results for the rules: {dict(why.most_common())}")
    if {"hardened", "weakened"} <= set(states):
        by = {(c.state, c.check): c for c in all_cmp}
        for tool in ("prakan", "openscap"):
            flipped = sorted(
                ch
                for (st, ch), c in by.items()
                if st == "hardened" and getattr(c, tool) == "pass" and getattr(by[("weakened", ch)], tool) == "fail"
            )
            print(f"weakening seen by {tool} (pass when hardened, fail when weakened): {len(flipped)} {flipped}")
    print("\n== every disagreement (Prakan vs OpenSCAP) ==")
    for c in all_cmp:
        if c.prakan in ("pass", "fail") and c.openscap in ("pass", "fail") and c.prakan != c.openscap:
            print(f"{c.state:9} {c.check:14} prakan {c.prakan:4} openscap {c.openscap:4}  {c.detail}")
            print(f"{'':25}prakan saw: {c.actual}")
    (bench.work / "comparison.json").write_text(json.dumps([c.__dict__ for c in all_cmp], indent=1))


if __name__ == "__main__":
    main()
