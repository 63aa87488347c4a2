"""The answer engine: question (and chat history) in, :class:`Answer` out.

``AnswerEngine`` takes its store and embedder from the caller and builds
nothing at import time.  One ``answer`` call embeds the question once, runs
the hybrid search, scores the sentences of the retrieved chunks, composes
the answer and checks every quote against the stored article text before
returning it.  ``as_runnable()`` wraps the same call as a LangChain
``Runnable`` for the front ends and later chains.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from retrieval.engine.answer import Answer, Citation
from retrieval.engine.compose import ArticleInfo, ComposeSettings, compose
from retrieval.engine.quotes import quoted
from retrieval.engine.timeline import compose_timeline
from retrieval.common.defaults import RETRIEVAL
from retrieval.common.errors import NewsbotError
from retrieval.engine.claims import turn_round, turned
from retrieval.engine.evidence import Evidence, analyze
from retrieval.engine.forms import answers_by_form
from retrieval.engine.interface import Retrieved
from retrieval.engine.judging import JudgeSettings, judge_evidence
from retrieval.engine.scoring import EvidenceWeights, gather
from retrieval.engine.search import Filters, HybridSearcher
from retrieval.index.store import Store
from retrieval.common.terms import Lexicon, load_lexicon
from retrieval.common.text import clean_question

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineSettings:
    """Knobs of the engine (``[retrieval]`` in the configuration)."""

    k: int = RETRIEVAL["k"]  # articles retrieved per question
    fetch_k: int = 40  # candidates from each of the dense and lexical rankings
    rrf_k: int = 60
    per_article: int = 2  # chunks of one article kept
    # ... and read when that finds no answer: a long article may answer in a later part
    # ("the telescope discovered more than 100 pulsars", far from where FAST is named); 0: off
    deeper_per_article: int = 4
    cache_dir: Path | None = None  # where the BM25 index is cached; None keeps it in memory
    lexicon_path: Path | None = None  # a replacement for the packaged lexicon.toml
    evidence: EvidenceWeights = field(default_factory=EvidenceWeights)  # how sentences are scored
    compose: ComposeSettings = field(default_factory=ComposeSettings)
    judge: JudgeSettings = field(default_factory=JudgeSettings)


class AnswerEngine:
    """Answers questions over one store, citing both sides when sources disagree
    (an :class:`~retrieval.engine.interface.Engine`)."""

    streams = False  # the answer is composed whole: ``on_text`` gets it in one piece

    def __init__(
        self,
        store: Store,
        embedder: Any,
        *,
        judge: Any = None,
        settings: EngineSettings | None = None,
        **overrides: Any,
    ) -> None:
        """``judge`` is the judgement model (:class:`retrieval.judge.model.Judge`); without
        one, stance and relevance come from cue phrases and term overlap alone."""
        self.store = store
        self.embedder = embedder
        self.judge = judge
        self.settings = replace(settings or EngineSettings(), **overrides)
        self.lexicon: Lexicon = load_lexicon(self.settings.lexicon_path)
        self.searcher = HybridSearcher(
            store,
            embedder,
            self.lexicon,
            cache_dir=self.settings.cache_dir,
            fetch_k=self.settings.fetch_k,
            rrf_k=self.settings.rrf_k,
            per_article=self.settings.per_article,
        )

    # -- the one call --------------------------------------------------------
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
        """Answer ``question``; ``history`` holds earlier turns, oldest first.

        A turn is a ``(question, Answer)`` pair, an :class:`Answer`, a question
        string, or a LangChain message (human messages count as questions).
        ``on_text`` receives the whole answer text, once, when it is ready.
        """
        answer = self.retrieve(question, history, k=k, source=source, since=since).answer
        if on_text is not None and answer.answer:
            on_text(answer.answer)
        return answer

    def retrieve(
        self,
        question: str,
        history: Sequence[Any] = (),
        *,
        k: int | None = None,
        source: str | None = None,
        since: str | None = None,
    ) -> Retrieved:
        """:meth:`answer` with what it was built from: the hits, articles and evidence."""
        judged: dict = {}  # the model's readings, kept for a deeper pass
        q, hits, articles, evidence, ranked, unknown = self._gather(question, history, k, source, since,
                                                                    judged=judged)
        found = self._compose(q, hits, articles, evidence, ranked, unknown)
        deeper = self.settings.deeper_per_article
        # "Who is Erin Spiceland?" asks for a sentence of a form ("Erin Spiceland is a
        # software engineer"): when the passages read hold none, read further too
        unformed = bool(q.identity or q.speech_of or q.agent) and not any(answers_by_form(e, q) for e in evidence)
        # "What is the Rust compiler built on?" quoted "... a language specification and a
        # compiler ..." from the passages read first; a sentence holding more of the words
        # asked ("The Rust compiler is built on top of LLVM") stood further on in the article
        held = _held(found)
        partial = (found.answer.status == "answered" and q.kind == "wh" and held < 1.0
                   and len({c.article_id for c in found.answer.citations}) == 1)
        if (found.answer.status == "not_found" or unformed or partial) and not unknown \
                and deeper > self.settings.per_article:
            more = self._gather(question, history, k, source, since, per_article=deeper, judged=judged)
            again = self._compose(*more)
            if again.answer.status != "not_found" and (
                    found.answer.status == "not_found" or unformed and _quotes_form(again, q)
                    or partial and not unformed and again.answer.status == "answered"
                    and _held(again) > held):
                return again
        return found

    def _compose(self, q, hits, articles, evidence, ranked, unknown) -> Retrieved:
        """The answer composed from gathered evidence, every quote checked against the
        stored text."""
        for _ in range(3):
            comp = compose(q, evidence, articles, ranked, self.settings.compose,
                           unknown_entities=unknown,
                           judge=self.settings.judge if self.judge is not None else None)
            bad = [c for c in comp.citations if not _quote_holds(c, articles)]
            if not bad:
                break
            log.warning("dropping %d citation(s) whose quote is not in the stored text", len(bad))
            bad_spans = {(c.article_id, c.start) for c in bad}
            evidence = [e for e in evidence if (e.article_id, e.start) not in bad_spans
                        and e.article_id not in {c.article_id for c in bad}]
        else:  # pragma: no cover - evidence is verified before composing
            comp = compose(q, [], articles, ranked, self.settings.compose)
        answer = Answer(
            question=q.text,
            status=comp.status,
            answer=comp.text,
            citations=comp.citations,
            resolved_question=q.resolved,
            closest=comp.closest,
            verdict=comp.verdict,
            sides=comp.sides,
            answers=comp.answers,
            timeline=comp.timeline,
        )
        return Retrieved(q, hits, articles, evidence, answer)

    def timeline(
        self,
        query: str,
        *,
        k: int | None = None,
        source: str | None = None,
        since: str | None = None,
    ) -> Answer:
        """The dated claims of the story ``query`` names, oldest first, each cited
        (``Answer.timeline``; the text lists them one per line)."""
        q, hits, articles, evidence, ranked, unknown = self._gather(query, (), k, source, since)
        judge = self.settings.judge if self.judge is not None else None
        comp = (compose_timeline(q, evidence, articles, ranked, self.settings.compose, judge)
                if not unknown else compose(q, [], articles, ranked, self.settings.compose))
        return Answer(question=q.text, status=comp.status, answer=comp.text, citations=comp.citations,
                      resolved_question=q.resolved, closest=comp.closest, verdict=comp.verdict,
                      timeline=comp.timeline)

    def _gather(self, question: str, history: Sequence[Any], k: int | None, source: str | None,
                since: str | None, per_article: int | None = None, judged: dict | None = None):
        """Search and read: the question as understood, its hits, their articles, the
        evidence (judged; ``judged`` keeps the readings across passes), the ranked article
        ids and the names no article holds."""
        question = clean_question(question)  # control characters and terminal escapes dropped
        if not question:
            raise NewsbotError("the question is empty: ask something about the stored articles")
        filters = Filters(source=source, since=since)
        filters.since_ts  # a bad date is the user's error, raised before any work
        q = analyze(question, resolved_history(history, self.lexicon), self.lexicon)
        hits, index = self.searcher.search_with_index(q.resolved, q.terms, k=k or self.settings.k,
                                                      filters=filters, per_article=per_article)
        names = q.names
        unknown = [g for g in names if not index.knows(g[-1])]  # "Oler" of "President Oler"
        if len(unknown) * 2 < len(names):
            unknown = []  # most of what is asked about is in the store: let the evidence decide
        ranked = list(dict.fromkeys(h.article_id for h in hits))
        # The copies search collapsed onto a hit come along, so that their outlets are
        # named and counted once beside it (they are never quoted).
        copies = [d for h in hits for d in h.duplicates if d not in ranked]
        articles = self._articles(ranked + list(dict.fromkeys(copies)))
        texts = {a: info.text for a, info in articles.items()}
        found = gather(q, hits, index, self.lexicon, weights=self.settings.evidence, texts=texts)
        evidence = [e for e in found if _verbatim(e, articles)]
        if self.judge is not None:
            evidence = judge_evidence(q, evidence, self.judge, self.settings.judge, judged, texts=texts)
        elif turned(q):
            turn_round(evidence)  # (the words' sides on a claim asked in the negative, turned round)
        return q, hits, articles, evidence, ranked, unknown

    def refresh(self) -> None:
        """Re-read the collection on the next question (after an ingest in this process)."""
        self.searcher.refresh()

    def warm(self) -> None:
        """Load the model, the lexical index and (embedded store) Chroma's vector index of
        every shard now rather than on the first question (a long-running bot calls this)."""
        vector = self.embedder.embed_query("warm up")
        if self.judge is not None:
            self.judge.warm()
        if self.store.exists():
            self.searcher.index()
            self.store.nearest_chunks(vector, 1)

    # -- LangChain -----------------------------------------------------------
    def as_runnable(self):
        """A ``Runnable``: a question string, or ``{"question", "chat_history", "k",
        "source", "since"}``, in; an :class:`Answer` out."""
        return answer_runnable(self.answer, "newsbot_answer")

    # -- helpers -------------------------------------------------------------
    def _articles(self, ids: Sequence[str]) -> dict[str, ArticleInfo]:
        if not ids:
            return {}
        return {
            a.id: ArticleInfo(id=a.id, title=a.title, source=a.source, published=a.published,
                              url=a.url, path=a.path, text=a.text or "",
                              alias_sources=tuple(a.alias_sources.values()))
            for a in self.store.articles_with_text(ids).values()
        }


def resolved_history(history: Sequence[Any], lexicon: Lexicon) -> list[str]:
    """The earlier questions as understood, oldest first (follow-ups merged)."""
    out: list[str] = []
    for turn in history:
        resolved = None
        if isinstance(turn, Answer):
            resolved = turn.resolved_question
        elif isinstance(turn, (tuple, list)) and turn:
            if len(turn) > 1 and isinstance(turn[1], Answer):
                resolved = turn[1].resolved_question
            else:
                resolved = analyze(str(turn[0]), out, lexicon).resolved
        elif isinstance(turn, str):
            resolved = analyze(turn, out, lexicon).resolved
        else:  # a LangChain message: only the user's turns are questions
            if getattr(turn, "type", None) in ("human", "user"):
                resolved = analyze(str(turn.content), out, lexicon).resolved
        if resolved:
            out.append(resolved)
    return out


def _verbatim(ev: Evidence, articles: dict[str, ArticleInfo]) -> bool:
    info = articles.get(ev.article_id)
    return info is not None and info.text[ev.start:ev.end] == ev.text


def _quote_holds(c: Citation, articles: dict[str, ArticleInfo]) -> bool:
    info = articles.get(c.article_id)
    return bool(c.quote) and info is not None and info.text[c.start:c.end] == c.quote


def answer_runnable(answer: Any, name: str):
    """Wrap an engine's ``answer`` as a LangChain ``Runnable`` taking a question
    string or ``{"question", "chat_history", "k", "source", "since"}``."""
    from langchain_core.runnables import RunnableLambda

    def invoke(inputs: Any) -> Answer:
        if isinstance(inputs, str):
            return answer(inputs)
        if not isinstance(inputs, dict) or "question" not in inputs:
            raise NewsbotError("the chain takes a question string or a dict with 'question'")
        history = inputs.get("chat_history", inputs.get("history", ()))
        return answer(inputs["question"], history or (), k=inputs.get("k"),
                      source=inputs.get("source"), since=inputs.get("since"))

    return RunnableLambda(invoke, name=name)


def _held(found: Retrieved) -> float:
    """The largest share of the question's words that a sentence the answer quotes holds."""
    return max((e.own_coverage for e in quoted(found.evidence, found.answer.citations)), default=0.0)


def _quotes_form(found: Retrieved, q: Any) -> bool:
    """Whether an answer quotes a sentence that answers its question by its form."""
    return any(answers_by_form(e, q) for e in quoted(found.evidence, found.answer.citations))
