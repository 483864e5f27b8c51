"""The per-user catalog cache: used when the catalog is unchanged, rebuilt when it changes, refused when altered."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from prakan import catalog as catalog_mod
from prakan import catalog_cache
from prakan.catalog import Catalog, load_catalog
from prakan.paths import CHECKS_DIR


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("PRAKAN_CACHE_DIR", raising=False)
    monkeypatch.delenv("PRAKAN_NO_CACHE", raising=False)
    return tmp_path / "xdg" / "prakan" / "catalog"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of the catalog that tests may edit."""
    dest = tmp_path / "checks"
    shutil.copytree(CHECKS_DIR, dest, symlinks=False)
    return dest


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("catalog-*.json"))


def _no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the YAML files were parsed although the cache was valid")

    monkeypatch.setattr(catalog_mod, "_parse", refuse)


def _same(a: Catalog, b: Catalog) -> None:
    assert a.sha256 == b.sha256
    assert [(c.id, c.raw, c.path) for c in a.checks.values()] == [(c.id, c.raw, c.path) for c in b.checks.values()]
    assert a.frameworks == b.frameworks and a.sources == b.sources


def test_an_unchanged_catalog_is_served_from_the_private_cache(
    cache_home: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load_catalog(root)
    (entry,) = _entries(cache_home)
    assert oct(cache_home.stat().st_mode & 0o777) == "0o700"
    assert oct(entry.stat().st_mode & 0o777) == "0o600" and oct((cache_home / "key").stat().st_mode & 0o777) == "0o600"
    _no_yaml(monkeypatch)
    warm = load_catalog(root)
    _same(cold, warm)
    # the rules are compiled again from the cached data and behave the same
    for check in ("LNX-KERN-005", "LNX-AUD-018", "IOS-SNMP-002"):
        assert warm.checks[check].rule is not None


def test_a_changed_check_file_gives_a_new_entry(cache_home: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_catalog(root)
    path = root / "linux" / "sudo" / "LNX-SUDO-005.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: low", "severity: medium"), encoding="utf-8")
    second = load_catalog(root)
    assert second.sha256 != first.sha256
    assert second.checks["LNX-SUDO-005"].severity == "medium"
    assert len(_entries(cache_home)) == 2
    _no_yaml(monkeypatch)
    assert load_catalog(root).checks["LNX-SUDO-005"].severity == "medium"


def test_an_altered_entry_is_refused_and_rebuilt(
    cache_home: Path, root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_catalog(root)
    (entry,) = _entries(cache_home)
    mac, _, payload = entry.read_bytes().partition(b"\n")
    data = json.loads(payload)
    for _rel, check in data["checks"]:
        if check["id"] == "LNX-SSH-004":  # make `PermitRootLogin yes` pass
            check["rule"] = {"key": "permitrootlogin", "in": ["yes", "no"]}
    entry.write_bytes(mac + b"\n" + json.dumps(data).encode())
    with caplog.at_level(logging.WARNING, logger="prakan.catalog_cache"):
        again = load_catalog(root)
    assert "HMAC does not match" in caplog.text
    assert again.checks["LNX-SSH-004"].raw["rule"] == {"key": "permitrootlogin", "in": ["no"]}
    # the entry was rewritten from the YAML and verifies again
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="prakan.catalog_cache"):
        load_catalog(root)
    assert "refused" not in caplog.text


def test_an_entry_for_another_catalog_under_this_name_is_refused(
    cache_home: Path, root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    load_catalog(root)
    (entry,) = _entries(cache_home)
    payload = entry.read_bytes().partition(b"\n")[2]
    data = json.loads(payload)
    data["catalog_sha256"] = "0" * 64
    forged = json.dumps(data).encode()
    key = (cache_home / "key").read_bytes()
    entry.write_bytes(hmac.new(key, forged, hashlib.sha256).hexdigest().encode() + b"\n" + forged)
    with caplog.at_level(logging.WARNING, logger="prakan.catalog_cache"):
        load_catalog(root)
    assert "for another catalog" in caplog.text


def test_a_cache_others_can_write_is_not_used(cache_home: Path, root: Path, caplog: pytest.LogCaptureFixture) -> None:
    load_catalog(root)
    os.chmod(cache_home / "key", 0o666)
    with caplog.at_level(logging.WARNING, logger="prakan.catalog_cache"):
        catalog = load_catalog(root)
    assert "not a private file" in caplog.text
    assert len(catalog.checks) > 300


def test_the_cache_can_be_turned_off(cache_home: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRAKAN_NO_CACHE", "1")
    load_catalog(root)
    assert not cache_home.exists()
    assert catalog_cache.cache_dir() is None


def test_a_bad_check_file_is_still_reported_with_the_cache_on(cache_home: Path, root: Path) -> None:
    load_catalog(root)
    path = root / "linux" / "mounts" / "LNX-MNT-002.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("severity: low", "severity: urgent"), encoding="utf-8")
    with pytest.raises(catalog_mod.CatalogError, match=r"LNX-MNT-002\.yml: severity"):
        load_catalog(root)


def _template_env(source: str) -> Any:
    import jinja2
    from prakan.template_cache import SignedBytecodeCache

    return jinja2.Environment(loader=jinja2.DictLoader({"t.html": source}), bytecode_cache=SignedBytecodeCache())


def test_compiled_templates_are_cached_signed_and_refused_when_altered(
    cache_home: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jinja2

    assert _template_env("{{ x }}!").get_template("t.html").render(x="a") == "a!"
    (entry,) = sorted(cache_home.glob("jinja-*.bin"))
    assert oct(entry.stat().st_mode & 0o777) == "0o600"
    # A valid entry is used: the template is not compiled again.
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(1) or real(self, *a, **k))
    assert _template_env("{{ x }}!").get_template("t.html").render(x="b") == "b!" and not compiled
    # Bytecode is code: an entry altered by anyone without the key is refused, compiled afresh and rewritten.
    mac, _, payload = entry.read_bytes().partition(b"\n")
    entry.write_bytes(mac + b"\n" + payload.replace(b"!", b"?"))
    with caplog.at_level(logging.WARNING, logger="prakan.catalog_cache"):
        assert _template_env("{{ x }}!").get_template("t.html").render(x="c") == "c!"
    assert compiled and "HMAC does not match" in caplog.text
    mac2, _, payload2 = entry.read_bytes().partition(b"\n")
    key = (cache_home / "key").read_bytes()
    assert hmac.compare_digest(mac2, hmac.new(key, payload2, hashlib.sha256).hexdigest().encode())
    # A changed template source is compiled again (jinja keys the entry by the source's checksum).
    compiled.clear()
    assert _template_env("{{ x }}?").get_template("t.html").render(x="d") == "d?" and compiled
