"""``newsbot docs list|show|remove``"""

from __future__ import annotations

from pathlib import Path

import click

from .cli import config_option, make_app
from .render import console, echo_json, short_date


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
    articles = app.store.list_articles()
    if as_json:
        echo_json([_summary(a) for a in articles])
        return
    out = console()
    if not articles:
        out.print("The store is empty. Add articles with `newsbot ingest PATH_OR_URL`.")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("id", "date", "source", "chunks", "title"):
        table.add_column(column, no_wrap=column != "title", justify="right" if column == "chunks" else "left")
    for a in articles:
        table.add_row(a.id[:12], short_date(a.published), a.source or "", str(a.n_chunks), a.title)
    out.print(table)
    out.print(f"{len(articles)} articles, {app.store.chunk_count()} chunks in {app.config.store.path}")


@docs.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print the article as JSON.")
@config_option
@click.pass_context
def show(ctx: click.Context, article_id: str, as_json: bool, config_path: Path | None) -> None:
    """Show one article in full (ID may be a unique prefix)."""
    app = make_app(ctx, config_path)
    article = app.store.get_article(app.store.resolve_id(article_id))
    if as_json:
        echo_json({**_summary(article), "text": article.text})
        return
    out = console()
    out.print(f"[bold]{article.title}[/bold]")
    for label, value in (
        ("id", article.id), ("source", article.source), ("published", article.published),
        ("author", article.author), ("url", article.url), ("path", article.path),
        ("chunks", article.n_chunks), ("ingested", article.ingested_at),
        ("aliases", ", ".join(article.aliases)),
    ):
        if value:
            out.print(f"[dim]{label}:[/dim] {value}", markup=True)
    out.print()
    out.print(article.text, markup=False)


@docs.command()
@click.argument("article_id")
@config_option
@click.pass_context
def remove(ctx: click.Context, article_id: str, config_path: Path | None) -> None:
    """Remove an article with all its chunks (ID may be a unique prefix)."""
    app = make_app(ctx, config_path)
    with app.writing():
        article = app.store.remove(app.store.resolve_id(article_id))
    console().print(f"removed {article.id[:12]} {article.title!r} ({article.n_chunks} chunks)", markup=False)


def _summary(a) -> dict:
    return {
        "id": a.id, "title": a.title, "source": a.source, "published": a.published,
        "author": a.author, "url": a.url, "path": a.path, "chunks": a.n_chunks,
        "content_hash": a.content_hash, "ingested_at": a.ingested_at, "aliases": a.aliases,
    }
