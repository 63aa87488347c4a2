"""Console helpers shared by the commands."""

from __future__ import annotations

import json
import os
from typing import Any

import click


def console(stderr: bool = False):
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal and not os.environ.get("COLUMNS"):  # piped: do not wrap tables at 80 columns
        out.width = 200
    return out


def literal(*parts: Any):
    """A rich ``Text`` of strings and ``(string, style)`` pairs, printed as written:
    square brackets are never markup and ``:name:`` is never an emoji (titles, paths
    and publishers come from the outside)."""
    from rich.text import Text

    return Text.assemble(*parts)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def short_date(published: str | None) -> str:
    return (published or "")[:10]


def terminal_source_line(citation) -> str:
    """``Title — Publisher, 2024-11-11 — url or path`` for one cited article."""
    parts = [citation.title or "(untitled)"]
    meta = ", ".join(p for p in (citation.source, short_date(citation.published)) if p)
    if meta:
        parts.append(meta)
    if citation.where:
        parts.append(citation.where)
    return " — ".join(parts)


def render_terminal_answer(out, answer, *, shown: str = "") -> None:
    """The answer text, its one-line notice if any, then its numbered sources.

    ``shown`` is answer text already written (streamed): when the answer starts
    with it, only the rest is printed.
    """
    from rich.text import Text

    if shown and answer.answer.startswith(shown):
        out.print(Text(answer.answer[len(shown):]))
    else:
        if shown:  # the streamed text is not the answer after all: start afresh
            out.print()
        out.print(Text(answer.answer))
    if answer.notice:
        out.print(Text(f"Note: {answer.notice}", style="dim"))
    sources = answer.sources()
    if sources:
        out.print()
        out.print(Text("Sources", style="bold"))
        for c in sources:
            out.print(Text(f"[{c.n}] ", style="bold") + Text(terminal_source_line(c)))
