import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from prakan.catalog import CatalogError, load_catalog
from prakan.cli import cli
from prakan.paths import CHECKS_DIR


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["checks", *args])
    return result.exit_code, result.output


def test_list_show_and_test() -> None:
    code, out = run("list", "--platform", "cisco_ios", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and len(listed) >= 40 and all("cisco_ios" in c["platforms"] for c in listed)
    code, out = run("show", "lnx-ssh-004")
    assert code == 0 and "id: LNX-SSH-004" in out and "# evidence source sshd_effective: `sshd -T`" in out
    code, out = run("show", "LNX-SSH-004", "--format", "json")
    assert code == 0 and json.loads(out)["evidence_commands"] == {"sshd_effective": "sshd -T"}
    code, out = run("test", "LNX-SSH-004", "IOS-MGMT-010")
    assert code == 0 and out.strip().endswith("(2 checks, 10 samples)") and " 0 failed" in out
    code, out = run("show", "NOPE-XXX-000")
    assert code == 3 and "no check" in out


def test_coverage_lists_every_iso_control_and_cop_clause() -> None:
    code, out = run("coverage", "--format", "json")
    rows = json.loads(out)
    iso = [r for r in rows if r["framework"] == "iso27001_2022"]
    assert code == 0 and len(iso) == 93 and {r["status"] for r in iso} <= {"automated", "manual"}
    cop = [r for r in rows if r["framework"] == "ncsa_cop_2564"]
    assert cop and all(r["status"] in ("automated", "manual") for r in cop)
    ssh_root = next(r for r in iso if r["id"] == "8.5")
    assert "LNX-SSH-004" in ssh_root["automated"]
    tiers = {r["id"]: r for r in rows if r["framework"] == "ncsa_min_std_2566"}
    assert {"low", "medium", "high"} <= set(tiers)
    code, _ = run("coverage", "--framework", "nope")
    assert code == 3


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("command: configure terminal", "only run `show` commands"),
        ('command: "show version\\nreload"', "must be one line"),
    ],
)
def test_catalog_refuses_sources_that_could_change_a_device(tmp_path: Path, bad: str, why: str) -> None:
    root = tmp_path / "checks"
    shutil.copytree(CHECKS_DIR, root)
    text = (root / "sources.yml").read_text(encoding="utf-8")
    (root / "sources.yml").write_text(text.replace("command: show version", bad), encoding="utf-8")
    with pytest.raises(CatalogError, match=why):
        load_catalog(root)
