"""``newsbot ingest SOURCE...``"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli import config_option, make_app
from .render import console, echo_json


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("-v", "--verbose", is_flag=True, help="Print one line per article.")
@config_option
@click.pass_context
def ingest(
    ctx: click.Context, sources: tuple[str, ...], as_json: bool, verbose: bool, config_path: Path | None
):
    """Add articles from files, folders, URLs, RSS/Atom feeds or - (stdin).

    Unchanged articles are skipped, changed ones replaced, and the same text
    under another path or URL is recorded as an alias.  Exit code 1 when any
    source failed; the others still go in.
    """
    from ingest.readers import iter_articles

    app = make_app(ctx, config_path)
    options = app.reader_options(stdin=sys.stdin.buffer if "-" in sources else None)
    err = console(stderr=True)
    with app.writing():
        ingestor = app.ingestor()
        items = iter_articles(list(sources), options)
        if as_json or verbose or not err.is_terminal:
            summary = ingestor.ingest(items, on_outcome=None if as_json else _line_printer(err, verbose))
        else:
            summary = _with_progress(ingestor, items, err)
    if as_json:
        echo_json(summary.to_dict())
    else:
        _print_summary(summary, err)
    sys.exit(1 if summary.failed else 0)


def _line_printer(err, verbose: bool):
    def show(outcome) -> None:
        if outcome.status == "failed":
            err.print(f"[red]failed[/red] {outcome.location}: {outcome.detail}")
        elif verbose:
            err.print(f"{outcome.status} {outcome.location}", markup=False)

    return show


def _with_progress(ingestor, items, err):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("ingesting", total=None)

        def advance(outcome) -> None:
            progress.advance(task)
            if outcome.status == "failed":
                progress.console.print(f"[red]failed[/red] {outcome.location}: {outcome.detail}")

        return ingestor.ingest(items, on_outcome=advance)


def _print_summary(summary, err) -> None:
    for warning in summary.warnings:
        err.print(f"[yellow]warning[/yellow] {warning}")
    if summary.recovered:
        err.print(
            f"[yellow]recovered[/yellow] {len(summary.recovered)} article(s) left half-written "
            "by an interrupted ingest were removed; they are re-added when ingested again"
        )
    parts = [f"{summary.count(s)} {s}" for s in ("added", "updated", "unchanged", "aliased", "failed")]
    err.print(
        f"{', '.join(parts)}; {summary.chunks_added} chunks embedded in {summary.seconds:.1f} s"
    )
