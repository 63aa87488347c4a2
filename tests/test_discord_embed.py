"""Answers as Discord embeds: within every Discord limit, the Details button, /timeline.

The harness (dpytest, real ``Interaction`` objects, a recording webhook adapter) and the
store over data/sample come from :mod:`tests.test_discord`.
"""

from __future__ import annotations

import asyncio
import itertools

import discord

from bot.discord_embed import answer_embed
from bot.discord_support import discord_reply
from retrieval.engine.answer import Answer, AnswerValue, Citation, SideView, TimelineEntry
from tests.fakes import ScriptedEngine, citation
from tests.test_discord import make_harness, news_app, real  # noqa: F401 - news_app and real are fixtures

_ids = itertools.count(2_000_000)
LIMITS = {"title": 256, "description": 4096, "field name": 256, "field value": 1024, "fields": 25, "total": 6000}


def hostile_answer(sides: int = 40, sources: int = 60) -> Answer:
    """Everything too long: the verdict, the quotes, the titles, the claims, the names, the sides."""
    long = "very " * 400
    cites = [Citation(n=n, article_id=f"a{n}", title=f"Title {n} {long}", source=f"Outlet {n} {long}",
                      published="2024-11-11", url=f"https://news.example/{n}/{'x' * 400}" if n % 2 else None,
                      quote=f"Quote {n} {long}", start=0, end=10, stance="denies" if n % 3 else "supports")
             for n in range(1, sources + 1)]
    stances = ("supports", "denies", "answer")
    views = [SideView(stance=stances[i % 3], claim=f"Claim {i} {long}" if i % 2 else "C" * 3000,  # no word to cut at
                      attributed_to=[f"Person {i} {long}"] * 5,
                      citations=list(range(1, sources + 1)), independent_sources=i + 1,
                      outlets=[f"Outlet {j} {long}" for j in range(8)], copies=[[f"Copy {long}"] * 3] * 4,
                      single_source=f"Wire {long}") for i in range(sides)]
    verdict = f"Sources conflict: {long}[1]."
    body = "\n".join(f"Reported by someone: “{long}” [{n}]" for n in range(1, sources + 1))
    return Answer(
        question="q", status="conflict", answer=f"{verdict}\n{body}\nTimeline: {long}", citations=cites,
        notice=f"A notice {long}", verdict=verdict, sides=views,
        answers=[AnswerValue(f"value {long}", 2, list(range(1, sources + 1)))],
        timeline=[TimelineEntry(f"2024-11-{d:02d}", f"Who {long}", f"Claim {long}", 1) for d in range(1, 29)],
    )


def over_limits(embed: discord.Embed) -> dict[str, int]:
    """The limits ``embed`` breaks, with the length found."""
    found = {"title": len(embed.title or ""), "description": len(embed.description or ""),
             "field name": max((len(f.name) for f in embed.fields), default=0),
             "field value": max((len(f.value) for f in embed.fields), default=0),
             "fields": len(embed.fields), "total": len(embed)}
    return {k: v for k, v in found.items() if v > LIMITS[k]}


def test_a_hostile_answer_stays_within_every_discord_limit():
    answer = hostile_answer()
    embed = answer_embed(answer)
    assert over_limits(embed) == {}
    assert len(embed.footer.text) <= 2048 and all(f.value.strip() and f.name.strip() for f in embed.fields)
    # the title is cut at a word and the whole verdict leads the description
    assert embed.title.endswith("very…") and embed.description.startswith("Sources conflict: very very")
    # the dropped sides are counted, the sources say how many more there are
    fields = {f.name: f.value for f in embed.fields}
    assert fields["More positions"].startswith("…and ") and "Details" in fields["More positions"]
    assert fields["Sources"].splitlines()[-1].startswith("…and ")
    # as many of each kind as fit, then fewer: every configuration stays within the limits
    for sides, sources in ((1, 1), (3, 2), (22, 5), (23, 100), (26, 0)):
        smaller = hostile_answer(sides, sources)
        assert over_limits(answer_embed(smaller)) == {}, (sides, sources)
        assert over_limits(answer_embed(smaller, timeline_field=False)) == {}, (sides, sources)


def test_an_answer_with_few_sides_keeps_every_part_whole():
    cites = [citation(1), citation(2, url=None)]
    answer = Answer(question="q", status="answered", answer="Sources give different answers: 4 (2 sources).\n"
                    "According to Wire: “Four.” [1]", citations=cites,
                    verdict="Sources give different answers: 4 (2 sources).",
                    sides=[SideView("answer", "four were hurt", ["Wire"], [1, 2], 2, ["Wire", "Post"])],
                    answers=[AnswerValue("4", 2, [1, 2])],
                    timeline=[TimelineEntry("2024-11-11", "Wire", "four were hurt", 1)])
    embed = answer_embed(answer)
    assert embed.title == "Sources give different answers: 4 (2 sources)."
    assert embed.description == "According to Wire: “Four.” [1]"
    assert [(f.name, f.value) for f in embed.fields] == [
        ("4 · 2 independent sources", "four were hurt [1][2]\n*Outlets: Wire and Post*"),
        ("Sources", "**[1]** [Article 1](https://news.example/a) — Wire, 2024-11-11\n**[2]** Article 2 — Wire, 2024-11-11"),
    ]  # one date only: no timeline field
    # with embeds off, the plain text and its sources, no embed
    plain = discord_reply(answer, embeds=False)
    assert plain.embed is None and plain.parts[0].startswith("Sources give different answers: 4 (2 sources).\n")
    assert plain.parts[-1].endswith("**Sources**\n[1] Article 1 — Wire, 2024-11-11 — <https://news.example/a>\n"
                                    "[2] Article 2 — Wire, 2024-11-11")


async def test_details_shows_every_quote_to_the_one_who_pressed_it(tmp_path, monkeypatch):
    cites = [replace_quote(citation(1), "The bridge opens in May.", "supports"),
             replace_quote(citation(1), "Works start in March.", "supports"),
             replace_quote(citation(2, url=None), "No date was set.", "denies")]
    answer = Answer(question="q", status="conflict", answer="Sources conflict.\nBody [1] [2]", citations=cites,
                    verdict="Sources conflict.")
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine(answer))
    adapter = await h.slash("ask", question="When does the bridge open?")
    [sent] = adapter.followups()
    [row] = sent["components"]
    [button] = row["components"]
    assert button["label"] == "Details"
    # the button pressed: a component interaction, dispatched as the gateway does
    message = dict(adapter.messages[-1], channel_id=str(h.channel.id), components=sent["components"])
    press = {
        "id": str(next(_ids)), "application_id": "1", "token": "press-token", "version": 1, "type": 3,
        "guild_id": str(h.guild.id), "channel": {"id": str(h.channel.id), "type": 0}, "message": message,
        "member": {"user": {"id": str(h.member.id), "username": h.member.name, "discriminator": "0001",
                            "avatar": None}, "roles": [], "permissions": "0",
                   "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False, "flags": 0},
        "app_permissions": str(discord.Permissions.text().value), "attachment_size_limit": 25_000_000,
        "locale": "en-US",
        "data": {"custom_id": button["custom_id"], "component_type": 2},
    }
    before = len(adapter.responses())
    h.bot._connection.parse_interaction_create(press)
    for _ in range(20):
        await asyncio.sleep(0)
    [details] = adapter.responses()[before:]
    assert details["type"] == 4 and details["data"]["flags"] & 64  # ephemeral: only the one who pressed
    assert details["data"]["content"] == (
        "**[1]** Article 1 — Wire, 2024-11-11 — <https://news.example/a>\n"
        "> “The bridge opens in May.”\n> “Works start in March.”\n\n"
        "**[2]** Article 2 — Wire, 2024-11-11\n> “No date was set.” *(denies)*")


def replace_quote(c: Citation, quote: str, stance: str) -> Citation:
    from dataclasses import replace

    return replace(c, quote=quote, stance=stance)


async def test_timeline_replies_with_the_entries_in_date_order(real):
    adapter = await real.slash("timeline", query="Millbrook plant")
    assert real.bot.tree.last_exception is None
    assert adapter.calls[0][3]["type"] == 5  # deferred first
    [reply] = adapter.followups()
    [embed] = reply["embeds"]
    assert embed["title"] == "5 dated claims from 12 Nov 2024 to 13 Nov 2024."
    lines = embed["description"].splitlines()
    assert [x.split(":")[0] for x in lines] == ["Tue 12 Nov 2024"] * 2 + ["Wed 13 Nov 2024"] * 3
    assert lines[0].startswith("Tue 12 Nov 2024: Harbor Gazette: “Norden Steel will close its Millbrook plant")
    assert lines[2].startswith("Wed 13 Nov 2024: Norden Steel: “Norden Steel on Wednesday denied")
    assert [f["name"] for f in embed["fields"]] == ["Sources"]  # the body is the timeline: no second one
    assert reply["components"][0]["components"][0]["label"] == "Details"


async def test_timeline_in_plain_text_and_its_errors_are_one_friendly_line(tmp_path, monkeypatch):
    story = Answer(question="bridge", status="answered", citations=[citation(1)],
                   answer="2 dated claims from 1 Nov 2024 to 3 Nov 2024.\nFri 1 Nov 2024: Wire: “Works start.” [1]\n"
                          "Sun 3 Nov 2024: Wire: “Works stop.” [1]", verdict="2 dated claims from 1 Nov 2024 to 3 Nov 2024.",
                   timeline=[TimelineEntry("2024-11-01", "Wire", "Works start.", 1),
                             TimelineEntry("2024-11-03", "Wire", "Works stop.", 1)])
    engine = ScriptedEngine({"bridge": story})
    h = await make_harness(monkeypatch, tmp_path, engine=engine, embeds=False)
    adapter = await h.slash("timeline", query="bridge")
    [reply] = adapter.followups()
    assert reply["content"].startswith(story.answer) and "**Sources**\n[1] Article 1" in reply["content"]
    assert not reply.get("embeds") and not reply.get("components")
    await h.slash("timeline", query="zebras")  # the fake refuses what it was not scripted for
    assert adapter.followups()[-1]["content"] == "Sorry: the stored articles do not cover that"
    assert adapter.followups()[-1]["flags"] & 64
    assert h.cog.limiter.active == 0 and [q for q, _ in engine.calls] == ["bridge", "zebras"]


async def test_help_names_the_timeline_and_the_details_button(tmp_path, monkeypatch):
    h = await make_harness(monkeypatch, tmp_path, engine=ScriptedEngine())
    adapter = await h.slash("help")
    text = adapter.responses()[0]["data"]["content"]
    assert "/timeline" in text and "Details" in text
    assert len(text) <= 2000

