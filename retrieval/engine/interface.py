"""What a front end may ask of an engine: the :class:`Engine` protocol.

The REPL, the Discord bot, the CLI, the HTTP and MCP servers hold an ``Engine``
and nothing more concrete.  Two engines implement it:

* :class:`~retrieval.engine.engine.AnswerEngine`, the offline one, which
  composes its answer from quoted sentences all at once;
* :class:`~retrieval.engine.generate.GenerativeEngine`, which has a chat model
  write the answer and verifies it while it streams.

Streaming is part of every engine's ``answer``: ``on_text`` receives the answer
text piece by piece (the pieces always make a prefix of the returned
``Answer.answer``).  An engine that cannot stream says so with ``streams =
False`` and hands its whole text over in one piece once the answer is ready, so
a front end may pass ``on_text`` to any engine and only needs ``streams`` to
decide whether showing text early is worth it.

Test fakes implement this protocol; they do not subclass a real engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence, runtime_checkable

if TYPE_CHECKING:
    from retrieval.engine.answer import Answer
    from retrieval.engine.compose import ArticleInfo
    from retrieval.engine.evidence import Evidence, Question
    from retrieval.engine.search import Hit


@dataclass
class Retrieved:
    """One question's retrieval and its offline answer (for engines built on this one)."""

    question: Question
    hits: list[Hit]
    articles: dict[str, ArticleInfo]
    evidence: list[Evidence]  # verbatim sentences of the hits, scored, best first
    answer: Answer

    def evidence_at(self, article_id: str, start: int) -> Evidence | None:
        """The scored sentence of an article that starts at ``start``, if any."""
        if not hasattr(self, "_by_span"):
            self._by_span = {(e.article_id, e.start): e for e in self.evidence}
        return self._by_span.get((article_id, start))


@runtime_checkable
class Engine(Protocol):
    """Answers questions over the stored articles, citing its sources."""

    streams: bool  # True when ``on_text`` receives the text while it is being written

    def answer(
        self,
        question: str,
        history: Sequence[Any] = (),
        *,
        k: int | None = None,
        source: str | None = None,
        since: str | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question``; ``history`` holds earlier turns, oldest first (a turn is a
        ``(question, Answer)`` pair, an ``Answer``, a question string or a LangChain message).
        ``k`` retrieved articles at most, only from publisher ``source`` and published on or
        after ``since`` (ISO date) when given.  Bad input raises
        :class:`~retrieval.common.errors.NewsbotError`."""
        ...

    def retrieve(
        self,
        question: str,
        history: Sequence[Any] = (),
        *,
        k: int | None = None,
        source: str | None = None,
        since: str | None = None,
    ) -> Retrieved:
        """The passages found for ``question`` and the offline answer built from them."""
        ...

    def timeline(
        self,
        query: str,
        *,
        k: int | None = None,
        source: str | None = None,
        since: str | None = None,
    ) -> Answer:
        """The dated claims of the story ``query`` names, oldest first, each cited: an
        :class:`Answer` whose ``timeline`` lists them and whose text shows one per line."""
        ...

    def refresh(self) -> None:
        """Re-read the store on the next question (after an ingest in this process)."""
        ...

    def warm(self) -> None:
        """Load models and indexes now rather than on the first question."""
        ...
