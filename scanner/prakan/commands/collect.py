"""`prakan collect`: gather read-only evidence over SSH into evidence/<run-id>/."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from prakan import trust
from prakan.catalog import Catalog
from prakan.commands.common import (
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    RunFailure,
    UsageFailure,
    catalog_option,
    catalog_or_fail,
    default_inventory,
    forks_option,
    inventory_option,
    inventory_or_fail,
    limit_option,
    timeout_option,
    vault_option,
)
from prakan.evidence import MANIFEST


def collect_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options `collect` and `scan` share."""
    decorators = [
        inventory_option(),
        limit_option,
        forks_option,
        timeout_option,
        click.option(
            "--evidence-dir",
            type=click.Path(path_type=Path, file_okay=False),
            help="Where evidence goes (default: evidence/<run-id>/, run id = UTC timestamp).",
        ),
        click.option(
            "--known-hosts",
            "known_hosts_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help="known_hosts file for host key checking (default: ~/.config/prakan/known_hosts).",
        ),
        click.option(
            "--accept-new-host-keys",
            is_flag=True,
            help="Record the key of a host seen for the first time instead of refusing it.",
        ),
        vault_option,
        click.option("-q", "--quiet", is_flag=True, help="No per-host progress on standard error."),
        catalog_option,
    ]
    for d in reversed(decorators):
        f = d(f)
    return f


@dataclass
class Collected:
    evidence_dir: Path
    manifest: dict[str, Any]
    inventory: Any
    catalog: Catalog
    manifest_key: bytes | None = None


def prepare_evidence_dir(path: Path) -> None:
    """Create the evidence directory and prove it is writable, before any host is contacted."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise UsageFailure(f"cannot use {path} as the evidence directory: {exc.strerror or exc}") from exc


def run_collect(
    inventory_path: Path | None,
    limit: str | None,
    forks: int,
    timeout: float,
    evidence_dir: Path | None,
    known_hosts_path: Path | None,
    accept_new_host_keys: bool,
    vault_password_file: Path | None,
    quiet: bool,
    catalog_path: Path | None,
    check_inventory: Callable[[Any], None] | None = None,
) -> Collected:
    """Shared by `collect` and `scan`: validate everything first (`check_inventory` too), then collect."""
    from prakan.collect.hostkeys import KnownHosts, default_path
    from prakan.collect.runner import Options, Progress, bad_host_names, collect_run, run_id
    from prakan.redact import key_path, redaction_key

    cat = catalog_or_fail(catalog_path)
    inv_path = default_inventory(inventory_path)
    inv = inventory_or_fail(inv_path, limit, vault_password_file)
    if not inv.hosts:
        raise UsageFailure(f"inventory {inv_path}: no hosts selected")
    if (inv.org.get("prakan_org") or {}).get("data_only"):
        raise UsageFailure(
            f"inventory {inv_path} is data only (prakan_org.data_only): nothing may connect to its "
            "addresses; evaluate its bundled evidence with `prakan evaluate` instead"
        )
    bad = bad_host_names(inv.hosts)
    if bad:
        raise UsageFailure(
            "host names that cannot be evidence files: " + "; ".join(f"{n!r}: {why}" for n, why in sorted(bad.items()))
        )
    if check_inventory is not None:
        check_inventory(inv)
    rid = run_id()
    evidence_dir = evidence_dir or Path("evidence") / rid
    if (evidence_dir / MANIFEST).exists():
        raise UsageFailure(f"{evidence_dir} already holds a collection run; choose a new --evidence-dir")
    if not os.environ.get("PRAKAN_REDACTION_KEY") and key_path().resolve().is_relative_to(evidence_dir.resolve()):
        raise UsageFailure(f"the redaction key {key_path()} must not live inside the evidence directory")
    if not os.environ.get(trust.KEY_ENV) and trust.key_path().resolve().is_relative_to(evidence_dir.resolve()):
        raise UsageFailure(f"the manifest key {trust.key_path()} must not live inside the evidence directory")
    clash = trust.refuse_output_inside(evidence_dir, inv_path)
    if clash:
        raise UsageFailure(f"evidence directory: {clash}")
    try:
        key = redaction_key()
        signing_key = trust.manifest_key(create=True)
    except (OSError, ValueError) as exc:
        raise UsageFailure(f"redaction or manifest key: {exc}") from exc
    try:
        known = KnownHosts(known_hosts_path or default_path(), accept_new=accept_new_host_keys)
    except ValueError as exc:
        raise UsageFailure(str(exc)) from exc
    prepare_evidence_dir(evidence_dir)
    opts = Options(
        evidence_dir=evidence_dir,
        known_hosts=known,
        key=key,
        forks=forks,
        timeout=timeout,
        run_id=rid,
        manifest_key=signing_key,
    )
    meta = {"inventory": str(inv_path), "limit": limit}
    try:
        with trust.directory_lock(evidence_dir):
            if (evidence_dir / MANIFEST).exists():  # again, under the lock: a run that finished meanwhile
                raise UsageFailure(f"{evidence_dir} already holds a collection run; choose a new --evidence-dir")
            manifest = collect_run(inv, cat, opts, Progress(len(inv.hosts), enabled=not quiet), meta)
    except trust.LockedError as exc:
        raise UsageFailure(str(exc)) from exc
    except KeyboardInterrupt:
        # click would turn this into "Aborted!" and status 1; the conventional status is 130
        click.echo(f"interrupted: finished hosts kept, manifest written -> {evidence_dir}", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except OSError as exc:  # the manifest itself could not be written
        raise RunFailure(f"cannot write the run manifest in {evidence_dir}: {exc}") from exc
    if manifest["write_errors"]:
        raise RunFailure(
            f"{len(manifest['write_errors'])} evidence file(s) could not be written in {evidence_dir} "
            "(the manifest records them): " + "; ".join(f"{h}: {e}" for h, e in manifest["write_errors"].items())
        )
    failed, interrupted = manifest["failed"], manifest["interrupted"]
    click.echo(
        f"collected {len(manifest['succeeded'])}/{len(manifest['attempted'])} hosts"
        + (f", {len(failed)} in error" if failed else "")
        + (f", {len(interrupted)} interrupted" if interrupted else "")
        + (f", {len(manifest['host_keys_added'])} new host key(s) recorded" if manifest["host_keys_added"] else "")
        + f" -> {evidence_dir}",
        err=True,
    )
    return Collected(evidence_dir, manifest, inv, cat, signing_key)


def print_plan(
    inventory_path: Path | None, limit: str | None, vault_password_file: Path | None, catalog_path: Path | None
) -> None:
    """The selected hosts and the exact commands each platform would get: nothing connects."""
    cat = catalog_or_fail(catalog_path)
    inv_path = default_inventory(inventory_path)
    inv = inventory_or_fail(inv_path, limit, vault_password_file)
    by_platform: dict[str, list[str]] = {}
    for name, host in sorted(inv.hosts.items()):
        by_platform.setdefault(host.platform, []).append(name)
    for platform, names in sorted(by_platform.items()):
        click.echo(f"# {platform}: {len(names)} host(s): {', '.join(names[:8])}{' ...' if len(names) > 8 else ''}")
        for src in cat.sources_for(platform):
            how = " (privileged)" if src.become else ""
            click.echo(f"{src.name}{how}: {src.command}")


@click.command()
@collect_options
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the selected hosts and the exact commands they would get; connect to nothing.",
)
def collect(dry_run: bool, **kwargs: Any) -> None:
    """Collect read-only evidence from every selected host over SSH.

    Only the commands named in the catalog's evidence sources can be sent (see --dry-run).

    \b
    Exit status: 0 every host collected; 1 some hosts not collected (each still has
    an evidence file saying why); 2 evidence that could not be written (I/O error);
    3 usage error; 130 interrupted (Ctrl-C).
    """
    if dry_run:
        print_plan(kwargs["inventory_path"], kwargs["limit"], kwargs["vault_password_file"], kwargs["catalog_path"])
        return
    result = run_collect(**kwargs)
    if result.manifest["failed"]:
        raise SystemExit(EXIT_FINDINGS)
