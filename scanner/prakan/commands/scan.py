"""`prakan scan`: collect + evaluate in one run, with an exit status for the nightly job.

Exit status (the table all commands share, `prakan --help`): 0 compliant; 1 checks fail at or above
--fail-on; 2 hosts in error (unreachable, refused host key, timeout), checks in `error` at or above
--fail-on, or evidence and results that could not be written; 3 usage error; 130 interrupted.
When 1 and 2 both apply, 2 wins: a host we could not see may hide anything, so the blind spot is the
more urgent signal for whoever reads the nightly job's status.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from prakan.catalog import SEVERITIES
from prakan.commands.collect import collect_options, run_collect
from prakan.commands.common import (
    EXIT_FINDINGS,
    EXIT_NOT_ASSESSED,
    EXIT_OK,
    RunFailure,
    UsageFailure,
    evaluate_to,
    history_option,
    lang_option,
    max_age_option,
    summary_line,
    waivers_option,
    waivers_or_fail,
)


def exit_status(summary: dict[str, Any], fail_on: str) -> tuple[int, dict[str, int]]:
    """The scan's exit status from the results summary, and the counts behind it."""
    gate = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    by = summary["by_severity"]
    counts = {
        "hosts_in_error": summary["hosts_in_error"],
        "failing": sum(by.get("fail", {}).get(s, 0) for s in gate),
        "errors": sum(by.get("error", {}).get(s, 0) for s in gate),
    }
    if counts["hosts_in_error"] or counts["errors"]:
        return EXIT_NOT_ASSESSED, counts
    return (EXIT_FINDINGS if counts["failing"] else EXIT_OK), counts


@click.command()
@collect_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="results.json path (default: <evidence-dir>/results.json).",
)
@waivers_option
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="high",
    show_default=True,
    help="Lowest severity of a failing check that makes the scan fail (exit 1).",
)
@lang_option
@max_age_option
@click.option(
    "--no-report",
    is_flag=True,
    help="Do not write the HTML report, CSV, JUnit and summary beside results.json (`prakan report` does).",
)
@history_option("Record the run in this history database")
@click.option("--no-history", is_flag=True, help="Do not record the run in the history.")
def scan(
    output: Path | None,
    waivers_path: Path | None,
    fail_on: str,
    lang: str,
    max_age: float,
    no_report: bool,
    history_path: Path | None,
    no_history: bool,
    **kwargs: Any,
) -> None:
    """Collect evidence and evaluate it: the nightly job.

    \b
    Exit status: 0 compliant; 1 checks failing at or above --fail-on; 2 hosts in
    error (or checks in error at or above --fail-on, or evidence not written), which
    wins over 1; 3 usage error; 130 interrupted (Ctrl-C).
    """
    waivers: list[Any] = []

    def load_waivers(inventory: Any) -> None:  # before collecting: a bad waiver is a usage error, at once
        waivers.extend(waivers_or_fail(waivers_path, inventory))

    def check_history() -> None:  # a damaged or foreign history database is a usage error before collecting
        from prakan.commands.history import opened
        from prakan.history.store import default_path

        if not no_history and (history_path or default_path()).exists():
            with opened(history_path):
                pass

    def before_collecting(inventory: Any) -> None:
        load_waivers(inventory)
        check_history()

    done = run_collect(**kwargs, check_inventory=before_collecting)
    output = output or done.evidence_dir / "results.json"
    try:
        summary = evaluate_to(
            output,
            done.evidence_dir,
            done.catalog,
            done.inventory,
            waivers,
            manifest_key=done.manifest_key,
            max_age=timedelta(days=max_age) if max_age else None,
        )
    except OSError as exc:
        raise RunFailure(f"cannot write results to {output}: {exc}") from exc
    if not no_history and str(output) != "-":
        from prakan.commands.history import opened, record_results

        with opened(history_path, create=True) as history:
            record_results(history, output, done.evidence_dir)
    status, counts = exit_status(summary, fail_on)
    report_line = ""
    if not no_report and str(output) != "-":
        from prakan.commands.report import history_context, make_report

        try:
            ctx = None if no_history else history_context(output, history_path)
            report_line = f"report: {make_report(output, None, 'th', None, None, ctx, done.catalog)}\n"
        except UsageFailure as exc:
            raise RunFailure(f"cannot write the report: {exc.message}") from exc
    click.echo(
        summary_line(summary, lang)
        + f" -> {output}\n"
        + report_line
        + f"exit {status}: {counts['failing']} failing and {counts['errors']} error result(s) at or above "
        + f"{fail_on}, {counts['hosts_in_error']} host(s) in error",
        err=True,
    )
    raise SystemExit(status)
