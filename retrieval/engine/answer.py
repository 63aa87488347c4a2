"""What the answer engine returns: an :class:`Answer` with its citations.

``Answer.to_dict()`` is the public JSON schema (``newsbot ask --json``)::

    {"question": str, "status": "answered" | "conflict" | "not_found", "answer": str,
     "citations": [{"n": int, "article_id": str, "title": str, "source": str|null,
                    "published": str|null, "url": str|null, "quote": str,
                    "start": int, "end": int, "stance": "supports" | "denies" | "context"}],
     "engine": "offline" | "llm" | "offline_fallback", "notice": str|null}

Citation numbers count articles in order of first use: two quotes from one
article share a number.  Every quote is ``article_text[start:end]``.

``engine`` says which path produced the answer: ``offline`` (the evidence
engine alone), ``llm`` (a language model's answer, verified against the
sources) or ``offline_fallback`` (a model was configured but its answer was
unusable, so the offline answer is shown); ``notice`` is a one-line remark
for the reader about that path (``null`` when there is nothing to say).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
        }

    def sources(self) -> list[Citation]:
        """One citation per number, in order: the list of sources to print."""
        seen: dict[int, Citation] = {}
        for c in self.citations:
            seen.setdefault(c.n, c)
        return [seen[n] for n in sorted(seen)]
