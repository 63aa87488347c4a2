"""``newsbot timeline QUERY``: a story's dated claims, oldest first."""

from __future__ import annotations

from pathlib import Path

import click

from bot.options import config_option, make_app
from bot.publishers import check_source
from bot.render import console, echo_json, render_terminal_answer


@click.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as one JSON object (as ask --json).")
@click.option("--k", type=click.IntRange(min=1), default=None, help="Articles to retrieve (default: [retrieval] k).")
@click.option("--source", default=None, help="Only use articles from this publisher (case-insensitive).")
@click.option("--since", default=None, help="Only use articles published on or after this date (YYYY-MM-DD).")
@config_option
@click.pass_context
def timeline(ctx, query, as_json, k, source, since, config_path: Path | None) -> None:
    """Print the timeline of a story: who claimed what, on which day, each quoted and cited.

    The day of a claim is the day its sentence names ("reported Sunday", counted back from
    the article's date), else the article's publication date.
    """
    app = make_app(ctx, config_path)
    check_source(app.library, source)
    app.preload_store()
    answer = app.engine.timeline(query, k=k, source=source, since=since)
    if as_json:
        echo_json(answer.to_dict())
    else:
        render_terminal_answer(console(), answer)
