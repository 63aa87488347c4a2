"""The Discord bot's guards: what /ingest takes from chat, who may ingest, /sources limits,
reply length.  Same harness as test_discord.py (real Interactions, no network)."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import replace

import discord
import pytest
from discord.ext.test import backend

from bot.app import App
from bot.chat import IngestReport, ingest_runner
from bot.config import load_config
from ingest.pipeline import IngestSummary, Outcome
from retrieval.common.errors import ConfigError
from retrieval.index.library import Library
from retrieval.index.store import Store, embedded_client

from tests.fakes import ScriptedEngine
from tests.test_discord import make_harness

URL_REFUSAL = ("Sorry: `url` must be an http(s) link such as https://example.com/story; "
               "to add a file, attach it as `file`.")


@pytest.fixture
def host_app(embedder, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    return App(load_config(config, environ={}), embedder=embedder)


async def test_ingest_url_takes_only_web_links_never_files_or_stdin_of_the_bot_host(host_app, tmp_path, monkeypatch):
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\nadmin password: hunter2\n", encoding="utf-8")
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(), library=host_app.library,
                           ingest=ingest_runner(host_app), ingest_users=(555,))
    trusted = backend.make_member(backend.make_user("Trusted", "0003", id_num=555), h.guild)
    for value in (str(secret), "-", f"file://{secret}", "~/.bashrc", "ftp://example.com/x", "http://",
                  "https://exa mple.com/x", "passwd"):
        adapter = await h.slash("ingest", user=trusted, url=value)
        response = adapter.responses()[-1]
        assert response["data"]["content"] == URL_REFUSAL, value
        assert response["data"]["flags"] == 64  # only the asker sees it
    assert host_app.store.list_articles() == []
    # a web link passes on to the fetcher, whose address checks refuse the bot's own machine
    adapter = await h.slash("ingest", user=trusted, url="http://127.0.0.1:9/secret")
    reply = adapter.followups()[-1]["content"]
    assert reply.startswith("Ingested <http://127.0.0.1:9/secret>: 1 failed;")
    assert "refusing to fetch from non-public address 127.0.0.1" in reply
    assert host_app.store.list_articles() == []


async def test_ingest_rights_come_from_configured_ids_only(tmp_path, monkeypatch):
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(), ingest_roles=(77,))
    manage = discord.Permissions(manage_guild=True).value
    admin = discord.Permissions(administrator=True).value
    backend.make_role("Editors", h.guild, id_num=78)  # the name of an allowed role elsewhere: no rights
    for kwargs in ({"permissions": manage}, {"permissions": admin}, {"roles": [78]}):
        adapter = await h.slash("ingest", url="https://news.example/story", **kwargs)
        assert adapter.responses()[-1]["data"]["content"] == "Sorry: only people this bot's operator allowed " \
                                                             "may use /ingest.", kwargs
    assert h.ingested == []
    h.cog.settings = replace(h.cog.settings, ingest_guilds=(h.guild.id,))  # this server is listed
    await h.slash("ingest", url="https://news.example/a", permissions=manage)
    backend.make_role("Desk", h.guild, id_num=77)
    await h.slash("ingest", url="https://news.example/b", roles=[77])
    assert h.ingested == [["https://news.example/a"], ["https://news.example/b"]]
    with pytest.raises(ConfigError) as err:
        load_config(None, environ={"NEWSBOT_DISCORD_INGEST_ROLES": "Editors"})
    assert "NEWSBOT_DISCORD_INGEST_ROLES" in str(err.value) and "role ids" in str(err.value)


class GatedStore(Store):
    """A real (empty) store whose listing waits for a gate, to hold a /sources call in progress."""

    def __init__(self, path):
        super().__init__(embedded_client(path), "news", "all-MiniLM-L6-v2")
        self.gate = threading.Event()
        self.calls = 0

    def list_articles(self):
        self.calls += 1
        self.gate.wait(5)
        return super().list_articles()


async def test_sources_has_a_cooldown_and_a_cap_on_calls_in_progress(tmp_path, monkeypatch):
    now = [1000.0]
    store = GatedStore(tmp_path / "store")
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(), library=Library(store), clock=lambda: now[0],
                           cooldown_seconds=10.0, max_concurrent=1)
    first = asyncio.create_task(h.bot.tree.call(h.interaction("sources")))
    while store.calls == 0:
        await asyncio.sleep(0.01)
    adapter = await h.slash("sources")  # the same user again at once
    refusal = adapter.responses()[-1]["data"]
    assert refusal["content"] == "Easy there: you can ask again in 10 s." and refusal["flags"] == 64
    other = backend.make_member(backend.make_user("Other", "0002"), h.guild)
    adapter = await h.slash("sources", user=other)  # someone else while one listing runs
    assert adapter.responses()[-1]["data"]["content"].startswith("I'm busy")
    store.gate.set()
    await first
    now[0] += 11
    await h.slash("sources", user=other)
    assert store.calls == 2


async def test_ingest_reply_fits_discord_after_its_links_are_wrapped(tmp_path, monkeypatch):
    summary = IngestSummary(outcomes=[
        Outcome("failed", f"https://news.example/{i}/" + "a" * 700, detail="HTTP 404 Not Found") for i in range(3)
    ])
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(), ingest=lambda specs: IngestReport(summary),
                           ingest_users=(555,))
    trusted = backend.make_member(backend.make_user("Trusted", "0003", id_num=555), h.guild)
    adapter = await h.slash("ingest", user=trusted, url="https://news.example/feed.xml")
    reply = adapter.followups()[-1]["content"]
    assert len(reply) <= 2000 and reply.endswith("…")
    assert not re.search(r"(?<!<)https?://", reply)  # every link wrapped: no previews
    assert reply.count("<http") == reply.count(">")  # none cut open
