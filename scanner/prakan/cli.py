"""The `prakan` command line: one subcommand per stage."""

from __future__ import annotations

import sys

import click

from prakan import __version__


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
      remediate the ansible-playbook runs that fix what a scan found failing
    """


def _register() -> None:
    """Attach subcommands; each lives in the module of its stage."""
    from prakan.commands.checks import checks
    from prakan.commands.collect import collect
    from prakan.commands.evaluate import evaluate
    from prakan.commands.evidence import evidence
    from prakan.commands.remediate import remediate
    from prakan.commands.scan import scan
    from prakan.lint.command import lint

    for command in (lint, collect, evaluate, scan, checks, evidence, remediate):
        cli.add_command(command)


_register()


def main() -> None:
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
