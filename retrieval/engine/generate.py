"""Generative answers: a LangChain chat model writes, the offline engine vouches.

:class:`GenerativeEngine` wraps the offline :class:`~retrieval.engine.engine.AnswerEngine`
and a LangChain ``BaseChatModel`` (both passed in) behind the same
``answer(question, history, *, k, source, since) -> Answer`` call:

1. The offline engine answers first.  When it finds nothing usable
   (``not_found``) that honest answer is returned as is: the model is not
   asked to answer from passages that do not bear on the question.
2. The retrieved passages (the offline engine's own hybrid search) go to the
   model numbered and fenced as data, with title, publisher and date, under
   the packaged prompt templates (``retrieval/prompts/*.txt``).
3. The model's answer is verified (:mod:`retrieval.engine.verify`): sentences citing
   no source, a source that does not exist or a passage that does not
   support them are removed; every remaining marker becomes a citation of a
   verbatim sentence of the stored article, numbered by first use.
4. When the offline evidence found a conflict and the answer lost a side,
   that side is added from the offline answer's own quotes.
5. When the model fails, times out, returns nothing or nothing that holds,
   the offline answer is returned with a one-line ``notice``.

``Answer.engine`` says which path produced the answer.
"""

from __future__ import annotations

import logging
import re
import string
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from retrieval.engine.answer import Answer, Citation
from retrieval.engine.engine import AnswerEngine, answer_runnable, resolved_history
from retrieval.engine.interface import Retrieved
from retrieval.engine.compose import ArticleInfo, format_date
from retrieval.common.errors import ConfigError
from retrieval.engine.claims import TURNED, turned
from retrieval.engine.evidence import classify_stance, find_speaker
from retrieval.engine.verify import (Checked, Passage, Verifier, VerifySettings, complete_claims, is_instruction,
                     split_claims)

log = logging.getLogger(__name__)

ABSTAIN = "The sources do not answer this question."
PROMPT_FILES = {"system.txt": {"abstain", "max_sentences"}, "user.txt": {"history", "question", "sources"}}


# -- prompts ---------------------------------------------------------------------
@dataclass(frozen=True)
class Prompts:
    """The system and user templates, their placeholders checked at load."""

    system: str
    user: str

    def messages(self, **values: Any) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(self.system.format(**values)), HumanMessage(self.user.format(**values))]


def load_prompts(directory: str | Path | None = None) -> Prompts:
    """The packaged templates, or those of ``directory`` (same file names).

    A template missing one of its placeholders, or using one that does not
    exist, is a :class:`ConfigError` naming the file.
    """
    texts = {}
    for name, wanted in PROMPT_FILES.items():
        if directory:
            path = Path(directory) / name
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"[llm] prompt_dir: cannot read {path}: {exc.strerror}") from None
        else:
            path = name
            text = resources.files("retrieval.engine.prompts").joinpath(name).read_text(encoding="utf-8")
        try:
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ConfigError(f"prompt {path}: {exc} (write literal braces as {{{{ and }}}})") from None
        if missing := wanted - used:
            raise ConfigError(f"prompt {path}: missing placeholder(s) {', '.join(sorted(missing))}")
        if unknown := used - wanted:
            raise ConfigError(f"prompt {path}: unknown placeholder(s) {', '.join(sorted(unknown))}")
        texts[name.removesuffix(".txt")] = text
    return Prompts(**texts)


def fence(passages: Sequence[Passage]) -> str:
    """The passages as numbered, fenced data blocks.  Angle brackets inside stored
    text are neutralised so that no article can close its fence."""
    blocks = []
    for p in passages:
        info = p.article
        head = [f"title: {_data(info.title)}", f"publisher: {_data(info.source or 'unknown')}",
                f"published: {_data(info.published or 'unknown')}"]
        blocks.append(f'<source n="{p.n}">\n' + "\n".join(head) + f"\ntext:\n{_data(p.text)}\n</source>")
    return "\n\n".join(blocks)


def _data(text: str) -> str:
    return text.replace("<", "‹").replace(">", "›")


# -- the engine ------------------------------------------------------------------
@dataclass(frozen=True)
class GenerateSettings:
    """Knobs of the generative path."""

    max_sentences: int = 6  # asked of the model
    max_passage_chars: int = 1600  # one fenced passage (adjacent chunks of an article merged)
    max_passages: int = 4  # passages sent (more only when the offline answer quotes more articles)
    history_turns: int = 3  # earlier questions shown to the model
    verify: VerifySettings = field(default_factory=VerifySettings)


class GenerativeEngine:
    """Answers with a chat model, verified against the offline engine's evidence
    (an :class:`~retrieval.engine.interface.Engine`)."""

    streams = True  # ``answer(..., on_text=...)`` sends verified text as it is written

    def __init__(
        self,
        offline: AnswerEngine,
        model: Any,
        *,
        prompts: Prompts | None = None,
        settings: GenerateSettings | None = None,
    ) -> None:
        self.offline = offline
        self.model = model
        self.prompts = prompts or load_prompts()
        self.settings = settings or GenerateSettings()

    # The front ends use these of the offline engine.
    @property
    def store(self):
        return self.offline.store

    @property
    def embedder(self):
        return self.offline.embedder

    @property
    def searcher(self):
        return self.offline.searcher

    def refresh(self) -> None:
        self.offline.refresh()

    def warm(self) -> None:
        self.offline.warm()

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
        """Answer like :meth:`AnswerEngine.answer`; ``on_text`` receives the verified
        answer text piece by piece while the model streams (the pieces are a prefix
        of the returned ``Answer.answer``)."""
        found = self.retrieve(question, history, k=k, source=source, since=since)
        offline = found.answer
        if offline.status == "not_found" or not found.hits:
            return offline
        passages = self._passages(found)
        messages = self.prompts.messages(
            abstain=ABSTAIN, max_sentences=self.settings.max_sentences,
            history=self._history(history), question=offline.question, sources=fence(passages),
        )
        verifier = Verifier(self.embedder, self.offline.lexicon, self.settings.verify,
                            judge=self.offline.judge)
        writer = _AnswerWriter(found, self.offline.lexicon, on_text)
        verifier.load(passages)
        failure: str | None = None
        text, done = "", 0
        pieces = self._pieces(messages, stream=on_text is not None)
        while True:
            try:
                piece = next(pieces, None)
            except Exception as exc:  # noqa: BLE001 - any provider failure falls back
                log.warning("the language model failed: %s", exc, exc_info=log.isEnabledFor(logging.DEBUG))
                failure = _reason(exc)
                break
            if piece is None:
                break
            text += piece
            if on_text is not None:  # check and show each sentence once it is complete
                claims, end = complete_claims(text[done:])
                if claims:
                    writer.add(verifier.check(claims))
                    done += end
        if failure is None:
            writer.add(verifier.check(split_claims(text[done:])))
        log.debug("the model wrote: %r", text)
        if not writer.parts:
            return self._fallback(offline, failure, text, writer)
        return writer.finish(offline, failure)

    def _pieces(self, messages: list[Any], *, stream: bool) -> Iterator[str]:
        """The model's answer as text: one piece, or the pieces it streams."""
        if stream:
            for chunk in self.model.stream(messages):
                yield _text(chunk)
        else:
            yield _text(self.model.invoke(messages))

    # -- retrieval (the offline engine's public pieces) ------------------------------
    def retrieve(self, question: str, history: Sequence[Any] = (), *, k: int | None = None,
                 source: str | None = None, since: str | None = None) -> Retrieved:
        """The offline answer and the passages and evidence behind it."""
        return self.offline.retrieve(question, history, k=k, source=source, since=since)

    def timeline(self, query: str, *, k: int | None = None, source: str | None = None,
                 since: str | None = None) -> Answer:
        """The story's dated claims: quotes from the evidence, as the offline engine finds them."""
        return self.offline.timeline(query, k=k, source=source, since=since)

    def _passages(self, found: Retrieved) -> list[Passage]:
        """The hits as passages: overlapping or adjacent chunks of one article merged,
        numbered in rank order after the articles the offline answer quotes (a small model
        reads few passages well, so at most ``max_passages`` unless more are quoted)."""
        spans: dict[str, list[list[int]]] = {}
        for h in found.hits:
            merged = spans.setdefault(h.article_id, [])
            for span in merged:
                if h.start <= span[1] + 1 and h.end >= span[0] - 1:
                    span[0], span[1] = min(span[0], h.start), max(span[1], h.end)
                    break
            else:
                merged.append([h.start, h.end])
        # The articles the offline answer quotes come first and are always sent (every side
        # of a conflict is among them); the others fill up to max_passages.
        cited = list(dict.fromkeys(c.article_id for c in found.answer.citations if c.article_id in spans))
        order = cited + [a for a in spans if a not in cited]
        out: list[Passage] = []
        limit = self.settings.max_passage_chars
        for article_id in order:
            for start, end in sorted(spans[article_id]):
                if len(out) >= self.settings.max_passages and article_id not in cited:
                    return out
                out.append(Passage(len(out) + 1, found.articles[article_id], start, min(end, start + limit)))
        return out

    def _history(self, history: Sequence[Any]) -> str:
        earlier = resolved_history(history, self.offline.lexicon)[-self.settings.history_turns:]
        if not earlier:
            return ""
        return "Earlier questions in this conversation:\n" + "\n".join(f"- {q}" for q in earlier) + "\n\n"

    def _fallback(self, offline: Answer, failure: str | None, text: str, writer: "_AnswerWriter") -> Answer:
        if failure:
            notice = f"The language model did not answer ({failure}); this is the offline answer."
        elif not text.strip():
            notice = "The language model returned an empty answer; this is the offline answer."
        elif _abstains(text):
            notice = "The language model found no answer in the sources; this is the offline answer."
        else:
            notice = ("No sentence of the language model's answer was supported by the sources; "
                      "this is the offline answer.")
        log.info("offline fallback: %s %s", notice, "; ".join(writer.problems))
        return replace(offline, engine="offline_fallback", notice=notice)

    # -- LangChain -----------------------------------------------------------
    def as_runnable(self):
        """A ``Runnable``: a question string, or ``{"question", "chat_history", "k",
        "source", "since"}``, in; an :class:`Answer` out."""
        return answer_runnable(self.answer, "newsbot_generative_answer")


class _AnswerWriter:
    """Builds the verified answer: sentences, citations numbered by first use."""

    def __init__(self, found: Retrieved, lexicon: Any, on_text: Callable[[str], None] | None):
        self.found = found
        self.lexicon = lexicon
        self.on_text = on_text
        self.parts: list[str] = []
        self.held: list[str] = []  # framing sentences, written with the next cited one
        self.numbers: dict[str, int] = {}
        self.citations: list[Citation] = []
        self.problems: list[str] = []
        self.removed = 0
        self.shown = 0  # characters already sent to on_text

    def add(self, checked: Sequence[Checked]) -> None:
        for ch in checked:
            if not ch.kept:
                self.removed += 1
                self.problems += [f"{ch.claim.text!r} {p}" for p in ch.problems]
                continue
            if ch.claim.framing:
                if not self.parts and not self.held:
                    self.held.append(ch.claim.text)
                continue
            self.parts += self.held + [self._sentence(ch)]
            self.held = []
        self._emit()

    def _emit(self) -> None:
        if self.on_text is None or not self.parts:
            return
        text = " ".join(self.parts)
        if len(text) > self.shown:
            self.on_text(text[self.shown:] if self.shown else text)
            self.shown = len(text)

    def _sentence(self, ch: Checked) -> str:
        used: list[int] = []
        for sup in ch.supports:
            unit = sup.unit
            info = unit.passage.article
            n = self.numbers.setdefault(info.id, len(self.numbers) + 1)
            ev = self.found.evidence_at(info.id, unit.start)
            # A sentence the offline engine did not score for the question takes no side
            # unless the model itself cited it for the claim.
            stance = ev.stance if ev is not None else classify_stance(
                unit.text, self.lexicon, relevant=not ch.claim.inferred)
            if ev is None and turned(self.found.question):  # (its words' side is on the claim itself)
                stance = TURNED.get(stance, stance)
            self._cite(n, info, unit.start, unit.end, stance)
            if n not in used:
                used.append(n)
        marks = "".join(f"[{n}]" for n in used)
        body = ch.claim.text.rstrip()
        if re.search(r"[\"'”’»)]$", body):  # “... a quote.” [1], as the offline engine writes it
            return f"{body} {marks}"
        m = re.search(r"[.!?…]*$", body)
        return f"{body[:m.start()].rstrip()} {marks}{m.group() or '.'}"

    def _cite(self, n: int, info: ArticleInfo, start: int, end: int, stance: str) -> None:
        if any(c.n == n and c.start == start and c.end == end for c in self.citations):
            return
        quote = info.text[start:end]
        self.citations.append(Citation(
            n=n, article_id=info.id, title=info.title, source=info.source, published=info.published,
            url=info.url, quote=quote, start=start, end=end, stance=stance, path=info.path,
        ))

    def finish(self, offline: Answer, failure: str | None) -> Answer:
        """The answer, with a side the model left out added from the offline answer."""
        notes = []
        added = self._missing_sides(offline)
        if added:
            notes.append("the model gave one side only: the other side was added from the sources")
        if self.removed:
            notes.append(f"{self.removed} unsupported sentence{'s' if self.removed > 1 else ''} "
                         "of the model's answer removed")
        if failure:
            notes.append(f"the model stopped early ({failure})")
        stances = {c.stance for c in self.citations}
        conflict = offline.status == "conflict" or {"supports", "denies"} <= stances
        notice = (notes[0][:1].upper() + "; ".join(notes)[1:] + ".") if notes else None
        self._emit()
        if self.problems:
            log.info("removed from the model's answer: %s", "; ".join(self.problems))
        mapping = self._carry(offline)
        return replace(offline, answer=" ".join(self.parts), citations=self.citations,
                       status="conflict" if conflict else "answered", engine="llm", notice=notice,
                       **offline.structure_renumbered(mapping))

    def _carry(self, offline: Answer) -> dict[int, int]:
        """The offline answer's citation numbers in this answer's numbering, for the sides,
        counts and timeline (they come from the evidence); a source the model's answer does
        not cite drops out of them, so every number shown is a citation of this answer."""
        return {c.n: self.numbers[c.article_id] for c in offline.citations if c.article_id in self.numbers}

    def _missing_sides(self, offline: Answer) -> bool:
        """Add each side of an offline conflict that no citation of the answer gives.

        In a conflict of report and denial a side is a stance; in a conflict of
        different answers (all quotes of one stance) a side is an article.  The
        offline answer's own quotes of a missing side are added, attributed.
        """
        if offline.status != "conflict":
            return False
        if len({c.stance for c in offline.citations}) > 1:
            have = {c.stance for c in self.citations}
            missing = [c for c in offline.citations if c.stance not in have]
        else:
            have = {c.article_id for c in self.citations}
            missing = [c for c in offline.citations if c.article_id not in have]
        missing = [c for c in missing if not is_instruction(c.quote)]
        if not missing:
            return False
        first = True
        said = any(re.match(r"\W*(the )?sources (conflict|disagree|differ)", p, re.I) for p in self.parts)
        for c in missing:
            info = self.found.articles.get(c.article_id)
            if info is None:
                continue
            n = self.numbers.setdefault(c.article_id, len(self.numbers) + 1)
            self._cite(n, info, c.start, c.end, c.stance)
            ev = self.found.evidence_at(c.article_id, c.start)
            speaker = (ev.speaker if ev is not None else None) or find_speaker(c.quote, self.lexicon)
            who = speaker or info.source or f"“{info.title}”"
            when = ", ".join(x for x in ((f"via {info.source}" if speaker and info.source else None),
                                         format_date(info.published)) if x)
            # (of a claim asked in the negative, the words tell the side by the claim itself)
            side = TURNED.get(c.stance, c.stance) if turned(self.found.question) else c.stance
            verb = {"denies": "denies it", "supports": "reports it"}.get(side, "says")
            prefix = "But the sources conflict: " if first and not said else ""
            who = who[:1].upper() + who[1:] if not prefix else who
            end = "" if c.quote.rstrip("”’\"')").endswith((".", "!", "?", "…")) else "."
            self.parts.append(f"{prefix}{who}{f' ({when})' if when else ''} {verb}: “{c.quote}” [{n}]{end}")
            first = False
        return True


def _text(message: Any) -> str:
    """The text of a chat model's message or chunk (str content or content blocks)."""
    content = getattr(message, "content", message)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content
                       if isinstance(b, (str, dict)))
    return str(content or "")


def _abstains(text: str) -> bool:
    """Whether a model's answer says the sources do not answer (and cites nothing)."""
    if any(c.markers for c in split_claims(text)):
        return False
    return bool(re.search(r"\b(do(?:es)? not|don't|cannot|can't|no)\b.{0,40}\b"
                          r"(answer|say|mention|contain|information|cover)", text, re.I))


def _reason(exc: Exception) -> str:
    """A short, one-line reason for a model failure."""
    name = type(exc).__name__
    if "timeout" in name.lower() or "timed out" in str(exc).lower():
        return "timed out"
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):
        return f"the server answered HTTP {status}"
    detail = " ".join(str(exc).split())
    return f"{name}: {detail[:100]}" if detail else name
