"""Console helpers shared by the commands."""

from __future__ import annotations

import json
from typing import Any

import click


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def short_date(published: str | None) -> str:
    return (published or "")[:10]
