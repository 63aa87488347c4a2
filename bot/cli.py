"""The ``newsbot`` command line.

Thin: each command parses its options, asks :class:`bot.app.App` for the
objects it needs, calls the library and renders the result.  Heavy imports
happen inside the commands, so ``newsbot --help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from retrieval.common.errors import NewsbotError

from bot.ask_cmd import ask
from bot.discord_cmd import discord_command
from bot.docs_cmd import docs
from bot.eval_cmd import eval_command
from bot.ingest_cmd import ingest
from bot.mcp_cmd import mcp_command
from bot.options import config_option
from bot.repl_cmd import repl
from bot.serve_cmd import serve
from bot.timeline_cmd import timeline


class NewsbotGroup(click.Group):
    """Turns newsbot's own errors into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NewsbotError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            from retrieval.index.store import as_store_error

            lost = as_store_error(exc)
            if lost is None:
                raise
            click.echo(f"Error: {lost}", err=True)
            sys.exit(1)


@click.group(cls=NewsbotGroup)
@config_option
@click.version_option(package_name="newsbot")
def cli(config_path: Path | None) -> None:
    """newsbot: ask questions about news articles; conflicting sources are cited side by side."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsbot")


for _command in (ingest, ask, timeline, docs, repl, discord_command, eval_command, serve, mcp_command):
    cli.add_command(_command)
