"""Running the Discord bot: log in, serve until interrupted, and turn Discord's
refusals (a bad token, a missing intent, no network) into clear errors."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands

from retrieval.common.errors import NewsbotError

from bot.discord_support import TOKEN_ENV, RedactFilter, Secret

log = logging.getLogger("bot.discord_bot")


def run_bot(bot: commands.Bot, token: Secret) -> None:
    """Log in and serve until interrupted; Discord's refusals become NewsbotErrors."""
    redact = RedactFilter(token)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(redact)
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    try:
        asyncio.run(_serve(bot, token))
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        root.removeHandler(handler)


async def _serve(bot: commands.Bot, token: Secret) -> None:
    try:
        async with bot:
            await bot.start(token.reveal())
    except discord.LoginFailure:
        raise NewsbotError(
            f"Discord refused the token in {TOKEN_ENV}; copy a fresh one from the developer portal "
            "(your application → Bot → Reset Token)"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise NewsbotError(
            "Discord refused the Message Content intent: enable it in the developer portal "
            "(your application → Bot → Privileged Gateway Intents → Message Content Intent)"
        ) from None
    except (OSError, asyncio.TimeoutError) as exc:
        raise NewsbotError(f"cannot reach Discord ({type(exc).__name__}); check the network") from None
