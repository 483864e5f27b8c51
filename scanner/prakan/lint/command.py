"""`prakan lint`: check an Ansible inventory before it reaches the network."""

from __future__ import annotations

import gc
import logging
import sys
import traceback
from pathlib import Path

import click
from ansible.errors import AnsibleError

from prakan.commands.common import (
    EXIT_FINDINGS,
    EXIT_NOT_ASSESSED,
    EXIT_OK,
    UsageFailure,
    default_inventory,
    inventory_option,
    lang_option,
    vault_option,
)
from prakan.lint.findings import Finding, Severity
from prakan.lint.formats import FORMATS, junit, summary

log = logging.getLogger(__name__)


def lint_inventory(path: Path, vault_password_file: Path | None = None) -> list[Finding]:
    """Every finding for the inventory at `path`, sorted by file and position, without duplicates."""
    from prakan.inventory.loader import Loader  # ansible-core is slow to import; keep `prakan --help` fast
    from prakan.lint.rules import run_semantic
    from prakan.lint.schema import run_schema

    # Millions of long-lived YAML nodes make every cyclic GC pass walk them all, again and again
    # (seconds for 20,000 hosts); nothing here builds garbage cycles worth collecting.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        inv = Loader(path, vault_password_file).load()
        found = [*inv.findings, *run_schema(inv), *run_semantic(inv)]
    finally:
        if gc_was_enabled:
            gc.enable()
    return sorted(set(found))


def exit_code(findings: list[Finding], strict: bool) -> int:
    failing = {Severity.ERROR, Severity.WARNING} if strict else {Severity.ERROR}
    return EXIT_FINDINGS if any(f.severity in failing for f in findings) else EXIT_OK


@click.command("lint")
@click.argument("inventory_arg", required=False, metavar="[INVENTORY]", type=click.Path(exists=True, path_type=Path))
@inventory_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text for people; json; sarif (GitHub code scanning); junit (GitLab, Jenkins); github (workflow annotations).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.option("--strict", is_flag=True, help="Warnings fail the run too.")
@lang_option
@vault_option
def lint(
    inventory_arg: Path | None,
    inventory_path: Path | None,
    fmt: str,
    output: Path | None,
    strict: bool,
    lang: str,
    vault_password_file: Path | None,
) -> None:
    """Lint an Ansible inventory: schema, addresses, sites, secrets.

    The inventory is `-i INVENTORY` (or, as before, the first argument); default $PRAKAN_INVENTORY,
    else ./inventory. Exit status: 0 clean (warnings allowed unless --strict), 1 findings that fail,
    2 internal error (nothing was assessed), 3 usage error. Rules: docs/lint-rules.md.
    """
    if inventory_arg is not None and inventory_path is not None and inventory_arg != inventory_path:
        raise UsageFailure(f"two inventories given ({inventory_arg} and -i {inventory_path}); pass one")
    inventory = default_inventory(inventory_path or inventory_arg)
    if output is not None:
        from prakan.trust import refuse_output_inside

        if why := refuse_output_inside(output, inventory):  # `-o hosts.yml` must not destroy the inventory
            raise UsageFailure(why)
    try:
        findings = lint_inventory(inventory, vault_password_file)
        rendered = junit(findings, lang, strict) if fmt == "junit" else FORMATS[fmt](findings, lang)
        if output:
            output.write_text(rendered, encoding="utf-8")
        else:
            click.echo(rendered, nl=False)
    except AnsibleError as exc:  # e.g. a vault password script that fails: the user's setup, no traceback
        raise UsageFailure(f"prakan lint: {exc.message}") from exc
    except OSError as exc:
        raise UsageFailure(f"prakan lint: {exc}") from exc
    except Exception as exc:  # fail closed: CI must not read a crash as clean
        log.debug("lint crashed", exc_info=True)
        click.echo(f"prakan lint: internal error: {exc}", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_NOT_ASSESSED)
    counts = summary(findings)
    if fmt == "text" or output:
        click.echo(
            f"{len(findings)} finding(s): {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info",
            err=True,
        )
    sys.exit(exit_code(findings, strict))
