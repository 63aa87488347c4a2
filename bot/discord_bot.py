"""The Discord front end: a ``commands.Bot`` with one cog, a thin adapter over
:meth:`retrieval.engine.engine.AnswerEngine.answer`.

* Slash commands ``/ask``, ``/timeline``, ``/sources``, ``/ingest`` and ``/help``; the bot
  also answers when mentioned (in a new thread it starts, when allowed), in
  the threads it started and in replies to its answers, carrying the
  conversation's history into the engine.
* Interactions are deferred before any slow work; the engine runs in a
  thread pool sized to ``[discord] max_concurrent``, ingest in another
  thread, so the event loop never blocks.
* A per-user cooldown and a cap on answers in progress, each refused with a
  short reply; errors reach the user as one line, details go to the log.
* Replies never ping anyone (``AllowedMentions.none()``), never unfurl the
  links they quote and stay within Discord's limits: an answer is an embed with a
  Details button (:mod:`bot.discord_embed`), or text below 2,000 characters.

Everything the bot uses is passed in (engine, article library, ingest function,
settings, clock), so the tests drive it with dpytest and real
``Interaction`` objects and no network.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Awaitable, Callable, Sequence

import discord
from discord import app_commands
from discord.ext import commands

from retrieval.engine.answer import Answer
from retrieval.common.errors import NewsbotError
from retrieval.engine.interface import Engine
from retrieval.index.library import Library

from bot.chat import DISCORD_LIMIT, Conversations, IngestReport, split_message
from bot.discord_embed import DetailsView
from bot.discord_run import run_bot
from bot.discord_support import (
    HELP_TEXT,
    INGEST_REFUSED,
    NO_MENTIONS,
    DiscordSettings,
    Limiter,
    fit,
    fit_unfurled,
    may_ingest,
    save_upload,
    one_line,
    discord_reply,
    render_articles,
    strip_mention,
    token_from_env,
    url_refusal,
)

__all__ = ["NewsBot", "NewsCog", "NewsTree", "build_bot", "run_bot", "token_from_env"]

log = logging.getLogger(__name__)
FILTER_HELP = {"source": "Only use articles from this publisher",
               "since": "Only use articles published on or after this date (YYYY-MM-DD)"}


# -- the cog -----------------------------------------------------------------------------------------
class NewsCog(commands.Cog, name="newsbot"):
    """Slash commands and conversations, all answered by the engine."""

    def __init__(
        self,
        bot: commands.Bot,
        *,
        engine: Engine,
        library: Library | None,
        ingest: Callable[[Sequence[str]], IngestReport],
        settings: DiscordSettings,
        upload_dir: Path,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.bot = bot
        self.engine = engine
        self.library = library
        self.ingest_sources = ingest
        self.settings = settings
        self.upload_dir = Path(upload_dir)
        self.limiter = Limiter(settings.cooldown_seconds, settings.max_concurrent, clock)
        self.list_limiter = Limiter(settings.cooldown_seconds, settings.max_concurrent, clock)  # /sources
        self.conversations = Conversations(max_turns=settings.history_turns, max_keys=settings.max_conversations)
        # One worker per allowed answer: an answer never waits for a thread.
        self.executor = ThreadPoolExecutor(settings.max_concurrent, thread_name_prefix="newsbot-answer")
        self.ingest_lock = asyncio.Lock()

    async def cog_unload(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- the engine, off the event loop -------------------------------------------------
    async def in_pool(self, call: Callable[..., Answer], *args: Any, **kwargs: Any) -> Answer:
        """An engine call in the answer threads, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(call, *args, **kwargs))

    async def send_reply(self, send: Callable[..., Awaitable[Any]], answer: Answer, *,
                         timeline_field: bool = True) -> list[Any]:
        """Send the rendered answer through ``send``; return the messages sent."""
        reply = discord_reply(answer, embeds=self.settings.embeds, timeline_field=timeline_field)
        if reply.embed is not None:  # one message: the embed, and its Details button
            view = DetailsView(reply.details) if reply.details else None
            sent = await send(embed=reply.embed, allowed_mentions=NO_MENTIONS, **({"view": view} if view else {}))
            if view is not None:
                view.message = sent
            return [sent] if sent is not None else []
        sent = []
        for part in [p for p in reply.parts if p.strip()] or ["(empty answer)"]:
            sent.append(await send(content=part, allowed_mentions=NO_MENTIONS, suppress_embeds=True))
        return [m for m in sent if m is not None]

    # -- slash commands --------------------------------------------------------------------
    async def deferred(self, interaction: discord.Interaction, limiter: Limiter) -> bool:
        """Take a slot of ``limiter`` and defer the interaction; False, the user told why, when refused.
        The caller gives the slot back (``limiter.finish()``)."""
        refusal = limiter.try_start(interaction.user.id)
        if refusal:
            await interaction.response.send_message(refusal, ephemeral=True)
            return False
        try:
            await interaction.response.defer(thinking=True)
        except BaseException:
            limiter.finish()
            raise
        return True

    @app_commands.command(name="ask", description="Ask a question about the stored news articles.")
    @app_commands.describe(
        question="Your question, e.g. Did Trump and Putin speak on the phone?",
        **FILTER_HELP,
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        source: str | None = None,
        since: str | None = None,
    ) -> None:
        if not await self.deferred(interaction, self.limiter):
            return
        try:
            channel = interaction.channel
            own_thread = isinstance(channel, discord.Thread) and channel.owner_id == self.bot.user.id
            history = self.conversations.history(channel.id) if own_thread else ()
            answer = await self.in_pool(self.engine.answer, question, list(history), source=source, since=since)
            messages = await self.send_reply(functools.partial(interaction.followup.send, wait=True), answer)
            turns = self.conversations.extend(history, (question, answer))
            self.conversations.remember([m.id for m in messages] + ([channel.id] if own_thread else []), turns)
        finally:
            self.limiter.finish()

    @app_commands.command(name="timeline", description="The dated claims about a story, oldest first.")
    @app_commands.describe(query="The story, e.g. Millbrook plant closure", **FILTER_HELP)
    async def timeline_command(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 500],
                               source: str | None = None, since: str | None = None) -> None:
        if not await self.deferred(interaction, self.limiter):
            return
        try:
            answer = await self.in_pool(self.engine.timeline, query, source=source, since=since)
            await self.send_reply(functools.partial(interaction.followup.send, wait=True), answer,
                                  timeline_field=False)  # the body is the timeline
        finally:
            self.limiter.finish()

    @app_commands.command(name="sources", description="List the most recent stored articles.")
    async def sources(self, interaction: discord.Interaction) -> None:
        if not await self.deferred(interaction, self.list_limiter):
            return
        try:
            articles = await asyncio.to_thread(self.library.articles)
            for part in split_message(render_articles(articles, self.settings.recent_articles)):
                await interaction.followup.send(part, allowed_mentions=NO_MENTIONS, suppress_embeds=True)
        finally:
            self.list_limiter.finish()

    @app_commands.command(name="ingest", description="Add an article from a URL or an attached file (trusted members).")
    @app_commands.describe(url="An http(s) link to an article or a feed", file="A text, Markdown, HTML or JSON file")
    @app_commands.default_permissions(manage_guild=True)  # a hint only: checked again below
    async def ingest(
        self,
        interaction: discord.Interaction,
        url: str | None = None,
        file: discord.Attachment | None = None,
    ) -> None:
        if not may_ingest(interaction, self.settings):
            log.info("refused /ingest by user %s in guild %s", interaction.user.id, interaction.guild_id)
            await interaction.response.send_message(INGEST_REFUSED, ephemeral=True)
            return
        if (url is None) == (file is None):
            await interaction.response.send_message("Give either a `url` or a `file` to /ingest.", ephemeral=True)
            return
        if url is not None and (refusal := url_refusal(url)):
            log.info("refused /ingest url %r by user %s", url[:200], interaction.user.id)
            await interaction.response.send_message(refusal, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        if file is not None and file.size > self.settings.max_upload_bytes:
            await interaction.response.send_message(
                f"Sorry: {file.filename} is {file.size:,} bytes; the limit is "
                f"{self.settings.max_upload_bytes:,} bytes.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(thinking=True)
        async with self.ingest_lock:  # one ingest at a time in this process
            if file is not None:
                spec = str(await save_upload(file, self.upload_dir / str(interaction.guild_id or "direct"),
                                              self.settings.max_upload_bytes))
                name = file.filename
            else:
                spec = name = url.strip()
            report = await asyncio.to_thread(self.ingest_sources, [spec])
        log.info("/ingest %s by user %s: %s", name, interaction.user.id, report.line())
        await interaction.followup.send(
            fit_unfurled(f"Ingested {name}: {report.line()}", DISCORD_LIMIT),
            allowed_mentions=NO_MENTIONS,
            suppress_embeds=True,
        )

    @app_commands.command(name="help", description="How to use newsbot.")
    async def help(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(HELP_TEXT, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def cog_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """One short line to the user; the details to the log."""
        original = getattr(error, "original", error)
        name = interaction.command.name if interaction.command else "?"
        if isinstance(original, NewsbotError):
            log.info("/%s failed: %s", name, original)
        else:
            log.error("/%s failed", name, exc_info=original)
        interaction.extras["newsbot_handled"] = True
        text = one_line(original)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("could not tell the user about the failure of /%s", name)

    # -- mentions, threads and reply chains ----------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot:
            return
        channel = message.channel
        own_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        ref = message.reference.message_id if message.reference else None
        follow_up = ref is not None and ref in self.conversations
        direct = isinstance(channel, discord.DMChannel)
        mentioned = any(u.id == me.id for u in message.mentions)
        if not (mentioned or own_thread or follow_up or direct):
            return
        question = strip_mention(message.content, me.id)
        if not question:
            await message.reply("Ask me a question about the news, e.g. `@newsbot Did the call happen?`, "
                                "or use `/help`.", mention_author=False, allowed_mentions=NO_MENTIONS)
            return
        history = self.conversations.history(ref if follow_up else channel.id if own_thread else None)
        refusal = self.limiter.try_start(message.author.id)
        if refusal:
            await message.reply(refusal, mention_author=False, allowed_mentions=NO_MENTIONS)
            return
        try:
            target, send = await self._answer_target(message, question, new_thread=not (own_thread or follow_up))
            async with target.typing():
                answer = await self.in_pool(self.engine.answer, question, list(history))
            messages = await self.send_reply(send, answer)
            keys = [m.id for m in messages]
            if isinstance(target, discord.Thread) and target.owner_id == me.id:
                keys.append(target.id)
            self.conversations.remember(keys, self.conversations.extend(history, (question, answer)))
        except Exception as exc:  # noqa: BLE001 - the user gets one line, the log the rest
            if isinstance(exc, NewsbotError):
                log.info("answering message %s failed: %s", message.id, exc)
            else:
                log.exception("answering message %s failed", message.id)
            try:
                await message.reply(one_line(exc), mention_author=False, allowed_mentions=NO_MENTIONS)
            except discord.HTTPException:
                log.warning("could not tell the user about the failure")
        finally:
            self.limiter.finish()

    async def _answer_target(self, message: discord.Message, question: str, *, new_thread: bool):
        """Where the answer goes: a new thread on the question, else a reply to it."""
        if new_thread and self.settings.threads and isinstance(message.channel, discord.TextChannel):
            try:
                thread = await message.create_thread(name=fit(question, 100), auto_archive_duration=1440)
                return thread, thread.send
            except discord.HTTPException as exc:  # no permission to create threads: reply instead
                log.info("could not start a thread (%s); replying in the channel", exc)
        first = True

        async def send(**kwargs: Any) -> discord.Message:
            nonlocal first
            if first:
                first = False
                return await message.reply(mention_author=False, **kwargs)
            return await message.channel.send(**kwargs)

        return message.channel, send


# -- the bot -----------------------------------------------------------------------------------------
class NewsTree(app_commands.CommandTree):
    """Logs errors the cog did not already handle (and only those)."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if interaction.extras.get("newsbot_handled"):
            return
        await super().on_error(interaction, error)


def default_intents() -> discord.Intents:
    """Guilds and messages, plus Message Content (privileged: follow-ups in a thread
    come without a mention).  No members or presence intents."""
    intents = discord.Intents.default()
    intents.message_content = True
    return intents


class NewsBot(commands.Bot):
    """The Discord client: mentions never ping, one cog, set up once."""

    def __init__(
        self,
        *,
        engine: Engine,
        library: Library | None,
        ingest: Callable[[Sequence[str]], IngestReport],
        settings: DiscordSettings,
        upload_dir: Path,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ):
        options.setdefault("intents", default_intents())
        options.setdefault("tree_cls", NewsTree)
        super().__init__(
            command_prefix=commands.when_mentioned,
            allowed_mentions=NO_MENTIONS,
            help_command=None,
            **options,
        )
        self.engine = engine
        self.settings = settings
        self._cog_args = dict(engine=engine, library=library, ingest=ingest, settings=settings,
                              upload_dir=upload_dir, clock=clock)
        self.ready_count = 0
        self._set_up = False

    async def setup_hook(self) -> None:
        """Runs once per login: registers the cog and, when configured, syncs the commands."""
        await self.add_cog(NewsCog(self, **self._cog_args))
        if self.settings.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        if self.settings.guild_ids:
            for guild_id in self.settings.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to server %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (they may take a while to appear)", len(synced))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: chat is handled by the cog's listener."""

    async def on_ready(self) -> None:
        """May fire again after a reconnect: the one-time set-up is guarded."""
        self.ready_count += 1
        log.info("connected as %s to %d servers", self.user, len(self.guilds))
        if self._set_up:
            return
        self._set_up = True
        await asyncio.to_thread(self.engine.warm)  # model and lexical index loaded before the first question
        log.info("ready to answer")


def build_bot(app: Any, **options: Any) -> NewsBot:
    """The bot for an :class:`bot.app.App` (its engine, article library and ingest pipeline)."""
    from bot.chat import ingest_runner

    return NewsBot(
        engine=app.engine,
        library=app.library,
        ingest=ingest_runner(app),
        settings=DiscordSettings.from_config(app.config.discord),
        upload_dir=Path(app.config.store.path).parent / "uploads",
        **options,
    )
