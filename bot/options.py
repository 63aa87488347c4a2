"""What every ``newsbot`` command shares: the ``--config`` option and the one
place that turns it into the application (:class:`bot.app.App`).

The command modules import this, and ``bot.cli`` imports the command modules:
the arrows point one way.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.config import default_config_path, load_config


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
    from bot.app import App

    path = config_path or ctx.find_root().params.get("config_path") or default_config_path()
    app = App(load_config(path), **(ctx.find_root().obj or {}))
    ctx.call_on_close(app.close)  # the store's files and connections, once the command is done
    return app
