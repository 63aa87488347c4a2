"""The ``newsbot`` command line.

Thin: each command parses its options, asks :class:`bot.app.App` for the
objects it needs, calls the library and renders the result.  Heavy imports
happen inside the commands, so ``newsbot --help`` is instant.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from retrieval.errors import NewsbotError

from .config import default_config_path, load_config


class NewsbotGroup(click.Group):
    """Turns newsbot's own errors into one line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NewsbotError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            from retrieval.store import as_store_error

            lost = as_store_error(exc)
            if lost is None:
                raise
            click.echo(f"Error: {lost}", err=True)
            sys.exit(1)


def config_option(func):
    """``--config PATH`` on the group and on every command (the later wins)."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Configuration file (default: $NEWSBOT_CONFIG, else ./config.toml).",
    )(func)


def make_app(ctx: click.Context, config_path: Path | None):
    from .app import App

    path = config_path or ctx.find_root().params.get("config_path") or default_config_path()
    return App(load_config(path), **(ctx.find_root().obj or {}))


@click.group(cls=NewsbotGroup)
@config_option
@click.version_option(package_name="newsbot")
def cli(config_path: Path | None) -> None:
    """newsbot: ask questions about news articles; conflicting sources are cited side by side."""


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsbot")


def _register() -> None:
    from .ask_cmd import ask
    from .discord_cmd import discord_command
    from .docs_cmd import docs
    from .eval_cmd import eval_command
    from .ingest_cmd import ingest
    from .mcp_cmd import mcp_command
    from .repl_cmd import repl
    from .serve_cmd import serve

    for command in (ingest, ask, docs, repl, discord_command, eval_command, serve, mcp_command):
        cli.add_command(command)


_register()
