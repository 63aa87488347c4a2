"""How many independent sources stand behind a side.

Outlets that print one wire text are one source: an article's stored aliases
(the same text ingested under another address) and articles whose texts are
near copies of each other (most of their eight-word runs shared: a wire story
with a new headline, a byline or a trimmed last paragraph) count once.  Outlets
whose sentences all lean on one unnamed source ("people familiar with the
call") are not independent confirmations either: that source is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from retrieval.engine.quotes import ArticleInfo

SHINGLE = 8  # words in a run compared between two texts
NEAR_COPY = 0.5  # share of the shorter text's runs found in the other: one text
WIRES = ("AFP", "Reuters", "AP", "Associated Press", "dpa", "EFE", "ANSA", "Xinhua", "PA Media",
         "Bloomberg", "UPI", "Kyodo", "Yonhap", "ANP", "Belga")
_WIRE = re.compile(r"\b(" + "|".join(re.escape(w) for w in WIRES) + r")\b")
_UNNAMED = re.compile(
    r"\b((?:several |two |three |some )?(?:people|persons|sources|officials|a source|an official|"
    r"a person|insiders|aides)\s+(?:familiar with|close to|briefed on|with knowledge of|"
    r"speaking on condition of anonymity|who (?:spoke|asked) (?:on condition of anonymity|"
    r"not to be named))(?:\s+(?:the|a|an|this|that|his|her|their|Thursday's|Monday's|Tuesday's|"
    r"Wednesday's|Friday's|Saturday's|Sunday's)\s+[a-z]+)?)", re.IGNORECASE)


@dataclass
class SourceCount:
    """The outlets behind some articles, and how many of them are independent."""

    outlets: list[str]
    independent: int
    copies: list[list[str]] = field(default_factory=list)  # outlets that carry one text, per text
    wire: str | None = None  # the agency named in a copied text, when one is
    single_source: str | None = None

    def phrase(self) -> str:
        """``3 outlets (2 carry the same AFP report)``, ``1 source``."""
        n = len(self.outlets)
        if n <= 1:
            return "1 source"
        if self.independent == n:
            return f"{n} independent sources"
        if not self.copies:  # outlets leaning on one unnamed source (named by the caller)
            return f"{n} outlets, {self.independent} independent"
        shared = max(self.copies, key=len)
        what = f"the same {self.wire} report" if self.wire else "the same text"
        tail = f"{len(shared)} carry {what}" if len(self.copies) <= 1 else \
            f"{n - self.independent + len(self.copies)} carry copies of {len(self.copies)} texts"
        return f"{n} outlets, {self.independent} independent ({tail})"


@lru_cache(maxsize=128)
def _shingles(text: str) -> frozenset[int]:
    """The eight-word runs of a text, hashed.  Cached: one answer compares each retrieved
    article with every side (and a side's count is asked for again when it is shown)."""
    toks = re.findall(r"\w+", text.lower())
    if len(toks) < SHINGLE:
        return frozenset({hash(" ".join(toks))} if toks else ())
    return frozenset(hash(" ".join(toks[i:i + SHINGLE])) for i in range(len(toks) - SHINGLE + 1))


def near_copies(a: str, b: str) -> bool:
    """Two texts are one text: most runs of eight words of the shorter are in the longer."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) >= NEAR_COPY


def _outlet(info: ArticleInfo) -> str:
    return info.source or info.title


def count_sources(article_ids: Sequence[str], articles: dict[str, ArticleInfo],
                  quotes: Sequence[str] = ()) -> SourceCount:
    """Outlets behind ``article_ids`` (their aliases included), grouped by the text they
    carry; ``quotes`` are the side's sentences, read for one unnamed source."""
    infos = [articles[a] for a in dict.fromkeys(article_ids) if a in articles]
    groups: list[list[ArticleInfo]] = []
    for info in infos:
        for g in groups:
            if near_copies(g[0].text, info.text):
                g.append(info)
                break
        else:
            groups.append([info])
    # Other retrieved articles that carry one of these texts: the same report under
    # another outlet's name (its sentences were not quoted twice).
    taken = {i.id for g in groups for i in g}
    for other in articles.values():
        if other.id not in taken:
            for g in groups:
                if near_copies(g[0].text, other.text):
                    g.append(other)
                    taken.add(other.id)
                    break
    outlets: list[str] = []
    copies: list[list[str]] = []
    wire = None
    for g in groups:
        names = list(dict.fromkeys([_outlet(i) for i in g] + [s for i in g for s in i.alias_sources]))
        outlets += [n for n in names if n not in outlets]
        if len(names) > 1:
            copies.append(names)
            found = _WIRE.search(g[0].text[:2000])
            wire = wire or (found.group(1) if found else None)
    single = single_unnamed_source(quotes) if len(outlets) > 1 else None
    # Outlets that all lean on one unnamed source confirm nothing to each other: one source.
    independent = 1 if single else min(len(groups), len(outlets)) or 1
    return SourceCount(outlets, independent, copies, wire or None, single)


def single_unnamed_source(quotes: Sequence[str]) -> str | None:
    """The one unnamed source every quote leans on ("people familiar with the call"), if any."""
    found = [_UNNAMED.search(q) for q in quotes]
    if len(found) < 2 or not all(found):
        return None
    names = {" ".join(m.group(1).lower().split()[-3:]) for m in found if m}
    return found[0].group(1) if len(names) == 1 else None
