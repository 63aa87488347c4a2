"""``newsbot discord``: run the Discord bot."""

from __future__ import annotations

from pathlib import Path

import click

from bot.options import config_option, make_app


@click.command("discord")
@config_option
@click.pass_context
def discord_command(ctx: click.Context, config_path: Path | None) -> None:
    """Run the Discord bot: /ask, /sources, /ingest, /help and mentions.

    The bot token is read from the DISCORD_TOKEN environment variable, never
    from the configuration file.  Settings are in the [discord] section of
    config.toml (who may ingest, cooldown, concurrent answers, threads).
    Stop it with Ctrl-C.
    """
    from bot.discord_bot import build_bot, run_bot, token_from_env

    token = token_from_env()  # fail fast, before loading the model
    app = make_app(ctx, config_path)
    run_bot(build_bot(app), token)
