"""How an answer looks in Discord: an embed with the verdict as its title, the
answer's body, one field per side, the sources and, when the claims span
several days, a timeline; and the "Details" button that shows every quote.

Discord refuses a whole message when one embed part is too long, so every part
is cut to its limit here (title 256, description 4096, field name 256, field
value 1,024, 25 fields, 6,000 characters in all), at a word or a line, saying
what was left out.  Past the total, parts go in order of least importance: the
timeline, then the description beyond its first lines, then the last sides.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, Sequence

import discord

from retrieval.engine.answer import Answer, Citation, SideView

from bot.chat import no_unfurl, source_parts, split_message

log = logging.getLogger(__name__)

TITLE, DESCRIPTION, FIELD_NAME, FIELD_VALUE, FIELDS, TOTAL = 256, 4096, 256, 1024, 25, 6000
FOOTER = 300  # ours (Discord allows 2,048): one line
MAX_SIDES = 22  # side fields, leaving room for "More positions", the sources and the timeline
DESCRIPTION_FLOOR = 1000  # kept of the description before whole sides are dropped
DETAILS_MINUTES = 15  # how long an answer's Details button works
ENGINE_NOTE = {
    "offline": "Quoted from the stored articles (offline engine)",
    "llm": "Written by a language model and checked against the sources",
    "offline_fallback": "Quoted from the stored articles (the language model's answer was unusable)",
}
VERBS = {"supports": "Reported by", "denies": "Denied by"}


# -- cutting to a limit ------------------------------------------------------------------------------
def cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word with "…" when too long."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:—-") + "…"


def cut_lines(lines: Sequence[str], limit: int, *, line_limit: int = 300) -> str:
    """As many whole lines as fit in ``limit``, then "…and N more"."""
    lines = [cut(x, min(line_limit, limit)) for x in lines]
    kept: list[str] = []
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        more = f"\n…and {rest} more" if rest else ""
        if len("\n".join([*kept, line])) + len(more) <= limit:
            kept.append(line)
            continue
        return "\n".join([*kept, f"…and {len(lines) - i} more"]) if kept else f"…and {len(lines)} more"
    return "\n".join(kept)


def names(people: Sequence[str], shown: int = 3) -> str:
    """``A, B and C`` or ``A, B, C and 4 others``."""
    people = [p for p in people if p]
    if len(people) > shown:
        return ", ".join(people[:shown]) + f" and {len(people) - shown} others"
    return " and ".join([", ".join(people[:-1]), people[-1]]) if len(people) > 1 else "".join(people)


def numbers(ns: Sequence[int], shown: int = 10) -> str:
    marks = "".join(f"[{n}]" for n in ns[:shown])
    return marks + (f" +{len(ns) - shown}" if len(ns) > shown else "")


def day(iso: str) -> str:
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d:%a} {d.day} {d:%b %Y}"


# -- the parts -----------------------------------------------------------------------------------------
def side_field(side: SideView, values: dict[tuple[int, ...], str]) -> tuple[str, str]:
    """One side: who holds it and on how many independent sources; what it claims, where."""
    who = names(side.attributed_to or side.outlets) or "an unnamed source"
    if side.stance in VERBS:
        label = f"{VERBS[side.stance]} {who}"
    else:
        value = values.get(tuple(side.citations), "")
        label = value[:1].upper() + value[1:] if value else f"According to {who}"
    n = side.independent_sources
    count = f" · {n} independent source{'s' if n != 1 else ''}" if n else ""
    notes = [f"Outlets: {names(side.outlets, 6)}"] if side.outlets else []
    notes += [f"{names(group, 4)} carry one text" for group in side.copies[:3]]
    if side.single_source:
        notes.append(f"all cite {side.single_source}")
    meta = cut("; ".join(notes), 300)
    marks = numbers(side.citations)
    claim = cut(side.claim, FIELD_VALUE - len(marks) - len(meta) - 4)  # a space, a newline, two stars
    value = f"{claim} {marks}".strip() + (f"\n*{meta}*" if meta else "")
    return cut(label, FIELD_NAME - len(count)) + count, value or "—"


def source_line(c: Citation) -> str:
    """``**[1]** [Title](url) — AFP, 2024-11-11``; a local file by its name only."""
    title, byline, where = source_parts(c, local_paths=False)
    title = discord.utils.escape_markdown(cut(title, 150))
    linked = c.url and len(c.url) <= 300
    head = f"**[{c.n}]** [{title}]({c.url})" if linked else f"**[{c.n}]** {title}"
    tail = [cut(byline, 100)] if byline else []
    if where and not c.url:
        tail.append(f"`{cut(where, 80)}`")
    return " — ".join([head, *tail])


def timeline_lines(answer: Answer) -> list[str]:
    entries = sorted(answer.timeline, key=lambda e: e.date)  # stable: the engine's order within a day
    return [f"{day(e.date)} — {cut(e.who, 80)}: {cut(e.claim, 160)} [{e.citation}]" for e in entries]


def footer(answer: Answer) -> str:
    parts = [ENGINE_NOTE.get(answer.engine, "")]
    if answer.notice:
        parts.append(answer.notice)
    return cut(" · ".join(p for p in parts if p), FOOTER)


def colour(answer: Answer) -> discord.Colour:
    if answer.status == "conflict":
        return discord.Colour.orange()
    return discord.Colour.light_grey() if answer.status == "not_found" else discord.Colour.blurple()


# -- the embed -------------------------------------------------------------------------------------------
def answer_embed(answer: Answer, *, timeline_field: bool = True) -> discord.Embed:
    """The answer as one embed within every Discord limit (see the module docstring).

    ``timeline_field=False`` for an answer that is itself a timeline (``/timeline``):
    its body already lists the entries, one per line.
    """
    text = answer.answer.strip()
    verdict = (answer.verdict or text.split("\n", 1)[0]).strip()
    body = text[len(verdict):].strip() if text.startswith(verdict) else text
    title = cut(verdict, TITLE) or "(empty answer)"  # Discord refuses an empty embed
    if title != verdict:  # the whole verdict leads the description
        body = f"{verdict}\n{body}".strip()
    dated = timeline_field and len({e.date for e in answer.timeline}) >= 2
    if dated:  # the field shows it one entry per line
        body = "\n".join(x for x in body.split("\n") if not x.startswith("Timeline: "))
    values = {tuple(a.citations): a.value for a in answer.answers}
    sides = [side_field(s, values) for s in answer.sides]
    more = len(sides) - MAX_SIDES
    sources = answer.sources()
    tail = [("Sources", cut_lines([source_line(c) for c in sources], FIELD_VALUE))] if sources else []
    parts = _Parts(title, cut(body, DESCRIPTION), sides[:MAX_SIDES] if more <= 0 else sides[:MAX_SIDES - 1],
                   max(more + 1, 0) if more > 0 else 0, tail, footer(answer))
    if dated:
        parts.timeline = ("Timeline", cut_lines(timeline_lines(answer), FIELD_VALUE))
    parts.fit()
    embed = discord.Embed(title=parts.title, description=parts.description or None, colour=colour(answer))
    for name, value in parts.fields():
        embed.add_field(name=name, value=value, inline=False)
    if parts.footer:
        embed.set_footer(text=parts.footer)
    return embed


class _Parts:
    """The embed's texts, trimmed together to Discord's total of 6,000 characters."""

    def __init__(self, title: str, description: str, sides: list[tuple[str, str]], hidden: int,
                 tail: list[tuple[str, str]], footer_text: str):
        self.title, self.description, self.sides, self.hidden = title, description, sides, hidden
        self.tail, self.footer, self.timeline = tail, footer_text, None

    def fields(self) -> list[tuple[str, str]]:
        more = [("More positions", f"…and {self.hidden} more: press Details for every source.")] \
            if self.hidden else []
        return [*self.sides, *more, *self.tail, *([self.timeline] if self.timeline else [])][:FIELDS]

    def total(self) -> int:
        return len(self.title) + len(self.description) + len(self.footer) + \
            sum(len(n) + len(v) for n, v in self.fields())

    def fit(self) -> None:
        if self.total() > TOTAL:
            self.timeline = None
        over = self.total() - TOTAL
        if over > 0 and len(self.description) > DESCRIPTION_FLOOR:
            self.description = cut(self.description, max(DESCRIPTION_FLOOR, len(self.description) - over))
        while self.total() > TOTAL and len(self.sides) > 1:
            self.sides.pop()
            self.hidden += 1
        over = self.total() - TOTAL
        if over > 0:
            self.description = cut(self.description, max(0, len(self.description) - over))
        over = self.total() - TOTAL
        if over > 0 and self.tail:
            name, value = self.tail[0]
            self.tail[0] = (name, cut(value, max(1, len(value) - over)))


# -- the details step ------------------------------------------------------------------------------------
def details_parts(answer: Answer) -> list[str]:
    """Every citation's quote, by source, in messages of at most 2,000 characters."""
    by_n: dict[int, list[Citation]] = {}
    for c in answer.citations:
        by_n.setdefault(c.n, []).append(c)
    blocks = []
    for n in sorted(by_n):
        first = by_n[n][0]
        title, byline, where = source_parts(first, local_paths=False)
        head = " — ".join(x for x in (f"**[{n}]** {discord.utils.escape_markdown(title)}", byline, where) if x)
        quotes = [f"> “{' '.join(c.quote.split())}”" + (" *(denies)*" if c.stance == "denies" else "")
                  for c in by_n[n]]
        blocks.append("\n".join([head, *quotes]))
    return split_message(no_unfurl("\n\n".join(blocks))) or ["No quotes to show."]


class DetailsView(discord.ui.View):
    """A "Details" button under an answer: every quote, shown to whoever presses it only."""

    def __init__(self, answer: Answer, *, timeout: float = DETAILS_MINUTES * 60):
        super().__init__(timeout=timeout)
        self.answer = answer
        self.message: Any = None  # set once sent, so the button can be taken away on timeout

    @discord.ui.button(label="Details", style=discord.ButtonStyle.secondary)
    async def details(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        parts = details_parts(self.answer)
        mentions = discord.AllowedMentions.none()
        await interaction.response.send_message(parts[0], ephemeral=True, allowed_mentions=mentions,
                                                suppress_embeds=True)
        for part in parts[1:]:
            await interaction.followup.send(part, ephemeral=True, allowed_mentions=mentions, suppress_embeds=True)

    async def on_timeout(self) -> None:
        if self.message is None:
            return
        try:
            await self.message.edit(view=None)
        except discord.HTTPException as exc:
            log.info("could not take the Details button off an old answer: %s", exc)
