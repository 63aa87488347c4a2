"""``newsbot ingest SOURCE...``"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.chat import json_summary
from bot.options import config_option, make_app
from bot.render import console, echo_json, literal


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option("-v", "--verbose", is_flag=True, help="Print one line per article.")
@click.option("--watch", is_flag=True, help="Keep ingesting the given folders as files are added, "
              "changed or deleted (every 10 s unless --every says otherwise).")
@click.option("--every", "every", default=None, metavar="INTERVAL",
              help="Ingest the sources again every INTERVAL (30s, 15m, 1h) until interrupted.")
@click.option("--cycles", type=click.IntRange(min=1), default=None,
              help="With --watch or --every: stop after this many cycles.")
@config_option
@click.pass_context
def ingest(
    ctx: click.Context, sources: tuple[str, ...], as_json: bool, verbose: bool,
    watch: bool, every: str | None, cycles: int | None, config_path: Path | None,
):
    """Add articles from files, folders, URLs, RSS/Atom feeds or - (stdin).

    Unchanged articles are skipped, changed ones replaced, and the same text
    under another path or URL is recorded as an alias.  Exit code 1 when any
    source failed; the others still go in.
    """
    app = make_app(ctx, config_path)
    if watch or every:
        _repeat(app, sources, watch, every, cycles)
        return
    from ingest.readers import ReadLog, iter_articles

    options = app.reader_options(stdin=sys.stdin.buffer if "-" in sources else None)
    err = console(stderr=True)
    log = ReadLog(on_skip=_skip_printer(err) if verbose and not as_json else None)
    with app.writing():
        ingestor = app.ingestor()
        items = iter_articles(list(sources), options, log)
        if as_json or verbose or not err.is_terminal:
            summary = ingestor.ingest(items, on_outcome=None if as_json else _line_printer(err, verbose))
        else:
            summary = _with_progress(ingestor, items, sources, log, err)
    if as_json:
        echo_json(json_summary(summary, log))
    else:
        _print_summary(summary, log, err, verbose)
    sys.exit(1 if summary.failed else 0)


def _failure_line(outcome):
    return literal(("failed", "red"), f" {outcome.location}: {outcome.detail}")


def _line_printer(err, verbose: bool):
    def show(outcome) -> None:
        if outcome.status == "failed":
            err.print(_failure_line(outcome))
        elif verbose:
            err.print(literal(f"{outcome.status} {outcome.location}"))

    return show


def _skip_printer(err):
    def show(skipped) -> None:
        err.print(literal(("skipped", "yellow"), f" {skipped.path}: {skipped.reason}"))

    return show


def _with_progress(ingestor, items, sources, log, err):
    """Ingest under a progress bar: one step per article, the total counted up front
    (one per file, URL or stdin) and corrected as JSON files and feeds turn out to hold more."""
    from ingest.readers import count_hint
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
        task = progress.add_task("ingesting", total=count_hint(list(sources)))

        def more(count: int) -> None:
            progress.update(task, total=progress.tasks[0].total + count)

        def advance(outcome) -> None:
            progress.advance(task)
            if outcome.status == "failed":
                progress.console.print(_failure_line(outcome))

        log.on_more = more
        return ingestor.ingest(items, on_outcome=advance)


def _print_summary(summary, log, err, verbose: bool) -> None:
    for warning in log.warnings + summary.warnings:
        err.print(literal(("warning", "yellow"), f" {warning}"))
    if summary.recovered:
        err.print(literal(
            ("recovered", "yellow"),
            f" {len(summary.recovered)} article(s) left half-written by an interrupted ingest were "
            "removed; they are re-added when ingested again",
        ))
    parts = [f"{summary.count(s)} {s}" for s in ("added", "updated", "unchanged", "aliased", "failed")]
    if log.skipped:
        parts.append(f"{len(log.skipped)} skipped" + ("" if verbose else " (not article files; -v names them)"))
    err.print(literal(f"{', '.join(parts)}; {summary.chunks_added} chunks embedded in {summary.seconds:.1f} s"))


def _repeat(app, sources, watch: bool, every: str | None, cycles: int | None) -> None:
    """Run ingest cycles, one log line each, until interrupted (or ``cycles`` ran)."""
    import time
    from datetime import datetime, timezone

    from ingest.readers import iter_articles
    from ingest.schedule import missing_files, parse_interval
    from retrieval.common.errors import NewsbotError, StoreLockedError

    if "-" in sources:
        raise click.UsageError("stdin (-) cannot be ingested repeatedly")
    folders = [Path(s) for s in sources if Path(s).is_dir()]
    if watch and len(folders) != len(sources):
        raise click.UsageError("--watch takes folders; use --every for files, URLs and feeds")
    interval = parse_interval(every) if every else 10.0
    err = console(stderr=True)
    options = app.reader_options()
    ingestor = app.ingestor()
    n = 0
    try:
        while True:
            n += 1
            stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
            try:
                with app.writing():
                    summary = ingestor.ingest(iter_articles(list(sources), options))
                    removed = [app.library.remove(a.id) for a in missing_files(app.library, folders)] if watch else []
                parts = [f"{summary.count(s)} {s}" for s in ("added", "updated", "unchanged", "aliased", "failed")]
                if watch:
                    parts.append(f"{len(removed)} removed")
                err.print(literal(f"{stamp} cycle {n}: {', '.join(parts)} ({summary.seconds:.1f} s)"))
                for failure in summary.failed:
                    err.print(literal(f"{stamp}   failed {failure.location}: {failure.detail}"))
            except StoreLockedError as exc:
                err.print(literal(f"{stamp} cycle {n}: skipped: {exc}"))
            except NewsbotError as exc:
                err.print(literal(f"{stamp} cycle {n}: error: {exc}"))
            except Exception as exc:  # a Chroma server that went away: try again next cycle
                from retrieval.index.store import as_store_error

                if (lost := as_store_error(exc)) is None:
                    raise
                err.print(literal(f"{stamp} cycle {n}: error: {lost}"))
            if cycles is not None and n >= cycles:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        err.print(literal("stopped"))
