"""What every subcommand shares: the exit statuses, the option vocabulary, and loading helpers."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from prakan.catalog import Catalog, CatalogError, load_catalog

# One table for every command (also in the README and `prakan --help`).
EXIT_OK, EXIT_FINDINGS, EXIT_NOT_ASSESSED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_STATUS_HELP = """\b
Exit status (every command):
  0    ok: nothing to report
  1    findings: failing checks, lint errors, hosts not collected
  2    not assessable: hosts or checks in error, output that could not be written
  3    usage error: bad option, inventory, catalog, results or evidence file
  130  interrupted (Ctrl-C)"""


class UsageFailure(click.ClickException):
    """A clear error about the user's input (exit 3)."""

    exit_code = EXIT_USAGE


class RunFailure(click.ClickException):
    """The run could not record its output (an I/O error such as a full disk): the result is incomplete."""

    exit_code = EXIT_NOT_ASSESSED


def default_inventory(path: Path | None) -> Path:
    """`-i` if given, else $PRAKAN_INVENTORY, else ./inventory."""
    if path is not None:
        return path
    env = os.environ.get("PRAKAN_INVENTORY")
    candidate = Path(env) if env else Path("inventory")
    if not candidate.exists():
        raise UsageFailure(f"no inventory at {candidate}: pass -i INVENTORY (or set PRAKAN_INVENTORY)")
    return candidate


def catalog_or_fail(path: Path | None) -> Catalog:
    try:
        return load_catalog(path)
    except (CatalogError, OSError) as exc:
        raise UsageFailure(f"control catalog: {exc}") from exc


def inventory_or_fail(path: Path, limit: str | None = None, vault_password_file: Path | None = None) -> Any:
    from prakan.inventory import InventoryError, load_inventory

    try:
        return load_inventory(path, limit=limit, vault_password_file=vault_password_file)
    except InventoryError as exc:
        raise UsageFailure(f"inventory: {exc}") from exc


def waivers_or_fail(path: Path | None, inventory: Any | None) -> list[Any]:
    """Waivers from `--waivers FILE`, else the inventory's `prakan_waivers` (inventory/exceptions.yml)."""
    from prakan.waivers import WaiverError, load_waivers, parse_waivers

    try:
        if path is not None:
            return load_waivers(path)
        if inventory is not None and "prakan_waivers" in inventory.org:
            return parse_waivers(inventory.org["prakan_waivers"], f"{inventory.path}: prakan_waivers")
    except WaiverError as exc:
        raise UsageFailure(str(exc)) from exc
    return []


def evaluate_to(
    output: Path,
    evidence_dir: Path | list[Path],
    catalog: Catalog,
    inventory: Any,
    waivers: list[Any],
    limited: bool = False,
    **trust: Any,
) -> dict[str, Any]:
    """Evaluate and stream results.json to `output` ('-' = stdout); returns the summary.

    `limited` (an inventory `--limit`): evidence of hosts outside the selection is skipped.
    `trust`: manifest_key, trust_unsigned, max_age (see prakan.evaluate.evaluate_run).
    An output that would overwrite an input (an evidence file, the manifest, the inventory) is
    refused; `<evidence-dir>/results.json` is the one name inside the evidence allowed.
    """
    from prakan.evaluate import evaluate_run
    from prakan.evidence import RESULTS, EvidenceFormatError, atomic_file
    from prakan.trust import refuse_output_inside

    dirs = [evidence_dir] if isinstance(evidence_dir, Path) else list(evidence_dir)
    # `<evidence-dir>/results.json` of a single run is where `scan` writes; anything else inside is refused
    beside = len(dirs) == 1 and Path(output).resolve() == (dirs[0] / RESULTS).resolve()
    if str(output) != "-" and not beside:
        why = refuse_output_inside(output, *dirs, getattr(inventory, "path", None))
        if why:
            raise UsageFailure(why)
    try:
        if str(output) == "-":
            return evaluate_run(
                evidence_dir, catalog, sys.stdout, inventory, waivers, only_inventory_hosts=limited, **trust
            )
        with atomic_file(output) as fh:
            return evaluate_run(evidence_dir, catalog, fh, inventory, waivers, only_inventory_hosts=limited, **trust)
    except EvidenceFormatError as exc:  # an unreadable evidence directory: the whole run cannot be trusted
        raise UsageFailure(str(exc)) from exc


_SUMMARY = {
    "en": ("{hosts} hosts ({errors} in error): ", {}),
    "th": (
        "{hosts} โฮสต์ (ประเมินไม่ได้ {errors}): ",
        {
            "pass": "ผ่าน",
            "fail": "ไม่ผ่าน",
            "error": "ประเมินไม่ได้",
            "not_applicable": "ไม่เกี่ยวข้อง",
            "manual": "ตรวจด้วยบุคคล",
            "waived": "ได้รับยกเว้น",
        },
    ),
}


waivers_option = click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Waivers file (default: the inventory's prakan_waivers, kept in inventory/exceptions.yml).",
)
max_age_option = click.option(
    "--max-age",
    type=click.FloatRange(0),
    default=7.0,
    show_default=True,
    help="Maximum evidence age in days; older evidence is `error` (0: no limit).",
)


def trust_options(f: Any) -> Any:
    """--manifest-key, --trust-unsigned, --max-age: what evaluation accepts as evidence."""
    for d in reversed(
        [
            click.option(
                "--manifest-key",
                "manifest_key_path",
                type=click.Path(path_type=Path, dir_okay=False),
                help="Key that signed the run's manifest (default: $PRAKAN_MANIFEST_KEY, else "
                "~/.config/prakan/manifest.key).",
            ),
            click.option(
                "--trust-unsigned",
                is_flag=True,
                help="Accept a manifest without a verifiable signature (results say: not verified).",
            ),
            max_age_option,
        ]
    ):
        f = d(f)
    return f


def trust_settings(manifest_key_path: Path | None, trust_unsigned: bool, max_age: float) -> dict[str, Any]:
    """The keyword arguments of evaluate_to from the trust options; a bad key file is a usage error."""
    from datetime import timedelta

    from prakan.trust import TrustError, manifest_key

    try:
        key = manifest_key(path=manifest_key_path)
    except TrustError as exc:
        raise UsageFailure(str(exc)) from exc
    return {
        "manifest_key": key,
        "trust_unsigned": trust_unsigned,
        "max_age": timedelta(days=max_age) if max_age else None,
    }


def summary_line(summary: dict[str, Any], lang: str = "en") -> str:
    head, words = _SUMMARY[lang]
    by = summary["by_status"]
    return head.format(hosts=summary["hosts"], errors=summary["hosts_in_error"]) + ", ".join(
        f"{words.get(k, k)} {v}" for k, v in by.items()
    )


def renamed(old: str, param: str, new: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Keep an old option spelling for one release: hidden, it fills `param` and says what replaces it."""
    hidden = f"_renamed_{param}"

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(hidden)
            if value not in (None, ()):
                click.echo(f"note: {old} is now {new}; the old spelling goes in the next release", err=True)
                current = kwargs.get(param)
                if isinstance(value, tuple):
                    kwargs[param] = tuple(current or ()) + value
                elif current is None:
                    kwargs[param] = value
            return f(*args, **kwargs)

        return click.option(old, hidden, hidden=True, **_option_like(f, param))(wrapper)

    return decorate


def _option_like(f: Callable[..., Any], param: str) -> dict[str, Any]:
    """The type and multiplicity of the option `param` already declared on `f`."""
    for p in getattr(f, "__click_params__", []):
        if p.name == param:
            return {"type": p.type, "multiple": getattr(p, "multiple", False)}
    raise ValueError(f"no option {param!r} to rename")


# The one vocabulary (as in ansible-playbook where the meaning is the same).
def inventory_option(help: str = "Ansible inventory (default: $PRAKAN_INVENTORY, else ./inventory).") -> Any:
    return click.option("-i", "--inventory", "inventory_path", type=click.Path(path_type=Path, exists=True), help=help)


limit_option = click.option("-l", "--limit", help="Ansible host pattern, e.g. 'site_bkk_hq:&platform_linux'.")
forks_option = click.option(
    "-f", "--forks", type=click.IntRange(1, 500), default=10, show_default=True, help="Hosts collected in parallel."
)
timeout_option = click.option(
    "-T",
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=60,
    show_default=True,
    help="Seconds allowed per host (connect and every command); a slower host is an error.",
)
vault_option = click.option(
    "--vault-password-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    envvar="ANSIBLE_VAULT_PASSWORD_FILE",
    help="Decrypt vault values with this password file (or script), as ansible does.",
)
lang_option = click.option(
    "--lang", type=click.Choice(["en", "th"]), default="en", show_default=True, help="Language of what is printed."
)
catalog_option = click.option(
    "--catalog",
    "catalog_path",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Control catalog directory (default: the catalog inside the prakan package).",
)


def history_option(help: str = "History database.") -> Any:
    """--history PATH (default $PRAKAN_HISTORY, else $XDG_DATA_HOME/prakan/history.db)."""
    return click.option(
        "--history",
        "history_path",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar="PRAKAN_HISTORY",
        help=f"{help} (default: $PRAKAN_HISTORY, else $XDG_DATA_HOME/prakan/history.db, "
        "i.e. ~/.local/share/prakan/history.db).",
    )
