"""A story's timeline: its dated claims, oldest first, each quoted and cited.

The day of a claim is the day its sentence names ("reported Sunday", resolved
against the article's publication date), else the article's publication date.
Claims are the sentences that bear on the query and say who claims what: a
reported, denied or attributed statement comes before a bare mention.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from retrieval.engine.compose import ComposeSettings, usable
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.judging import JudgeSettings
from retrieval.engine.prose import Composition, claim_day, not_found, ordered
from retrieval.engine.quotes import ArticleInfo, Numbering, attribution, cap, format_date, quote_span
from retrieval.engine.answer import TimelineEntry

MAX_ENTRIES = 8
PER_ARTICLE = 3
RELEVANT = 0.6  # a claim's score against the best one's: below it, another story


def compose_timeline(question: Question, evidence: Sequence[Evidence], articles: dict[str, ArticleInfo],
                     ranked: Sequence[str], settings: ComposeSettings,
                     judge: JudgeSettings | None = None) -> Composition:
    """The dated claims of the story the query names, oldest first: each article's
    best report and denial, then its other claims, a few per article."""
    pool = [e for e in evidence if e.article_id in articles and usable(e, question, settings, judge)
            and claim_day(e, articles[e.article_id]) is not None]
    if not pool:
        return not_found(ranked, articles)
    best = pool[0].score
    # Claims first (a stance or a speaker), then by score; a few per article.
    pool = [e for e in pool if e.score >= RELEVANT * best]
    # Each article's best report and best denial first, then the rest by score.
    pool.sort(key=lambda e: -e.score)
    heads: dict[tuple[str, str], Evidence] = {}
    for e in pool:
        if e.stance != "context":
            heads.setdefault((e.article_id, e.stance), e)
    firsts = list(heads.values())
    pool = firsts + [e for e in pool if all(e is not f for f in firsts)]
    chosen: list[Evidence] = []
    per: dict[str, int] = {}
    seen: set[str] = set()
    for e in pool:
        key = " ".join(e.text.lower().split())
        if per.get(e.article_id, 0) >= PER_ARTICLE or key in seen:
            continue
        chosen.append(e)
        seen.add(key)
        per[e.article_id] = per.get(e.article_id, 0) + 1
        if len(chosen) >= MAX_ENTRIES:
            break
    numbering = Numbering()
    entries = []
    for e in sorted(chosen, key=lambda e: (claim_day(e, articles[e.article_id]), e.article_id, e.start)):
        info = articles[e.article_id]
        lo, hi, cut_l, cut_r = quote_span(e, question, settings.max_quote, info.text)
        n = numbering.cite(e, (lo, hi), info, e.stance)
        who, _ = attribution(e, info)
        claim = f"{'…' if cut_l else ''}{info.text[lo:hi].strip()}{'…' if cut_r else ''}"
        entries.append(TimelineEntry(claim_day(e, info).isoformat(), who, claim, n))
    entries = ordered(entries)
    days = sorted({e.date for e in entries})
    verdict = (f"{len(entries)} dated claim{'s' if len(entries) != 1 else ''} from "
               f"{format_date(days[0])}" + (f" to {format_date(days[-1])}." if len(days) > 1 else "."))
    lines = [verdict] + [
        f"{date.fromisoformat(x.date):%a} {format_date(x.date)}: {cap(x.who)}: “{x.claim}” [{x.citation}]"
        for x in entries
    ]
    return Composition("answered", "\n".join(lines), numbering.citations, [], verdict, [], [], entries)
