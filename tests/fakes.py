"""Fakes of our own interfaces, for tests of the front ends.

:class:`ScriptedEngine` implements :class:`retrieval.engine.interface.Engine` with
canned answers, so that a REPL, Discord or server test can play slowness, errors and
long answers without a store or a model.  It does not subclass a real engine.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Mapping, Sequence

from retrieval.common.errors import NewsbotError
from retrieval.engine.answer import Answer, Citation
from retrieval.engine.evidence import Question
from retrieval.engine.interface import Retrieved


def citation(n: int, url: str | None = "https://news.example/a") -> Citation:
    """A citation of article ``a<n>`` (its quote is not checked against any store)."""
    return Citation(n=n, article_id=f"a{n}", title=f"Article {n}", source="Wire", published="2024-11-11",
                    url=url, quote="q", start=0, end=1, stance="supports")


class ScriptedEngine:
    """An :class:`~retrieval.engine.interface.Engine` answering from a script.

    ``answers`` is one :class:`Answer` for every question, an exception raised for every
    question, or a mapping question -> Answer (a question not in it is a ``NewsbotError``,
    as the real engine raises for bad input).  Each call waits for ``gate`` (when given)
    and then ``delay`` seconds.  The fake records what it was asked: ``calls`` holds
    (question, earlier questions) pairs; ``warmed`` and ``refreshed`` count those calls.
    """

    streams = False

    def __init__(self, answers: Answer | Exception | Mapping[str, Answer] | None = None, *,
                 delay: float = 0.0, gate: threading.Event | None = None):
        self.answers = answers or Answer(question="q", status="answered", answer="Canned answer [1]",
                                         citations=[citation(1)])
        self.delay = delay
        self.gate = gate
        self.started = threading.Event()
        self.calls: list[tuple[str, list[str]]] = []
        self.warmed = 0
        self.refreshed = 0

    def answer(self, question: str, history: Sequence[Any] = (), *, k: int | None = None,
               source: str | None = None, since: str | None = None,
               on_text: Callable[[str], None] | None = None) -> Answer:
        self.calls.append((question, [q for q, _ in history]))
        self.started.set()
        if self.gate is not None:
            self.gate.wait(5)
        time.sleep(self.delay)
        if isinstance(self.answers, Exception):
            raise self.answers
        if isinstance(self.answers, Answer):
            result = self.answers
        elif question in self.answers:
            result = self.answers[question]
        else:
            raise NewsbotError("the stored articles do not cover that")
        if on_text is not None and result.answer:
            on_text(result.answer)
        return result

    def retrieve(self, question: str, history: Sequence[Any] = (), *, k: int | None = None,
                 source: str | None = None, since: str | None = None) -> Retrieved:
        """The scripted answer, with no passages behind it."""
        answer = self.answer(question, history, k=k, source=source, since=since)
        asked = Question(text=question, resolved=question, terms=[], kind="wh", answer_type=None, focus=None)
        return Retrieved(question=asked, hits=[], articles={}, evidence=[], answer=answer)

    def timeline(self, query: str, *, k: int | None = None, source: str | None = None,
                 since: str | None = None) -> Answer:
        """The scripted answer for ``query`` (its ``timeline`` as scripted)."""
        return self.answer(query, k=k, source=source, since=since)

    def refresh(self) -> None:
        self.refreshed += 1

    def warm(self) -> None:
        self.warmed += 1
