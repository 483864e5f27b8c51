"""`prakan report`: results.json -> index.html, results.csv, junit.xml, summary.json (offline, files only)."""

from __future__ import annotations

from pathlib import Path

import click

from prakan.commands.common import UsageFailure


def make_report(results: Path, output: Path | None, lang: str, title: str | None, when: str | None) -> Path:
    """Write the report; a results file that cannot be reported on is a UsageFailure naming it."""
    from prakan.report import ResultsError, write_report

    try:
        files = write_report(results, output, lang=lang, title=title, when=when)
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
def report(results: Path, output: Path | None, lang: str, title: str | None, when: str | None) -> None:
    """Write the auditor's report from a results file (never evaluates again, never touches the network).

    \b
    Exit status: 0 written; 3 usage error (missing, truncated or foreign results file,
    unknown format version, unwritable output directory).
    """
    index = make_report(results, output, lang, title, when)
    click.echo(str(index))
