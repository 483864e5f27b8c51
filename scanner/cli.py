"""The `prakan` command line: one subcommand per stage."""

from __future__ import annotations

import sys

import click

from scanner import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="prakan")
def cli() -> None:
    """Prakan (ปราการ): harden and verify Thai government networks.

    \b
    Stages (each reads and writes files, so each runs alone or chained):
      lint      check an Ansible inventory for errors before it reaches the network
      collect   gather read-only evidence over SSH
      evaluate  check evidence against the control catalog, offline
      scan      collect + evaluate
      checks    list, show, test and map the control catalog
      evidence  import configuration backups as evidence
    """


def _register() -> None:
    """Attach subcommands; each lives in the module of its stage."""
    import importlib

    for module, name in [
        ("scanner.lint.command", "lint"),
        ("scanner.commands.checks", "checks"),
        ("scanner.commands.evaluate", "evaluate"),
        ("scanner.commands.evidence", "evidence"),
        ("scanner.commands.collect", "collect"),
        ("scanner.commands.scan", "scan"),
    ]:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("scanner"):
                continue  # stage not built yet
            raise
        cli.add_command(getattr(mod, name))


_register()


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
