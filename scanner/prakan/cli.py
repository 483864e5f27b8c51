"""The `prakan` command line: one subcommand per stage, one table of exit statuses."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
from typing import Any

import click

from prakan import __version__
from prakan.commands.common import EXIT_INTERRUPTED, EXIT_STATUS_HELP, EXIT_USAGE

log = logging.getLogger("prakan")


# command name -> "module:attribute"; each lives in the module of its stage and is imported when used,
# so `prakan scan` does not pay for importing `lint`, `checks` or `history` (about 0.1 s)
COMMANDS = {
    "lint": "prakan.lint.command:lint",
    "collect": "prakan.commands.collect:collect",
    "evaluate": "prakan.commands.evaluate:evaluate",
    "scan": "prakan.commands.scan:scan",
    "report": "prakan.commands.report:report",
    "checks": "prakan.commands.checks:checks",
    "evidence": "prakan.commands.evidence:evidence",
    "history": "prakan.commands.history:history",
    "diff": "prakan.commands.history:diff",
    "incident": "prakan.commands.history:incident",
    "remediate": "prakan.commands.remediate:remediate",
}


class PrakanGroup(click.Group):
    """The one place where usage errors become status 3 and Ctrl-C becomes 130, for every command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = EXIT_USAGE  # type: ignore[misc]  # click reads the instance's value
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a subcommand's options, and UsageFailure
            exc.exit_code = EXIT_USAGE  # type: ignore[misc]
            raise
        except KeyboardInterrupt:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # exiting: another press must not turn 130 into a kill
            click.echo("\ninterrupted (Ctrl-C)", err=True)
            raise SystemExit(EXIT_INTERRUPTED) from None


@click.group(cls=PrakanGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_STATUS_HELP)
@click.version_option(__version__, prog_name="prakan")
@click.option("-v", "--verbose", count=True, help="Diagnostics on standard error (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Prakan (ปราการ): harden and verify Thai government networks.

    \b
    Stages (each reads and writes files, so each runs alone or chained):
      lint      check an Ansible inventory for errors before it reaches the network
      collect   gather read-only evidence over SSH
      evaluate  check evidence against the control catalog, offline
      scan      collect + evaluate (+ report)
      report    the auditor's HTML report, CSV, JUnit and summary from results.json
      checks    list, show, test and map the control catalog
      evidence  import configuration backups as evidence
      history   the recorded runs; diff: what changed since the last run
      incident  incident candidates, NCSA forms ก1/ก2 drafts, the register and form ก3
      remediate the ansible-playbook runs that fix what a scan found failing
    """
    configure_logging(verbose)


def configure_logging(verbose: int) -> None:
    """Prakan's loggers and the libraries' (paramiko, netmiko) go to standard error, warnings and up by
    default, so a library's traceback never reaches the terminal unasked."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # paramiko logs a full traceback at ERROR for every failed negotiation; the collector reports it itself
    for noisy in ("paramiko", "netmiko"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose >= 2 else logging.CRITICAL)


def main() -> None:
    cli.main(prog_name="prakan")


if __name__ == "__main__":
    main()
