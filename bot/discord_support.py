"""The parts of the Discord bot that need no connection: the token, the
settings, the limits, and how answers, article lists and errors look in
Discord (no message over 2,000 characters, no pings, no link previews)."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import discord
from discord import app_commands

from retrieval.engine.answer import Answer
from retrieval.common.defaults import DISCORD
from retrieval.common.errors import NewsbotError

from bot.chat import nice_date, no_unfurl, numbered_source_line, split_message
from bot.discord_embed import answer_embed

TOKEN_ENV = "DISCORD_TOKEN"
NO_MENTIONS = discord.AllowedMentions.none()
GENERIC_ERROR = "Sorry, something went wrong on my side; the details are in the bot's log."


# -- the token -----------------------------------------------------------------------
class Secret:
    """A string that never shows itself in a repr, a str or a log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


def token_from_env(environ: Mapping[str, str] | None = None) -> Secret:
    """The bot token from ``$DISCORD_TOKEN``; a clear error when it is missing."""
    value = (os.environ if environ is None else environ).get(TOKEN_ENV, "").strip()
    if not value:
        raise NewsbotError(
            f"{TOKEN_ENV} is not set. Copy the bot token from https://discord.com/developers/applications "
            f"(your application → Bot → Reset Token) and run: {TOKEN_ENV}=... newsbot discord "
            "(the token is read from the environment only, never from config.toml)"
        )
    return Secret(value)


class RedactFilter(logging.Filter):
    """Replaces a secret by ``********`` in every record passing through a handler."""

    def __init__(self, secret: Secret):
        super().__init__()
        self._secret = secret.reveal()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._secret and self._secret in message:
            record.msg, record.args = message.replace(self._secret, "********"), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self._secret, "********")
        return True


# -- settings ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DiscordSettings:
    """The ``[discord]`` section of the configuration (see config.toml)."""

    ingest_roles: tuple[int, ...] = ()
    ingest_users: tuple[int, ...] = ()
    ingest_guilds: tuple[int, ...] = ()  # servers whose Manage Server members may use /ingest
    cooldown_seconds: float = DISCORD["cooldown_seconds"]
    max_concurrent: int = DISCORD["max_concurrent"]
    max_upload_bytes: int = DISCORD["max_upload_bytes"]
    history_turns: int = DISCORD["history_turns"]
    threads: bool = DISCORD["threads"]
    embeds: bool = DISCORD["embeds"]
    guild_ids: tuple[int, ...] = ()
    sync_commands: bool = DISCORD["sync_commands"]
    recent_articles: int = 10  # articles listed by /sources
    max_conversations: int = 2000  # answers and threads remembered for follow-ups (least recent forgotten)

    @classmethod
    def from_config(cls, section: Any) -> "DiscordSettings":
        values = dict(vars(section))
        for name in ("ingest_roles", "ingest_users", "ingest_guilds", "guild_ids"):
            values[name] = tuple(values.get(name, ()))
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


# -- limits -----------------------------------------------------------------------------------
class Limiter:
    """A per-user cooldown between questions and a cap on answers in progress.

    Used from the event loop only, so it needs no lock.  ``try_start``
    returns a refusal to show the user, or ``None`` after taking a slot that
    ``finish`` gives back.
    """

    def __init__(self, cooldown: float, max_concurrent: int, clock: Callable[[], float] = time.monotonic):
        self.cooldown = cooldown
        self.max_concurrent = max_concurrent
        self.clock = clock
        self.active = 0
        self._last: dict[int, float] = {}

    def try_start(self, user_id: int) -> str | None:
        now = self.clock()
        last = self._last.get(user_id)
        if self.cooldown and last is not None and now - last < self.cooldown:
            wait = math.ceil(self.cooldown - (now - last))
            return f"Easy there: you can ask again in {wait} s."
        if self.active >= self.max_concurrent:
            return "I'm busy answering other questions right now; please ask again in a moment."
        self.active += 1
        self._last[user_id] = now
        if len(self._last) > 1000:  # forget users whose cooldown is over
            self._last = {u: t for u, t in self._last.items() if now - t < self.cooldown}
        return None

    def finish(self) -> None:
        self.active = max(0, self.active - 1)


# -- rendering ------------------------------------------------------------------------------------
@dataclass
class Reply:
    """Message contents (each at most 2,000 characters) and an embed for the last one;
    ``details`` is the answer whose quotes a Details button under it shows."""

    parts: list[str]
    embed: discord.Embed | None = None
    details: Answer | None = None


def discord_reply(answer: Answer, *, embeds: bool, timeline_field: bool = True) -> Reply:
    """The answer as an embed (see :mod:`bot.discord_embed`) with a Details button when it
    cites anything; or, with ``embeds`` off, its text with ``[n]`` markers and the sources."""
    if embeds:
        return Reply([], answer_embed(answer, timeline_field=timeline_field), answer if answer.citations else None)
    text = no_unfurl(answer.answer)
    if answer.notice:  # one line: which path produced the answer, when it matters
        text = f"{text}\n-# {answer.notice}"
    sources = answer.sources()
    if not sources:
        return Reply(split_message(text))
    listing = "\n".join(no_unfurl(numbered_source_line(c, local_paths=False)) for c in sources)
    return Reply(split_message(f"{text}\n\n**Sources**\n{listing}"))


def render_articles(articles: Sequence[Any], limit: int) -> str:
    """The most recent stored articles, one line each."""
    if not articles:
        return "No articles are stored yet. Someone trusted can add some with `/ingest`."
    lines = []
    for a in articles[:limit]:
        byline = ", ".join(x for x in (a.source, nice_date(a.published)) if x)
        where = a.url or (Path(a.path).name if a.path else "")
        lines.append(" — ".join(x for x in (f"• **{discord.utils.escape_markdown(a.title)}**", byline, where) if x))
    more = f"\n…and {len(articles) - limit} more." if len(articles) > limit else ""
    return no_unfurl(f"The {min(limit, len(articles))} most recent of {len(articles)} stored articles:\n"
                     + "\n".join(lines) + more)


HELP_TEXT = """\
**newsbot** answers questions about the stored news articles and cites them; when sources disagree it quotes each side.
• `/ask question` — ask a question (optionally only from one `source`, or `since` a date). Press **Details** under an answer for every quote.
• `/timeline query` — the dated claims about a story, oldest first.
• Mention me with a question — I answer in a new thread; ask follow-ups there without mentioning me.
• Reply to one of my answers to ask a follow-up in that conversation.
• `/sources` — the most recent stored articles.
• `/ingest url` or `/ingest file` — add an article from an http(s) link or a file (people the bot's operator allowed only).
• `/help` — this message."""


def fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_unfurled(text: str, limit: int) -> str:
    """``text`` with its links wrapped against previews, then cut to ``limit`` characters
    (wrapping lengthens it), never leaving a link cut open."""
    text = no_unfurl(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    opened = cut.rfind("<http")
    if opened >= 0 and ">" not in cut[opened:]:
        cut = cut[:opened].rstrip()
    return cut + "…"


def may_ingest(interaction: discord.Interaction, settings: DiscordSettings) -> bool:
    """Ingest rights come from the configuration only, by id: a listed user, a member
    with a listed role, or Manage Server (or Administrator) in a listed server.

    Every server the bot is in answers from the one store, so rights held in some
    other server (its Manage Server, a role of the same name) grant nothing.
    """
    user = interaction.user
    if user.id in settings.ingest_users:
        return True
    if interaction.guild_id is None:
        return False
    if any(role.id in settings.ingest_roles for role in getattr(user, "roles", ())):
        return True
    perms = interaction.permissions
    return interaction.guild_id in settings.ingest_guilds and (perms.manage_guild or perms.administrator)


async def save_upload(file: discord.Attachment, folder: Path, max_bytes: int) -> Path:
    """Store an attachment in ``folder`` under a safe name; refuse it when it is too large."""
    name = re.sub(r"[^\w.-]+", "_", Path(file.filename).name).lstrip(".") or "upload.txt"
    data = await file.read()
    if len(data) > max_bytes:  # the size announced was wrong
        raise NewsbotError(f"{file.filename} is larger than {max_bytes:,} bytes")
    path = folder / name

    def write() -> None:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    await asyncio.to_thread(write)
    return path


INGEST_REFUSED = "Sorry: only people this bot's operator allowed may use /ingest."


def url_refusal(url: str) -> str | None:
    """Why a ``/ingest url:`` value is refused, or None for an http(s) link with a host.

    Only web links come from chat: never a path on the bot's machine, ``-`` (its standard
    input) or another scheme.  Where the link points is checked when it is fetched.
    """
    from bot.service import is_web_link

    if is_web_link(url.strip()):
        return None
    return "Sorry: `url` must be an http(s) link such as https://example.com/story; to add a file, attach it as `file`."


def one_line(error: BaseException) -> str:
    """What the user sees of an error: our errors' first line, else a generic sentence."""
    if isinstance(error, NewsbotError):
        first = (str(error).strip().splitlines() or ["that did not work"])[0]
        return fit(f"Sorry: {first}", 300)
    if isinstance(error, app_commands.TransformerError):
        return fit(f"Sorry: {error.value!r} is not a valid value there.", 300)
    return GENERIC_ERROR


_MENTION = re.compile(r"<@!?(\d+)>")


def strip_mention(content: str, user_id: int) -> str:
    """The message text without mentions of the bot."""
    return _MENTION.sub(lambda m: "" if int(m.group(1)) == user_id else m.group(0), content).strip()
