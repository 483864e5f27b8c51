"""`prakan report`: results.json -> index.html, results.csv, junit.xml, summary.json (offline, files only)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from prakan.commands.common import UsageFailure, history_option

log = logging.getLogger(__name__)


def history_context(results: Path, history_path: Path | None) -> dict[str, Any] | None:
    """The history context for this results file: None when there is no database, or it does not hold
    this run (then the report is as without history); a damaged or foreign database is a UsageFailure."""
    from prakan.commands.history import opened
    from prakan.history.context import report_context
    from prakan.history.store import HistoryError, default_path, read_results

    path = history_path or default_path()
    if not path.exists():
        log.info("no history database at %s: report without history", path)
        return None
    try:
        res = read_results(results)
    except HistoryError:
        return None  # the report stage names what is wrong with the results file itself
    with opened(path) as history:
        ctx = report_context(history, res)
    if not ctx.get("recorded"):
        log.info("%s does not hold the run of %s: report without history", path, results)
        return None
    return ctx


def make_report(
    results: Path,
    output: Path | None,
    lang: str,
    title: str | None,
    when: str | None,
    history: dict[str, Any] | None = None,
    catalog: Any | None = None,
) -> Path:
    """Write the report; a results file that cannot be reported on is a UsageFailure naming it.

    `catalog`: the catalog the results were evaluated with, when the caller has it loaded (scan)."""
    from prakan.report import ResultsError, write_report

    try:
        files = write_report(results, output, lang=lang, title=title, when=when, history=history, catalog=catalog)
    except ResultsError as exc:
        raise UsageFailure(str(exc)) from exc
    except OSError as exc:
        raise UsageFailure(f"cannot write the report to {output or results.parent}: {exc}") from exc
    return files.index


@click.command()
@click.argument("results", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for index.html, results.csv, junit.xml, summary.json (default: beside RESULTS).",
)
@click.option(
    "--lang",
    type=click.Choice(["th", "en"]),
    default="th",
    show_default=True,
    help="The page's language when it opens (both are always in it).",
)
@click.option("--title", help="Title on the cover (default: the organisation's name from the results).")
@click.option(
    "--generated-at",
    "when",
    metavar="ISO",
    help="The report's timestamp (default: $SOURCE_DATE_EPOCH, else now): same inputs, same bytes.",
)
@history_option(
    "History database for first-seen dates, 'new since the last scan' and the trend, used when it holds this run"
)
@click.option("--no-history", is_flag=True, help="Leave the history out of the report.")
def report(
    results: Path,
    output: Path | None,
    lang: str,
    title: str | None,
    when: str | None,
    history_path: Path | None,
    no_history: bool,
) -> None:
    """Write the auditor's report from a results file (never evaluates again, never touches the network).

    \b
    Exit status: 0 written; 3 usage error (missing, truncated or foreign results file,
    unknown format version, unwritable output directory, damaged or foreign history database).
    """
    ctx = None if no_history else history_context(results, history_path)
    index = make_report(results, output, lang, title, when, ctx)
    click.echo(str(index))
