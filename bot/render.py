"""Console helpers shared by the commands."""

from __future__ import annotations

import json
from typing import Any

import click


def console(stderr: bool = False):
    from rich.console import Console

    out = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not out.is_terminal:  # piped: do not wrap tables at 80 columns
        out.width = 200
    return out


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def short_date(published: str | None) -> str:
    return (published or "")[:10]
