"""``newsbot docs list|show|remove``"""

from __future__ import annotations

from pathlib import Path

import click

from bot.options import config_option, make_app
from bot.render import console, echo_json, literal, short_date


@click.group()
def docs() -> None:
    """List, show and remove stored articles."""


@docs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@config_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool, config_path: Path | None) -> None:
    """List stored articles: id, date, source, chunks and title."""
    app = make_app(ctx, config_path)
    articles = app.library.articles()
    if as_json:
        echo_json([_summary(a) for a in articles])
        return
    out = console()
    if not articles:
        out.print("The store is empty. Add articles with `newsbot ingest PATH_OR_URL`.")
        return
    out.print(articles_table(articles, out.width))
    out.print(literal(f"{len(articles)} articles, {app.library.chunk_count()} chunks in {app.config.store.path}"))


# Columns of `docs list` besides the title, in the order they give way when the
# terminal is narrow: (name, full width, narrowest width before it is dropped).
_GIVE_WAY = (("source", 24, 8), ("date", 10, 10), ("id", 12, 8))
_GAP = 2  # spaces between two columns


def articles_table(articles, width: int):
    """The `docs list` table fitted to ``width`` columns.

    The title always shows, in at least about two fifths of the width
    (wrapping if need be); the source narrows first (long names end in
    ``…``), then the source, the date and the id's tail give way.
    """
    from rich.table import Table

    widths = {"id": 12, "date": 10, "chunks": len("chunks"),
              "source": min(24, max((len(a.source or "") for a in articles), default=0))}
    if not widths["source"]:
        widths["source"] = len("source")
    title_min = max(20, width * 2 // 5)

    def left() -> int:  # what the title gets
        return width - sum(widths.values()) - _GAP * len(widths)

    for name, _, narrowest in _GIVE_WAY:
        if left() >= title_min:
            break
        widths[name] = max(narrowest, widths[name] - (title_min - left()))
        if left() < title_min and name != "id":
            del widths[name]
    table = Table(box=None, pad_edge=False)
    for name in ("id", "date", "source", "chunks"):
        if name in widths:
            table.add_column(name, width=widths[name], no_wrap=True, overflow="ellipsis",
                             justify="right" if name == "chunks" else "left")
    table.add_column("title", overflow="fold", max_width=max(left(), 1))
    for a in articles:
        cells = {"id": a.id[:widths.get("id", 12)], "date": short_date(a.published),
                 "source": a.source or "", "chunks": str(a.n_chunks)}
        table.add_row(*(literal(cells[name]) for name in ("id", "date", "source", "chunks") if name in widths),
                      literal(a.title))
    return table


@docs.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@config_option
@click.pass_context
def show(ctx: click.Context, article_id: str, as_json: bool, config_path: Path | None) -> None:
    """Show one article in full (ID may be a unique prefix)."""
    app = make_app(ctx, config_path)
    article = app.library.find(article_id)
    if as_json:
        echo_json({**_summary(article), "text": article.text})
        return
    out = console()
    out.print(literal((article.title, "bold")))
    for label, value in (
        ("id", article.id), ("source", article.source), ("published", article.published),
        ("author", article.author), ("url", article.url), ("path", article.path),
        ("chunks", article.n_chunks), ("ingested", article.ingested_at),
        ("aliases", ", ".join(article.aliases)),
    ):
        if value:
            out.print(literal((f"{label}:", "dim"), f" {value}"))
    out.print()
    out.print(literal(article.text))


@docs.command()
@click.argument("article_id")
@config_option
@click.pass_context
def remove(ctx: click.Context, article_id: str, config_path: Path | None) -> None:
    """Remove an article with all its chunks (ID may be a unique prefix)."""
    app = make_app(ctx, config_path)
    with app.writing():
        article = app.library.remove(app.library.resolve(article_id))
    console().print(literal(f"removed {article.id[:12]} {article.title!r} ({article.n_chunks} chunks)"))


def _summary(a) -> dict:
    return {
        "id": a.id, "title": a.title, "source": a.source, "published": a.published,
        "author": a.author, "url": a.url, "path": a.path, "chunks": a.n_chunks,
        "content_hash": a.content_hash, "ingested_at": a.ingested_at, "aliases": a.aliases,
    }
