"""Writing an answer a news reader can use: the verdict first, then each side once.

    Sources conflict: the Washington Post reports it; Kremlin spokesman Dmitry
    Peskov denies it.
    Reported by the Washington Post (Sunday, 10 Nov 2024, via AFP): “…” [1]
    Denied by Kremlin spokesman Dmitry Peskov (via AFP, 11 Nov 2024): “…” [1]
    Timeline: Sun 10 Nov 2024, the Washington Post reports it [1]; Mon 11 Nov
    2024, Kremlin spokesman Dmitry Peskov denies it [1].

A side shows one best quote, whole (a sentence over ``max_quote`` characters is
windowed), and the numbers of its other sources; copies of one text count once.
The full detail (every citation, the sides, the timeline) is in the JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Sequence

from retrieval.common.terms import number_forms, words
from retrieval.engine.answer import AnswerValue, Citation, ClosestArticle, SideView, TimelineEntry
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.quotes import (ArticleInfo, Numbering, attribution, cap, cite_quote, end_sentence,
                                     format_date, quote_span)
from retrieval.engine.sources import count_sources
from retrieval.engine.values import DAY, fuller_date, value_of
from retrieval.engine.variants import Variant, answer_variants

MAX_LISTED = 3  # answers named in a verdict
SHARED_QUOTE = 100  # characters of each quote when three or more answers are quoted
SHORT = 120  # a quoted sentence shorter than this takes in its neighbours when it is the only one
VERBS = {"supports": ("reports it", "reported it", "Reported by"),
         "denies": ("denies it", "denied it", "Denied by")}


@dataclass
class Side:
    """One position: its sentences, one per article, best first."""

    evidence: list[Evidence]
    stance: str  # the citations' stance: supports, denies or context
    kind: str = ""  # supports, denies or answer (a wh-question's answer group)


@dataclass
class Composition:
    """A composed answer: status, text, citations and, for not-found, the closest articles."""

    status: str
    text: str
    citations: list[Citation]
    closest: list[ClosestArticle]
    verdict: str = ""
    sides: list[SideView] = field(default_factory=list)
    answers: list[AnswerValue] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass
class _Shown:
    view: SideView
    who: str
    paren: str
    quote: str  # the quote with its number, as printed
    others: list[tuple[str, int]]  # (outlet, number) of the side's other articles
    phrase: str  # "3 outlets, 2 independent (...)" or ""
    entries: list[TimelineEntry]
    value: str | None = None


_THAT = re.compile(
    r"^.{0,120}?\b(?:reported|reports|said|says|told [\w ]{1,30}?|denied|denies|confirmed|announced|"
    r"learned|claimed|wrote|added|warned|stated)(?:\s+(?:on\s+)?\w+day)?,?\s+(?:that\s+)?", re.IGNORECASE)


def short_claim(sentence: str, limit: int = 90) -> str:
    """The claim of a sentence in a few of its own words: the reporting frame ("The
    Post reported Sunday that") dropped, cut at a clause or a word near ``limit``."""
    text = " ".join(sentence.split()).rstrip(".")
    framed = _THAT.match(text)
    if framed and len(text) - framed.end() > 20:
        text = text[framed.end():]
    if len(text) > limit:
        cut = max(text.rfind(", ", 0, limit), text.rfind("; ", 0, limit))
        text = text[:cut] if cut > limit // 3 else text[:text.rfind(" ", 0, limit)] + "…"
    return text[:1].upper() + text[1:]


_PLURAL_VOICES = frozenset("people sources officials several many residents witnesses analysts experts critics "
                           "diplomats aides workers".split())


def _present(who: str, kind: str) -> str:
    """ "reports it" / "denies it", or "report it" / "deny it" for a plural voice
    ("people familiar with Thursday's call report it")."""
    verb = VERBS[kind][0]
    first = who.split(" ", 1)[0].lower()
    if first in _PLURAL_VOICES:
        return {"reports it": "report it", "denies it": "deny it"}.get(verb, verb)
    return verb


def _mid(who: str) -> str:
    """A name inside a sentence: "The Washington Post" -> "the Washington Post"."""
    first, _, rest = who.partition(" ")
    return f"the {rest}" if first == "The" and rest else who


def claim_day(ev: Evidence, info: ArticleInfo) -> date | None:
    """The day named in the sentence, else the article's publication date."""
    if ev.when is not None:
        return ev.when
    try:
        return date.fromisoformat((info.published or "")[:10])
    except ValueError:
        return None


def _show(side: Side, question: Question, articles: dict[str, ArticleInfo], numbering: Numbering,
          max_chars: int, *, extend: bool = False, around: bool = False, quoted: int = 1,
          focus: tuple[int, int] | None = None) -> _Shown:
    """A side as shown: its best sentence quoted (and up to ``quoted`` articles' in all, when
    their sentences differ), the other outlets by number, the sources counted."""
    best = side.evidence[0]
    info = articles[best.article_id]
    who, paren = attribution(best, info)
    quote = cite_quote(best, question, info, numbering, side.stance, max_chars, extend=extend, around=around,
                       focus=focus)
    said = {" ".join(best.text.lower().split())}
    for ev in side.evidence[1:quoted]:
        key = " ".join(ev.text.lower().split())
        if key not in said:
            said.add(key)
            other = articles[ev.article_id]
            more_who, more_paren = attribution(ev, other)
            quote += (f" {cap(_mid(more_who))}{more_paren} says the same: " +
                      cite_quote(ev, question, other, numbering, side.stance if side.kind in VERBS else ev.stance,
                                 max_chars))
    numbers = [numbering.numbers[best.article_id]]
    others: list[tuple[str, int]] = []
    entries: list[TimelineEntry] = []
    speakers = [who]
    for ev in side.evidence:
        other = articles[ev.article_id]
        speaker = who if ev is best else attribution(ev, other)[0]
        if ev is best:
            n = numbers[0]
        else:  # every outlet of the side gets its number, with the sentence it gives
            lo, hi, _, _ = quote_span(ev, question, max_chars, other.text)
            # a side of report or denial gives its stance; in an answer group each says its own
            n = numbering.cite(ev, (lo, hi), other, side.stance if side.kind in VERBS else ev.stance)
            if n not in numbers:
                numbers.append(n)
                if f"[{n}]" not in quote:
                    others.append((other.source or other.title, n))
            speakers.append(speaker)
        day = claim_day(ev, other)
        if day is not None:
            entries.append(TimelineEntry(day.isoformat(), speaker,
                                         short_claim(ev.text), n))
    count = count_sources([e.article_id for e in side.evidence], articles, [e.text for e in side.evidence])
    view = SideView(
        # (the stance to the question as asked; the words may tell a negated claim's sides by the claim
        # itself: "Peskov denies it" of the call, for "Did they not speak?", where he supports the question)
        stance=side.stance if side.kind in VERBS else side.kind or side.stance, claim=short_claim(best.text),
        attributed_to=list(dict.fromkeys(speakers)), citations=sorted(numbers),
        independent_sources=count.independent, outlets=count.outlets, copies=count.copies,
        single_source=count.single_source,
    )
    phrase = count.phrase() if len(count.outlets) > 1 else ""
    if count.single_source:
        phrase += f"; all cite {count.single_source}"
    return _Shown(view, who, paren, quote, others, phrase, entries)


def _also(shown: _Shown) -> str:
    if not shown.others:
        return f" ({cap(shown.phrase)})." if shown.phrase else ""
    mine = shown.view.outlets[0] if shown.view.outlets else None
    listed = ", ".join(f"[{n}]" if name == mine else f"{name} [{n}]" for name, n in shown.others[:4])
    more = len(shown.others) - 4
    listed += f" and {more} more" if more > 0 else ""
    return f" Also {listed}" + (f": {shown.phrase}" if shown.phrase else "") + "."


def _timeline_text(entries: Sequence[TimelineEntry], verbs: dict[int, str]) -> str:
    days = {e.date for e in entries}
    if len(days) < 2:
        return ""
    parts = []
    for e in entries:
        day = date.fromisoformat(e.date)
        parts.append(f"{day:%a} {format_date(day)}, {_mid(e.who)} {verbs.get(id(e), 'says')} [{e.citation}]")
    return "Timeline: " + "; ".join(parts) + "."


def ordered(entries: Sequence[TimelineEntry]) -> list[TimelineEntry]:
    """Oldest first; one entry per speaker, day and citation."""
    seen: dict[tuple[str, str, int], TimelineEntry] = {}
    for e in entries:
        seen.setdefault((e.date, e.who.lower(), e.citation), e)
    return sorted(seen.values(), key=lambda e: e.date)


def write_conflict(question: Question, sides: list[Side], articles: dict[str, ArticleInfo],
                   max_chars: int) -> Composition:
    """Support against denial: the verdict names both, then each side once."""
    numbering = Numbering()
    shown = [_show(s, question, articles, numbering, max_chars) for s in sides]
    focused = question.focus is not None and sides[0].kind == question.focus
    if focused:
        first, second = shown
        verdict = (f"{cap(first.who)} {VERBS[sides[0].kind][1]}; "
                   f"{_mid(second.who)} {_present(second.who, sides[1].kind)}, so the sources conflict.")
    else:
        verdict = "Sources conflict: " + "; ".join(
            f"{_mid(s.who)} {_present(s.who, side.kind)}" for s, side in zip(shown, sides)) + "."
    lines = [verdict]
    for s, side in zip(shown, sides):
        lines.append(f"{VERBS[side.kind][2]} {_mid(s.who)}{s.paren}: {s.quote}{_also(s)}")
    timeline = ordered([e for s in shown for e in s.entries])
    verbs = {id(e): _present(e.who, side.kind) for s, side in zip(shown, sides) for e in s.entries}
    story = _timeline_text(timeline, verbs)
    if story:
        lines.append(story)
    return Composition("conflict", "\n".join(end_sentence(x) for x in lines), numbering.citations, [],
                       verdict, [s.view for s in shown], [], timeline)


def one_voice(sides: Sequence[Side]) -> bool:
    """Whether a report and a denial are one article's own sentences, no voice named on
    either side: an article that contradicts itself is rare, a misreading of one of its
    sentences is not ("remains unclear" read as the report that Meta explained the outage)."""
    return (len({e.article_id for side in sides for e in side.evidence}) == 1
            and not any(e.speaker for side in sides for e in side.evidence))


def write_one_voice(question: Question, sides: list[Side], articles: dict[str, ArticleInfo],
                    max_chars: int, *, alone: bool) -> Composition:
    """One article's sentences read in two directions, no other voice: both are quoted,
    the closer match first, without calling the sources in conflict."""
    numbering = Numbering()
    first, second = sorted(sides, key=lambda s: -s.evidence[0].score)
    s = _show(first, question, articles, numbering, max_chars)
    ev = second.evidence[0]
    more = cite_quote(ev, question, articles[ev.article_id], numbering, second.stance, max_chars)
    line = f"According to {_mid(s.who)}{s.paren}: {s.quote}"
    lines = [line, f"It also writes: {more}"]
    if alone:
        lines.append("No other stored article addresses this.")
    text = "\n".join(end_sentence(x) for x in lines)
    return Composition("answered", text, numbering.citations, [], end_sentence(line), [s.view], [],
                       ordered(s.entries))


def write_answers(question: Question, groups: list[Side], articles: dict[str, ArticleInfo],
                  max_chars: int, max_shown: int, extra: dict[str, Evidence] | None = None) -> Composition:
    """Different answers to a wh-question: sources grouped by the answer they give,
    the best-supported first; the verdict lists the answers with their counts."""
    changed = _changed_words([g.evidence[0] for g in groups], question)
    groups = _merge_same_values(groups, question, changed)
    if len(groups) == 1:  # the sentences differed, their short answer ("Tadej Pogacar") does not
        return write_one_side(question, groups[0], articles, max_chars, alone=False)
    numbering = Numbering()
    support = {id(g): count_sources([e.article_id for e in g.evidence], articles).independent for g in groups}
    groups = sorted(groups, key=lambda g: -support[id(g)])  # numbered in the order shown
    shown = []
    for g in groups:
        # Several answers share the space: each quote is the part of its sentence that
        # holds the answer (a window marked "…") when the sentence is long; of copies of
        # one sentence, the words that differ.
        lead = g.evidence[0]
        diff = changed.get(id(lead))
        value = diff.value if diff else value_of(lead, question)
        chars = max_chars if len(groups) <= 2 else SHARED_QUOTE
        focus = (lead.start + diff.start, lead.start + diff.end) if diff else None
        if focus is None and value:
            # a window that gives no answer ("…is a Colombian Olympic athlete specializing
            # in the…", without the sport) is moved onto the sentence's
            lo, hi, _, _ = quote_span(lead, question, chars, articles[lead.article_id].text)
            if value_of(replace(lead, text=articles[lead.article_id].text[lo:hi]), question) is None:
                focus = _span_of(value, lead)
        s = _show(g, question, articles, numbering, chars,
                  around=len(groups) <= 2 and len(lead.text) < SHORT and diff is None, focus=focus)
        s.value = value
        shown.append(s)
    for g in groups:  # the details, in the citations rather than the text:
        for ev in g.evidence:
            info = articles[ev.article_id]
            if len(groups) > 1:  # the whole sentence of a quote shortened to its window
                lo, hi, _, _ = quote_span(ev, question, max_chars, info.text)
                numbering.cite(ev, (lo, hi), info, ev.stance)
            more = (extra or {}).get(ev.article_id)  # an article's second answering sentence
            if more is not None and more is not ev:
                lo, hi, _, _ = quote_span(more, question, max_chars, info.text)
                numbering.cite(more, (lo, hi), info, more.stance)
    answers = [AnswerValue(s.value, s.view.independent_sources, s.view.citations) for s in shown if s.value]

    def counted(s: _Shown) -> str:
        n = s.view.independent_sources
        return f"{s.value} ({n} source{'s' if n != 1 else ''})"

    named = [s for s in shown if s.value][:MAX_LISTED]
    unnamed = len(shown) - len(named)
    if not named:
        verdict = f"Sources give {len(shown)} different answers."
    else:
        # "(1 source)" after every answer says less than "one source each" said once
        each = len(named) > 1 and all(s.view.independent_sources == 1 for s in shown)
        listed = [s.value if each else counted(s) for s in named]
        if not each and len(shown) == 2 and len(named) == 2 and named[1].view.independent_sources == 1:
            listed[1] = f"one source says {listed[1]}"
        if unnamed:
            listed.append(f"{unnamed} other answer{'s' if unnamed != 1 else ''}")
        lead = "Sources give different answers, one source each: " if each else "Sources give different answers: "
        verdict = lead + "; ".join(listed) + "."
    lines = [verdict]
    for i, s in enumerate(shown):
        # The best-supported answer is quoted; another is quoted too when the verdict
        # could not name it, else named with its sources (their quotes are in the JSON).
        if i < max_shown:
            if i and (shown[i - 1].who, shown[i - 1].paren) == (s.who, s.paren):
                lines.append(f"{s.quote}{_also(s)}")  # one attribution for answers in a row from one outlet
            else:
                lines.append(f"According to {_mid(s.who)}{s.paren}: {s.quote}{_also(s)}")
        elif s.value:
            lines.append(f"{cap(s.value)}: {_mid(s.who)} {_nums(s)}")
    unnamed: dict[str, list[_Shown]] = {}  # answers the verdict could not name, one line per outlet
    for s in shown[max_shown:]:
        if not s.value:
            unnamed.setdefault(s.who, []).append(s)
    for who, same in unnamed.items():
        lead = "Another answer" if len(same) == 1 else "Other answers"
        lines.append(f"{lead}: {_mid(who)} {', '.join(_nums(s) for s in same)}")
    timeline = ordered([e for s in shown for e in s.entries])
    return Composition("conflict", "\n".join(end_sentence(x) for x in lines), numbering.citations, [],
                       verdict, [s.view for s in shown], answers, timeline)


def _changed_words(leads: Sequence[Evidence], question: Question) -> dict[int, Variant]:
    """For answers given by copies of one sentence that differ in a few words ("a 2001
    American comedy film" / "drama film"), those words, by the answer's sentence; where
    the answer's own value (a name, a date) already tells them apart, none."""
    out: dict[int, Variant] = {}
    for i, a in enumerate(leads):
        for b in leads[i + 1:]:
            pair = answer_variants(a, b, question)
            if pair is not None:
                out.setdefault(id(a), pair[0])
                out.setdefault(id(b), pair[1])
    return out


def _nums(s: _Shown) -> str:
    return ", ".join(f"[{n}]" for n in s.view.citations)


def _merge_same_values(groups: list[Side], question: Question,
                       changed: dict[int, Variant] | None = None) -> list[Side]:
    """Groups whose sentences give one short answer ("Best Coast" twice) are one group; so are
    a year and the one day in that year that another group gives ("1891", "13 January 1891")."""
    out: dict[str, Side] = {}
    values: dict[str, str] = {}
    for i, g in enumerate(groups):
        diff = (changed or {}).get(id(g.evidence[0]))
        if diff is None:  # its answer to the day first: "13 January 1891" before a headline's "born 1891"
            day = fuller_date(g.evidence[0], g.evidence, question, same_article=False)
            g = replace(g, evidence=[day] + [e for e in g.evidence if e is not day])
        value = diff.value if diff else value_of(g.evidence[0], question)
        key = value.casefold() if value else f"#{i}"
        if value and question.counts and number_forms(value):  # "174" and "174 habitants" are one answer
            key = "n:" + ",".join(sorted(number_forms(value)))
        if key in out:
            _join(out[key], g)
        else:
            out[key], values[key] = Side(list(g.evidence), g.stance, g.kind), value or ""
    if question.answer_type == "date":
        for year in [k for k in out if re.fullmatch(r"\d{4}", k)]:
            fuller = [k for k in out if DAY.search(values[k]) and year in words(k)]
            if len(fuller) == 1:
                _join(out[fuller[0]], out.pop(year))
    return list(out.values())


def _join(into: Side, group: Side) -> None:
    """A group's sentences added to another's, one per article."""
    into.evidence.extend(e for e in group.evidence if all(e.article_id != o.article_id for o in into.evidence))


def _span_of(value: str | None, ev: Evidence) -> tuple[int, int] | None:
    """Where a short answer stands in its sentence (article offsets), when it does."""
    m = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", ev.text, re.IGNORECASE) if value else None
    return (ev.start + m.start(), ev.start + m.end()) if m else None


def write_one_side(question: Question, side: Side, articles: dict[str, ArticleInfo], max_chars: int,
                   *, alone: bool) -> Composition:
    """One position only: always attributed, never stated as bare fact."""
    numbering = Numbering()
    s = _show(side, question, articles, numbering, max_chars, extend=question.kind == "wh",
              around=len(side.evidence) == 1 and len(side.evidence[0].text) < SHORT, quoted=2)
    value = value_of(side.evidence[0], question)
    n = s.view.independent_sources
    outlets = len(s.view.outlets)
    if outlets > 1:
        count = f"{outlets} outlets" if n == outlets else f"{outlets} outlets ({n} independent)"
        # (a yes/no claim's side by name: "3 outlets report it; none disputes it.")
        said = {"supports": "report it; none disputes it.",
                "denies": "report a denial; none reports it."}.get(side.kind)
        agree = f"agree on {value}; none disputes it." if value else "agree; none disputes it."
        verdict = f"{count} {said or agree}"
    else:
        verdict = ""
    line = f"According to {_mid(s.who)}{s.paren}: {s.quote}{_also(s)}"
    lines = [verdict, line] if verdict else [line]
    if outlets == 1 and alone:
        lines.append("No other stored article addresses this.")
    answers = [AnswerValue(value, n, s.view.citations)] if value else []
    text = "\n".join(end_sentence(x) for x in lines)
    return Composition("answered", text, numbering.citations, [], verdict or end_sentence(line),
                       [s.view], answers, ordered(s.entries))


def not_found(ranked: Sequence[str], articles: dict[str, ArticleInfo]) -> Composition:
    closest = [articles[a] for a in ranked if a in articles][:3]
    named = [ClosestArticle(a.id, a.title, a.source, a.published) for a in closest]
    verdict = "The stored articles do not answer this question."
    if not named:
        return Composition("not_found", "The stored articles do not answer this question: "
                           "no article matches it.", [], [], verdict)
    listed = "; ".join(
        f"“{a.title}”" + (f" ({', '.join(x for x in (a.source, format_date(a.published)) if x)})"
                          if a.source or a.published else "")
        for a in named
    )
    return Composition("not_found", f"{verdict} The closest are: {listed}.", [], named, verdict)
