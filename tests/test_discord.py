"""The Discord bot, offline.

* Message flows (mentions, threads the bot starts, reply chains) run through
  dpytest, whose fake HTTP client is subclassed to record what the bot sends
  and to start threads.
* Slash commands are driven the way discord.py tests itself
  (tests/test_app_commands_invoke.py): real ``Interaction`` objects built
  from payload dicts, a ``CommandTree`` subclass recording the last
  exception, and a webhook adapter (subclass of the real one) recording the
  interaction responses instead of sending them.
* Answers come from the real engine over a store of data/sample plus one
  article full of mentions and a link, built once for the module; tests
  about the adapter itself (slowness, errors, limits) use
  :class:`tests.fakes.ScriptedEngine`, a fake implementing the engine interface.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.app import App
from bot.chat import IngestReport, ingest_runner
from bot.config import load_config
from bot.discord_bot import NewsBot, NewsTree
from bot.discord_run import _serve
from bot.discord_support import GENERIC_ERROR, DiscordSettings, RedactFilter, token_from_env
from retrieval.engine.answer import Answer
from retrieval.common.errors import NewsbotError
from tests.fakes import ScriptedEngine, citation

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
ROLE_ID = 424242424242424242


def pings_nobody(payload: dict) -> bool:
    """The message's allowed mentions let no @everyone, role, user or replied-to author be notified."""
    allowed = payload["allowed_mentions"]
    return allowed.get("parse") == [] and not allowed.get("users") and not allowed.get("roles") \
        and not allowed.get("replied_user", False)

def seen(message: Any) -> str:
    """What a reader sees of a sent message (a dpytest message or a payload): its text and
    its embeds' title, description, fields and footer, one part a line."""
    if isinstance(message, dict):
        content, embeds = message.get("content") or "", message.get("embeds") or []
    else:
        content, embeds = message.content, [e.to_dict() for e in message.embeds]
    parts = [content]
    for e in embeds:
        parts += [e.get("title", ""), e.get("description", "")]
        parts += [f"{f['name']}\n{f['value']}" for f in e.get("fields", [])]
        parts.append(e.get("footer", {}).get("text", ""))
    return "\n".join(p for p in parts if p)


FESTIVAL = f"""---
title: Harbour festival moves to Saturday
source: Bay Times
published: 2024-11-16
---
The Kestrel harbour festival moves to Saturday because of the storm warning, organisers said.

@everyone <@&{ROLE_ID}> volunteers for the harbour festival must register at https://example.org/festival/volunteers before Friday, the organisers added.
"""
_ids = itertools.count(1_000_000)


# -- the store, built once ------------------------------------------------------------------
@pytest.fixture(scope="module")
def news_app(embedder, tmp_path_factory):
    """An App over data/sample plus the festival article (mentions and a link)."""
    root = tmp_path_factory.mktemp("discord")
    (root / "festival.md").write_text(FESTIVAL, encoding="utf-8")
    config = root / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    app = App(load_config(config, environ={}), embedder=embedder)
    report = ingest_runner(app)([str(SAMPLE), str(root / "festival.md")])
    assert report.summary.count("added") == 11
    return app


# -- test doubles ----------------------------------------------------------------------------------
class RecordingHttp(backend.FakeHttp):
    """dpytest's fake HTTP client, also recording message payloads, threads and downloads."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.payloads: list[dict] = []
        self.flags: list[int] = []
        self.downloads: list[str] = []
        self.threads: list[discord.Thread] = []

    async def send_message(self, channel_id, *, params):
        channel = backend._get_higher_locs(1)["channel"]  # noqa: F841 - read by dpytest's send_message
        self.payloads.append(dict(params.payload or {}))
        return await super().send_message(channel_id, params=params)

    async def start_thread_with_message(self, channel_id, message_id, *, name, auto_archive_duration,
                                        rate_limit_per_user=None, reason=None):
        parent = self.state.get_channel(int(channel_id))
        data = {
            "id": str(factories.make_id()), "guild_id": str(parent.guild.id), "parent_id": str(parent.id),
            "owner_id": str(self.state.user.id), "name": name, "type": 11, "last_message_id": None,
            "rate_limit_per_user": 0, "message_count": 0, "member_count": 1,
            "thread_metadata": {"archived": False, "auto_archive_duration": auto_archive_duration,
                                "archive_timestamp": "2024-11-16T00:00:00+00:00", "locked": False},
        }
        self.state.parse_thread_create(data)
        self.threads.append(parent.guild.get_thread(int(data["id"])))
        return data

    async def get_from_cdn(self, url: str) -> bytes:
        self.downloads.append(url)
        return await super().get_from_cdn(url)


class RecordingAdapter(AsyncWebhookAdapter):
    """The webhook adapter behind interaction responses, recording instead of sending."""

    def __init__(self, clock=time.perf_counter):
        super().__init__()
        self.calls: list[tuple[float, str, str, dict]] = []  # (time, method, path, payload)
        self.messages: list[dict] = []  # the messages "created" by follow-ups
        self.clock = clock

    async def request(self, route, session=None, *, payload=None, multipart=None, files=None, params=None, **kw):
        if multipart:
            payload = next((p["value"] for p in multipart if p["name"] == "payload_json"), None)
            payload = __import__("json").loads(payload) if isinstance(payload, str) else payload
        self.calls.append((self.clock(), route.method, route.path, payload or {}))
        if route.path.endswith("/callback"):
            return {"interaction": {"id": str(route.webhook_id), "type": 2}}
        message = message_payload(payload or {}, channel_id=0)
        self.messages.append(message)
        return message

    # what a user sees
    def responses(self) -> list[dict]:
        return [p for _, m, path, p in self.calls if path.endswith("/callback")]

    def followups(self) -> list[dict]:
        return [p for _, m, path, p in self.calls if m == "POST" and not path.endswith("/callback")]


def message_payload(payload: dict, channel_id: int) -> dict:
    return {
        "id": str(next(_ids)), "channel_id": str(channel_id), "type": 0, "content": payload.get("content", ""),
        "author": {"id": "1", "username": "newsbot", "discriminator": "0001", "avatar": None, "bot": True},
        "timestamp": "2024-11-16T00:00:00+00:00", "edited_timestamp": None, "tts": False,
        "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
        "embeds": payload.get("embeds", []), "pinned": False, "flags": payload.get("flags", 0),
    }


class RecordingTree(NewsTree):
    """The bot's tree, keeping the last exception like discord.py's own MockTree."""

    last_exception: Exception | None = None

    async def call(self, interaction):
        """What the gateway's INTERACTION_CREATE does (``_from_interaction``), awaited."""
        self.last_exception = None
        try:
            await self._call(interaction)
        except discord.app_commands.AppCommandError as error:
            await self._dispatch_error(interaction, error)

    async def on_error(self, interaction, error):
        self.last_exception = error
        await super().on_error(interaction, error)


# -- the bot under test -------------------------------------------------------------------------------
class Harness:
    def __init__(self, bot: NewsBot, http: RecordingHttp, adapter: RecordingAdapter, ingested: list):
        self.bot, self.http, self.adapter, self.ingested = bot, http, adapter, ingested
        cfg = dpytest.get_config()
        self.guild, self.channel, self.member = cfg.guilds[0], cfg.channels[0], cfg.members[0]

    @property
    def cog(self):
        return self.bot.get_cog("newsbot")

    # messages
    async def post(self, content: str, *, channel=None, author=None, reply_to=None, mention=False):
        channel, author = channel or self.channel, author or self.member
        if mention:
            content = f"<@{self.bot.user.id}> {content}"
        data = factories.make_message_dict(
            channel, author, content=content, guild_id=self.guild.id,
            mentions=[self.bot.user] if mention else [],
            mention_roles=backend.find_role_mentions(content, self.guild),
        )
        if reply_to is not None:
            data["message_reference"] = {"message_id": str(reply_to.id), "channel_id": str(reply_to.channel.id),
                                         "guild_id": str(self.guild.id)}
        backend.get_state().parse_message_create(data)
        await dpytest.run_all_events()
        return backend.get_state()._get_message(int(data["id"]))

    def sent(self) -> list[discord.Message]:
        out = []
        while not dpytest.sent_queue.empty():
            out.append(dpytest.sent_queue.get_nowait())
        return out

    # interactions
    def interaction(self, name: str, *, user=None, permissions: int = 0, roles=(), attachment: dict | None = None,
                    **options: str) -> discord.Interaction:
        user = user or self.member
        opts = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
        data: dict[str, Any] = {"type": 1, "name": name, "id": "1", "options": opts}
        if attachment is not None:
            opts.append({"type": 11, "name": "file", "value": attachment["id"]})
            data["resolved"] = {"attachments": {attachment["id"]: attachment}}
        payload = {
            "id": str(next(_ids)), "application_id": "1", "token": "interaction-token", "version": 1, "type": 2,
            "guild_id": str(self.guild.id), "channel": {"id": str(self.channel.id), "type": 0},
            "member": {"user": {"id": str(user.id), "username": user.name, "discriminator": "0001", "avatar": None},
                       "roles": [str(r) for r in roles], "permissions": str(permissions),
                       "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False, "flags": 0},
            "app_permissions": str(discord.Permissions.text().value), "attachment_size_limit": 25_000_000,
            "locale": "en-US", "data": data,
        }
        return discord.Interaction(data=payload, state=self.bot._connection)

    async def slash(self, name: str, **kwargs) -> RecordingAdapter:
        interaction = self.interaction(name, **kwargs)
        await self.bot.tree.call(interaction)
        return self.adapter


async def make_harness(monkeypatch, tmp_path, *, engine, library=None, ingest=None, clock=time.monotonic,
                       **settings: Any) -> Harness:
    monkeypatch.setattr(backend, "FakeHttp", RecordingHttp)  # dpytest.configure builds ours
    ingested: list = []

    def record_ingest(specs):
        ingested.append(list(specs))
        return IngestReport(__import__("ingest.pipeline", fromlist=["x"]).IngestSummary())

    settings = {"sync_commands": False, "cooldown_seconds": 0.0, **settings}
    bot = NewsBot(engine=engine, library=library, ingest=ingest or record_ingest,
                  settings=DiscordSettings(**settings), upload_dir=tmp_path / "uploads", clock=clock,
                  tree_cls=RecordingTree, intents=discord.Intents.all())  # dpytest caches members only so
    dpytest.configure(bot)
    await bot._async_setup_hook()  # gives dpytest's state the running loop
    await bot.setup_hook()
    adapter = RecordingAdapter()
    async_context.set(adapter)
    await dpytest.empty_queue()
    return Harness(bot, bot.http, adapter, ingested)


@pytest.fixture
async def real(news_app, monkeypatch, tmp_path):
    """The bot over the real engine and store."""
    harness = await make_harness(monkeypatch, tmp_path, engine=news_app.engine, library=news_app.library)
    yield harness
    await dpytest.empty_queue()


# -- mentions, threads, reply chains ------------------------------------------------------------------------
async def test_mention_is_answered_in_a_thread_and_follow_ups_there_carry_the_history(real):
    await real.post("Did the call happen?", mention=True)
    [thread] = real.http.threads
    assert thread.name == "Did the call happen?" and thread.owner_id == real.bot.user.id
    [answer] = real.sent()
    assert answer.channel.id == thread.id and answer.content == ""
    # one embed: the verdict as its title, the quotes below, a field per side, the sources
    [embed] = answer.embeds
    assert embed.title == "Sources conflict: the Washington Post reports it; Kremlin spokesman Dmitry Peskov denies it."
    assert "simply false information" in embed.description and "[1]" in embed.description
    fields = {f.name: f.value for f in embed.fields}
    assert list(fields) == ["Reported by the Washington Post · 1 independent source",
                            "Denied by Kremlin spokesman Dmitry Peskov · 1 independent source", "Sources", "Timeline"]
    assert fields["Denied by Kremlin spokesman Dmitry Peskov · 1 independent source"] == \
        "The Washington Post report was “simply false information” [1]\n*Outlets: AFP*"
    assert fields["Sources"] == "**[1]** Kremlin denies Putin and Trump spoke on the phone — AFP, 2024-11-11 — " \
                                "`kremlin-denies-call.md`"  # a local file: its name only, not the server's path
    assert fields["Timeline"].splitlines()[0].startswith("Sun 10 Nov 2024 — the Washington Post: Trump talked")
    assert "Timeline:" not in embed.description  # shown once, in its field
    assert embed.footer.text == "Quoted from the stored articles (offline engine)"
    [row] = real.http.payloads[-1]["components"]
    assert [b["label"] for b in row["components"]] == ["Details"]
    # a follow-up in the thread, without a mention: the engine gets the first question as history
    await real.post("Who denied it?", channel=thread)
    [follow] = real.sent()
    assert follow.channel.id == thread.id
    assert "Peskov" in follow.embeds[0].title
    assert len(real.http.threads) == 1  # no second thread
    assert all(pings_nobody(p) for p in real.http.payloads)


async def test_reply_chain_carries_the_history_when_threads_are_off(news_app, monkeypatch, tmp_path):
    h = await make_harness(monkeypatch, tmp_path, engine=news_app.engine, library=news_app.library, threads=False)
    await h.post("How much will the Riverside bike lanes cost?", mention=True)
    [first] = h.sent()
    assert first.channel.id == h.channel.id and not h.http.threads
    assert "4.5 million euros" in seen(first)
    assert h.http.payloads[-1]["message_reference"]["message_id"] is not None  # a reply to the question
    # replying to the bot's answer, no mention: a follow-up about the bike lanes
    await h.post("When will it begin?", reply_to=first)
    [second] = h.sent()
    assert "April 2025" in seen(second)
    # the same words asked fresh in the channel, with a mention, lose the context
    engine_calls = []
    original = news_app.engine.answer

    def spy(question, history=(), **kw):
        engine_calls.append([q for q, _ in history])
        return original(question, history, **kw)

    monkeypatch.setattr(news_app.engine, "answer", spy)
    await h.post("When will it begin?", mention=True)
    await h.post("When will it begin?", reply_to=first)
    assert engine_calls == [[], ["How much will the Riverside bike lanes cost?"]]
    h.sent()


async def test_messages_not_for_the_bot_are_ignored(tmp_path, monkeypatch):
    engine = ScriptedEngine()
    h = await make_harness(monkeypatch, tmp_path, engine=engine)
    chatter = await h.post("Did the call happen?")  # no mention, not a thread of ours, not a reply to us
    await h.post("No idea", reply_to=chatter)  # a reply, but not to the bot
    assert h.sent() == [] and engine.calls == []
    await h.post("", mention=True)  # a bare mention: a hint, no engine call
    [hint] = h.sent()
    assert "/help" in hint.content and engine.calls == []


async def test_a_quoted_everyone_role_mention_and_link_ping_nobody_and_do_not_unfurl(real):
    await real.post("When is the Kestrel harbour festival and where do volunteers register?", mention=True)
    [reply] = real.sent()
    # the quote is shown as written...
    text = seen(reply)
    assert f"“@everyone <@&{ROLE_ID}> volunteers for the harbour festival must register at" in text
    payload = real.http.payloads[-1]
    assert pings_nobody(payload)  # Discord notifies no one, whatever the text says
    # the link is shown in the embed, where Discord makes no preview of it; the message has no other
    assert "https://example.org/festival/volunteers" in text
    assert reply.content == "" and len(reply.embeds) == 1


async def test_the_client_itself_pings_nobody_by_default(tmp_path):
    bot = NewsBot(engine=ScriptedEngine(), library=None, ingest=lambda s: None, settings=DiscordSettings(),
                  upload_dir=tmp_path)
    assert pings_nobody({"allowed_mentions": bot.allowed_mentions.to_dict()})
    assert bot.intents.message_content


# -- slash commands ---------------------------------------------------------------------------------------------
async def test_ask_is_deferred_first_then_answered_with_sources(real):
    adapter = await real.slash("ask", question="Will the Millbrook plant close?")
    assert real.bot.tree.last_exception is None
    first = adapter.calls[0]
    assert first[2].endswith("/callback") and first[3]["type"] == 5  # deferred ("thinking...")
    [answer] = adapter.followups()
    [embed] = answer["embeds"]
    assert embed["title"] == "Sources conflict: Harbor Gazette reports it; Norden Steel denies it."
    assert [f["name"] for f in embed["fields"]] == ["Reported by Harbor Gazette · 1 independent source",
                                                    "Denied by Norden Steel · 1 independent source",
                                                    "Sources", "Timeline"]
    assert embed["fields"][2]["value"].splitlines() == [
        "**[1]** Norden Steel to close Millbrook plant, union says — Harbor Gazette, 2024-11-12 — "
        "`steel-plant-to-close.md`",
        "**[2]** Norden Steel denies plans to shut Millbrook plant — Valley Courier, 2024-11-13 — "
        "`steel-plant-denial.md`",
    ]
    assert embed["fields"][3]["value"].splitlines() == [
        "Tue 12 Nov 2024 — Harbor Gazette: Norden Steel will close its Millbrook plant by the end of March, "
        "cutting about 800 jobs [1]",
        "Wed 13 Nov 2024 — Norden Steel: A newspaper report that it plans to close its Millbrook plant [2]",
    ]
    assert pings_nobody(answer)
    # replying to the /ask answer continues that conversation
    sent = SimpleNamespace(id=int(adapter.messages[-1]["id"]), channel=real.channel)
    await real.post("Who denied it?", reply_to=sent)
    [follow] = real.sent()
    # "it" is the closure asked about before: the denial comes first, from the Valley Courier
    assert "Norden Steel" in follow.embeds[0].title and "Valley Courier" in seen(follow)


async def test_ask_with_plain_text_sources_and_a_long_answer_is_split(tmp_path, monkeypatch):
    paragraph = ("The council said the works would be phased. " * 20).strip()
    long = Answer(question="q", status="answered", answer="\n\n".join([paragraph] * 5) + " [1]",
                  citations=[citation(1), citation(2, url=None)])
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(long), embeds=False)
    adapter = await h.slash("ask", question="What did the council say?")
    parts = [p["content"] for p in adapter.followups()]
    assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
    assert "".join(parts).startswith(long.answer)
    assert parts[-1].endswith("**Sources**\n[1] Article 1 — Wire, 2024-11-11 — <https://news.example/a>\n"
                              "[2] Article 2 — Wire, 2024-11-11")
    assert all(p["flags"] & 4 for p in adapter.followups())  # SUPPRESS_EMBEDS: no link previews


async def test_sources_lists_the_most_recent_articles(real):
    adapter = await real.slash("sources")
    assert adapter.responses()[0]["type"] == 5
    [listing] = adapter.followups()
    lines = listing["content"].splitlines()
    assert lines[0] == "The 10 most recent of 11 stored articles:"
    assert lines[1] == "• **Harbour festival moves to Saturday** — Bay Times, 2024-11-16 — festival.md"
    assert lines[2].startswith("• **Ministers meet in Warsaw on Ukraine reconstruction fund** — Continental Wire")
    assert lines[-1] == "…and 1 more."


async def test_help_is_a_private_reply_naming_every_command(tmp_path, monkeypatch):
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine())
    adapter = await h.slash("help")
    [response] = adapter.responses()
    assert response["type"] == 4 and response["data"]["flags"] == 64  # ephemeral
    for command in ("/ask", "/sources", "/ingest", "/help", "Mention me"):
        assert command in response["data"]["content"]
    assert all(c.description for c in h.bot.tree.get_commands())


# -- /ingest: trusted people only ----------------------------------------------------------------------------------
def attachment_dict(path: Path, size: int | None = None) -> dict:
    return {"id": str(next(_ids)), "filename": path.name, "size": path.stat().st_size if size is None else size,
            "url": str(path), "proxy_url": str(path), "content_type": "text/markdown"}


async def test_ingest_by_a_user_without_permission_is_refused_and_ingests_nothing(news_app, tmp_path, monkeypatch):
    h = await make_harness(monkeypatch, tmp_path, engine=news_app.engine, library=news_app.library,
                           ingest=ingest_runner(news_app), ingest_roles=(ROLE_ID,))
    before = len(news_app.store.list_articles())
    article = tmp_path / "lighthouse.md"
    article.write_text("---\ntitle: Lighthouse reopens\n---\nThe Kestrel Point lighthouse reopened.\n")
    adapter = await h.slash("ingest", attachment=attachment_dict(article), permissions=discord.Permissions(
        send_messages=True, manage_messages=True).value)
    [response] = adapter.responses()
    assert response["type"] == 4 and response["data"]["flags"] == 64
    assert response["data"]["content"] == "Sorry: only people this bot's operator allowed may use /ingest."
    assert h.http.downloads == [] and len(news_app.store.list_articles()) == before
    assert not (tmp_path / "uploads").exists()


async def test_ingest_by_manage_server_reads_the_file_and_the_next_answer_uses_it(embedder, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    app = App(load_config(config, environ={}), embedder=embedder)
    ingest_runner(app)([str(SAMPLE / "storm-port-avell.md")])
    h = await make_harness(monkeypatch, tmp_path, engine=app.engine, library=app.library, ingest=ingest_runner(app))
    h.cog.settings = replace(h.cog.settings, ingest_guilds=(h.guild.id,))  # Manage Server counts here
    article = tmp_path / "lighthouse.md"
    article.write_text("---\ntitle: Lighthouse reopens\nsource: Bay Times\npublished: 2024-11-15\n---\n"
                       "The Kestrel Point lighthouse reopened on Friday after a restoration costing "
                       "1.2 million euros.\n", encoding="utf-8")
    adapter = await h.slash("ingest", attachment=attachment_dict(article),
                            permissions=discord.Permissions(manage_guild=True).value)
    assert h.bot.tree.last_exception is None
    assert adapter.responses()[0]["type"] == 5
    assert adapter.followups()[-1]["content"] == "Ingested lighthouse.md: 1 added"
    assert h.http.downloads == [str(article)]
    assert len(app.store.list_articles()) == 2
    await h.slash("ask", question="How much did the lighthouse restoration cost?")
    assert "1.2 million euros" in seen(adapter.followups()[-1])


async def test_ingest_allowed_by_role_or_user_list_and_size_checked_before_reading(tmp_path, monkeypatch):
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(), ingest_roles=(76, 77),
                           max_upload_bytes=100)
    editors = backend.make_role("Editors", h.guild, id_num=76)
    backend.make_role("Reporters", h.guild, id_num=77)
    article = tmp_path / "big.md"
    article.write_text("x" * 500)
    # allowed by role id but too big: refused before any download
    adapter = await h.slash("ingest", attachment=attachment_dict(article), roles=[editors.id])
    assert adapter.responses()[-1]["data"]["content"] == "Sorry: big.md is 500 bytes; the limit is 100 bytes."
    assert h.http.downloads == [] and h.ingested == []
    # allowed by role id, a URL: handed to the ingest pipeline as it is
    await h.slash("ingest", roles=[77], url="https://news.example/story")
    assert h.ingested == [["https://news.example/story"]]
    # allowed by user id
    h2 = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(), ingest_users=(555,))
    trusted = backend.make_member(backend.make_user("Trusted", "0003", id_num=555), h2.guild)
    await h2.slash("ingest", user=trusted, url="https://news.example/other")
    assert h2.ingested == [["https://news.example/other"]]
    # neither a url nor a file
    adapter = await h2.slash("ingest", user=trusted)
    assert adapter.responses()[-1]["data"]["content"] == "Give either a `url` or a `file` to /ingest."


# -- slowness, limits, errors ---------------------------------------------------------------------------------------
async def test_slow_answers_do_not_block_the_event_loop(tmp_path, monkeypatch):
    engine = ScriptedEngine(delay=0.6)
    h = await make_harness(monkeypatch, tmp_path, engine=engine, max_concurrent=3)
    lags: list[float] = []

    async def ticker():
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - t - 0.01)

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.gather(*(h.bot.tree.call(h.interaction("ask", question=f"q{i}")) for i in range(3)))
    elapsed = time.perf_counter() - started
    tick.cancel()
    defers = [t for t, _, path, p in h.adapter.calls if path.endswith("/callback")]
    # generous bounds (a garbage collection can pause a busy test process); bench/discord_bench.py
    # measures the real figures
    assert len(defers) == 3 and max(defers) - started < 0.25  # all deferred before any answer is ready
    assert len(h.adapter.followups()) == 3
    assert elapsed < 1.5  # the three 0.6 s answers ran side by side, not one after the other (1.8 s)
    assert max(lags) < 0.25


async def test_cooldown_per_user_with_a_friendly_reply(tmp_path, monkeypatch):
    now = [1000.0]
    engine = ScriptedEngine()
    h = await make_harness(monkeypatch, tmp_path, engine=engine, clock=lambda: now[0], cooldown_seconds=10.0)
    await h.slash("ask", question="first")
    adapter = await h.slash("ask", question="again")
    assert adapter.responses()[-1]["data"]["content"] == "Easy there: you can ask again in 10 s."
    assert adapter.responses()[-1]["data"]["flags"] == 64
    await h.post("third, by mention", mention=True)
    assert h.sent()[-1].content == "Easy there: you can ask again in 10 s."
    other = backend.make_member(backend.make_user("Other", "0002"), h.guild)
    await h.slash("ask", user=other, question="someone else")  # other users are not held up
    now[0] += 10.5
    await h.slash("ask", question="later")
    assert [q for q, _ in engine.calls] == ["first", "someone else", "later"]


async def test_concurrency_limit_refuses_with_a_friendly_reply(tmp_path, monkeypatch):
    gate = threading.Event()
    engine = ScriptedEngine(gate=gate)
    h = await make_harness(monkeypatch, tmp_path, engine=engine, max_concurrent=1)
    first = asyncio.create_task(h.bot.tree.call(h.interaction("ask", question="slow one")))
    await asyncio.to_thread(engine.started.wait, 5)
    other = backend.make_member(backend.make_user("Other", "0002"), h.guild)
    await h.slash("ask", user=other, question="meanwhile")
    busy = h.adapter.responses()[-1]["data"]
    assert busy["content"].startswith("I'm busy answering other questions") and busy["flags"] == 64
    gate.set()
    await first
    assert "Canned answer [1]" in seen(h.adapter.followups()[-1])
    await h.slash("ask", user=other, question="now")  # the slot was given back
    assert [q for q, _ in engine.calls] == ["slow one", "now"]


async def test_errors_reach_the_user_as_one_line_and_the_log_gets_the_details(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="bot.discord_bot")
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(NewsbotError("no date 'soon'\nmore")))
    adapter = await h.slash("ask", question="Since when?", since="soon")
    assert adapter.followups()[-1]["content"] == "Sorry: no date 'soon'"
    assert adapter.followups()[-1]["flags"] == 64
    assert isinstance(h.bot.tree.last_exception.original, NewsbotError)

    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(RuntimeError("index corrupted at 0x2f")))
    adapter = await h.slash("ask", question="Anything?")
    assert adapter.followups()[-1]["content"] == GENERIC_ERROR
    assert "index corrupted" not in adapter.followups()[-1]["content"]
    assert any(r.exc_info and "index corrupted" in str(r.exc_info[1]) for r in caplog.records)
    await h.post("Anything?", mention=True)
    assert h.sent()[-1].content == GENERIC_ERROR
    assert h.cog.limiter.active == 0  # slots given back after failures


async def test_on_ready_twice_sets_up_once(tmp_path, monkeypatch):
    engine = ScriptedEngine()
    h = await make_harness(monkeypatch, tmp_path, engine=engine)
    await h.bot.on_ready()
    await h.bot.on_ready()
    assert h.bot.ready_count == 2 and engine.warmed == 1
    assert len(h.bot.cogs) == 1


# -- the token ------------------------------------------------------------------------------------------------------------
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.s3cr3t-t0k3n-value_abcdefghijklmnop"


def test_without_a_token_the_command_says_how_to_set_it(monkeypatch):
    from click.testing import CliRunner

    from bot.cli import cli

    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = CliRunner().invoke(cli, ["discord"])
    assert result.exit_code == 1
    assert "DISCORD_TOKEN is not set" in result.output and "DISCORD_TOKEN=... newsbot discord" in result.output
    with pytest.raises(NewsbotError):
        token_from_env({"DISCORD_TOKEN": "  "})


class RejectingHttp(discord.http.HTTPClient):
    """Discord's HTTP client answering every request with 401, as Discord does for a bad token."""

    async def request(self, route, **kwargs):
        response = type("R", (), {"status": 401, "reason": "Unauthorized"})()
        raise discord.HTTPException(response, {"message": "401: Unauthorized", "code": 0})


async def test_the_token_never_appears_in_logs_reprs_or_errors(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    secret = token_from_env({"DISCORD_TOKEN": TOKEN})
    assert TOKEN not in repr(secret) and TOKEN not in str(secret) and secret.reveal() == TOKEN
    bot = NewsBot(engine=ScriptedEngine(), library=None, ingest=lambda s: None,
                  settings=DiscordSettings(sync_commands=False), upload_dir=tmp_path)
    bot.http = RejectingHttp(asyncio.get_running_loop())
    with pytest.raises(NewsbotError) as raised:
        await _serve(bot, secret)
    assert "Discord refused the token in DISCORD_TOKEN" in str(raised.value)
    assert TOKEN not in str(raised.value) and TOKEN not in repr(bot) and TOKEN not in repr(bot.http.__dict__.get("x"))
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
    # and should a library ever log it, the handler newsbot installs masks it
    record = logging.LogRecord("discord", logging.INFO, __file__, 1, "token is %s", (TOKEN,), None)
    RedactFilter(secret).filter(record)
    assert record.getMessage() == "token is ********"
