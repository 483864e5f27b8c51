"""`prakan remediate`: the ansible-playbook runs that fix what a scan found failing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import yaml

from prakan.commands.common import UsageFailure
from prakan.remediate import MAX_RUNS, ResultsError, load_results, plan, render_text


@click.command("remediate")
@click.argument("results", type=click.Path(path_type=Path))
@click.option(
    "-i",
    "--inventory",
    default=lambda: os.environ.get("PRAKAN_INVENTORY", "inventory"),
    show_default="$PRAKAN_INVENTORY or ./inventory",
    help="Inventory the printed commands use.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "yaml"]), default="text", show_default=True)
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    default=MAX_RUNS,
    show_default=True,
    help="Per playbook: more distinct sets of failing checks than this give one run for all.",
)
@click.option("--lang", type=click.Choice(["en", "th"]), default="en", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here instead of standard output.")
def remediate(results: Path, inventory: str, fmt: str, max_runs: int, lang: str, output: Path | None) -> None:
    """Print the ansible-playbook runs that fix the failing checks in RESULTS (a results.json).

    Hosts that failed the same checks share one run (`--limit` the hosts, `--tags` the check ids).
    Waived, not automatable and unknown (`error`) results are listed with the reason they are left
    alone. Run each command with `--check --diff` first. Exit 0; 3 when RESULTS is missing or malformed.
    """
    try:
        doc = load_results(results)
    except ResultsError as exc:
        raise UsageFailure(str(exc)) from exc
    p = plan(doc, str(results), inventory, lang=lang, max_runs=max_runs)
    if fmt == "json":
        text = json.dumps(p.to_json(), ensure_ascii=False, indent=1) + "\n"
    elif fmt == "yaml":
        text = yaml.safe_dump(p.to_json(), allow_unicode=True, sort_keys=False)
    else:
        text = render_text(p, lang)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
