"""`prakan evaluate`: evidence + catalog (+ inventory) -> results.json, offline."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from prakan.commands.common import (
    UsageFailure,
    catalog_option,
    catalog_or_fail,
    evaluate_to,
    inventory_option,
    inventory_or_fail,
    lang_option,
    limit_option,
    renamed,
    summary_line,
    trust_options,
    trust_settings,
    vault_option,
    waivers_option,
    waivers_or_fail,
)

_EVIDENCE_DIR = click.Path(path_type=Path, file_okay=False, exists=True)


@contextlib.contextmanager
def terminate_cleanly() -> Iterator[None]:
    """SIGTERM (a killed job, a CI timeout) unwinds like an exception, so the results being written
    are discarded with their temp file instead of left behind (SIGKILL: the next write removes it)."""

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.stderr.flush()


@click.command()
@renamed("--evidence", "evidence_dirs", "--evidence-dir")  # outermost: it wraps the declared options
@click.option(
    "--evidence-dir",
    "evidence_dirs",
    multiple=True,
    type=_EVIDENCE_DIR,
    help="Evidence directory of a run; repeat it to evaluate shards (e.g. AWX job slices) as one run.",
)
@inventory_option("Ansible inventory: roles, sites, categories and approved values (NTP, syslog, AAA).")
@limit_option
@vault_option
@waivers_option
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("results.json"),
    show_default=True,
    help="Where to write results.json ('-' for standard output).",
)
@catalog_option
@lang_option
@trust_options
def evaluate(
    evidence_dirs: tuple[Path, ...],
    inventory_path: Path | None,
    limit: str | None,
    vault_password_file: Path | None,
    waivers_path: Path | None,
    output: Path,
    catalog_path: Path | None,
    lang: str,
    manifest_key_path: Path | None,
    trust_unsigned: bool,
    max_age: float,
) -> None:
    """Evaluate collected evidence against the control catalog (never touches the network).

    Without an inventory, checks that need inventory values (approved servers, WAN interfaces,
    roles, security category) are `error` or apply as if the category were the highest.

    Evidence is trusted only from a run whose manifest.json is signed with the manifest key; a
    missing, unsigned or badly signed manifest makes every host `error` (see docs/collection.md).
    Several --evidence-dir options (shards) give one results.json; a host with evidence in two
    shards is refused.
    """
    if not evidence_dirs:
        raise UsageFailure("Missing option '--evidence-dir': the evidence directory of a run")
    trust = trust_settings(manifest_key_path, trust_unsigned, max_age)
    cat = catalog_or_fail(catalog_path)
    inv = inventory_or_fail(inventory_path, limit, vault_password_file) if inventory_path else None
    waivers = waivers_or_fail(waivers_path, inv)
    with terminate_cleanly():
        summary = evaluate_to(output, list(evidence_dirs), cat, inv, waivers, limited=bool(limit), **trust)
    click.echo(summary_line(summary, lang) + (f" -> {output}" if str(output) != "-" else ""), err=True)
