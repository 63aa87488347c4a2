"""What the answer engine returns: an :class:`Answer` with its citations.

``Answer.to_dict()`` is the public JSON schema (``newsbot ask --json``)::

    {"question": str, "status": "answered" | "conflict" | "not_found", "answer": str,
     "citations": [{"n": int, "article_id": str, "title": str, "source": str|null,
                    "published": str|null, "url": str|null, "quote": str,
                    "start": int, "end": int, "stance": "supports" | "denies" | "context"}],
     "engine": "offline" | "llm" | "offline_fallback", "notice": str|null,
     "verdict": str,
     "sides": [{"stance": "supports" | "denies" | "answer", "claim": str,
                "attributed_to": [str], "citations": [int], "independent_sources": int,
                "outlets": [str], "copies": [[str]], "single_source": str|null}],
     "answers": [{"value": str, "count": int, "citations": [int]}],
     "timeline": [{"date": "YYYY-MM-DD", "who": str, "claim": str, "citation": int}]}

Citation numbers count articles in order of first use: two quotes from one
article share a number.  Every quote is ``article_text[start:end]``.

``verdict`` is the answer's first sentence ("Sources conflict: ..."); ``sides``
are the positions, each once, with who holds them, the citation numbers of
their sources and how many of those are independent (copies of one wire text
count once: ``copies`` lists the outlets that carry one text; ``single_source``
names the one unnamed source a side's outlets all lean on); ``answers`` group
the sources of a wh-question by the answer they give, most sources first;
``timeline`` orders the dated claims (the day named in the sentence, else the
article's publication date).  Lists are empty where there is nothing to show.

``engine`` says which path produced the answer: ``offline`` (the evidence
engine alone), ``llm`` (a language model's answer, verified against the
sources) or ``offline_fallback`` (a model was configured but its answer was
unusable, so the offline answer is shown); ``notice`` is a one-line remark
for the reader about that path (``null`` when there is nothing to say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

STATUSES = ("answered", "conflict", "not_found")
STANCES = ("supports", "denies", "context")
ENGINES = ("offline", "llm", "offline_fallback")


@dataclass(frozen=True)
class Citation:
    """One quoted span of one article, with its number in the answer."""

    n: int
    article_id: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    quote: str
    start: int
    end: int
    stance: str
    path: str | None = None  # not in the JSON: where a local article came from

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "article_id": self.article_id,
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "url": self.url,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "stance": self.stance,
        }

    @property
    def where(self) -> str | None:
        """The url, else the path: what a reader follows to the article."""
        return self.url or self.path


@dataclass(frozen=True)
class SideView:
    """One position of an answer: what is claimed, by whom, on how many sources."""

    stance: str  # "supports" | "denies" | "answer"
    claim: str
    attributed_to: list[str]
    citations: list[int]
    independent_sources: int
    outlets: list[str]
    copies: list[list[str]] = field(default_factory=list)  # outlets carrying one text
    single_source: str | None = None  # the unnamed source every outlet of the side quotes

    def to_dict(self) -> dict[str, Any]:
        return {
            "stance": self.stance, "claim": self.claim, "attributed_to": list(self.attributed_to),
            "citations": list(self.citations), "independent_sources": self.independent_sources,
            "outlets": list(self.outlets), "copies": [list(c) for c in self.copies],
            "single_source": self.single_source,
        }


@dataclass(frozen=True)
class AnswerValue:
    """A wh-question's answer as one group of sources gives it."""

    value: str
    count: int  # independent sources giving it
    citations: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "count": self.count, "citations": list(self.citations)}


@dataclass(frozen=True)
class TimelineEntry:
    """A dated claim: who said what on which day, and where it is quoted."""

    date: str  # ISO day
    who: str
    claim: str
    citation: int

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "who": self.who, "claim": self.claim, "citation": self.citation}


@dataclass
class ClosestArticle:
    """An article named by a not-found answer (not cited: nothing in it answers)."""

    article_id: str
    title: str
    source: str | None
    published: str | None


@dataclass
class Answer:
    """The engine's answer to one question.

    ``resolved_question`` is the question as understood (a follow-up merged
    with the one before it); ``closest`` lists the articles a not-found
    answer names.  Neither is part of the JSON schema.  ``engine`` and
    ``notice`` are (see the module docstring).
    """

    question: str
    status: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    resolved_question: str = ""
    closest: list[ClosestArticle] = field(default_factory=list)
    engine: str = "offline"
    notice: str | None = None
    verdict: str = ""
    sides: list[SideView] = field(default_factory=list)
    answers: list[AnswerValue] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown answer status {self.status!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"unknown answer engine {self.engine!r}")
        if not self.resolved_question:
            self.resolved_question = self.question

    def to_dict(self) -> dict[str, Any]:
        """The public JSON object, exactly the documented keys."""
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "engine": self.engine,
            "notice": self.notice,
            "verdict": self.verdict,
            "sides": [side.to_dict() for side in self.sides],
            "answers": [a.to_dict() for a in self.answers],
            "timeline": [t.to_dict() for t in self.timeline],
        }

    def structure_renumbered(self, mapping: dict[int, int]) -> dict[str, Any]:
        """``verdict``, ``sides``, ``answers`` and ``timeline`` with their citation numbers
        mapped (a generative answer numbers its sources in its own order)."""
        def nums(ns: list[int]) -> list[int]:
            return sorted({mapping[n] for n in ns if n in mapping})

        verdict = re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", self.verdict)
        return {
            "verdict": verdict,
            "sides": [replace(s, citations=nums(s.citations)) for s in self.sides],
            "answers": [replace(a, citations=nums(a.citations)) for a in self.answers],
            "timeline": [replace(t, citation=mapping[t.citation]) for t in self.timeline
                         if t.citation in mapping],
        }

    def sources(self) -> list[Citation]:
        """One citation per number, in order: the list of sources to print."""
        seen: dict[int, Citation] = {}
        for c in self.citations:
            seen.setdefault(c.n, c)
        return [seen[n] for n in sorted(seen)]
