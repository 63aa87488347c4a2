"""What the chat front ends (the REPL and the Discord bot) share.

Nothing here answers questions: the front ends call
``AnswerEngine.answer(question, history)`` and use these helpers to show
the :class:`~retrieval.engine.answer.Answer` it returns, to split long replies,
to remember conversations and to run an ingest in-process.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable, Hashable, Sequence

from retrieval.engine.answer import Answer, Citation

#: One turn of a conversation, as ``AnswerEngine.answer`` takes it.
Turn = tuple[str, Answer]

DISCORD_LIMIT = 2000


# -- sources -----------------------------------------------------------------------
def nice_date(published: str | None) -> str:
    """``2024-11-11`` from an ISO date or timestamp; ``""`` when there is none."""
    if not published:
        return ""
    try:
        return date.fromisoformat(published[:10]).isoformat()
    except ValueError:
        return published


def source_parts(c: Citation, *, local_paths: bool = True) -> tuple[str, str, str]:
    """``(title, "publisher, date", link)`` of one cited article.

    With ``local_paths=False`` a local file is named by its file name only
    (a chat server should not reveal where its files live).
    """
    byline = ", ".join(x for x in (c.source, nice_date(c.published)) if x)
    where = c.url or c.path or ""
    if where and not c.url and not local_paths:
        where = Path(where).name
    return c.title or "(untitled)", byline, where


def numbered_source_line(c: Citation, *, local_paths: bool = True) -> str:
    """``[1] Title — AFP, 2024-11-11 — https://...``"""
    title, byline, where = source_parts(c, local_paths=local_paths)
    return " — ".join(x for x in (f"[{c.n}] {title}", byline, where) if x)


# -- links and mentions --------------------------------------------------------------
_BARE_URL = re.compile(r"(?<![<\w])https?://[^\s<>\"“”]+[^\s<>\"“”.,;:!?)\]’'”]")


def no_unfurl(text: str) -> str:
    """Wrap bare http(s) links in ``<...>`` so that Discord shows no preview of them."""
    return _BARE_URL.sub(lambda m: f"<{m.group(0)}>", text)


# -- splitting -------------------------------------------------------------------------
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LINE = re.compile(r"\n")
_SENTENCE = re.compile(r"[.!?…][\"'”’)\]]*(?:\s+\[\d+\])*\s+")
_SPACE = re.compile(r"\s+")
_FENCE = re.compile(r"^[ \t]*(```|~~~)", re.M)
_STRAIGHT_QUOTE = re.compile(r'"[^"\n]*(?:\n(?![ \t]*\n)[^"\n]*)*"')
_BLOCKQUOTE = re.compile(r"(?:^>[^\n]*(?:\n|$))+", re.M)


def protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` a message should not be split inside.

    Code fences (an unclosed fence runs to the end), “curly quotes” (nested
    ones inside the outer pair), "straight quotes" within a paragraph and
    runs of ``>`` block-quote lines.  Overlapping spans are merged.
    """
    spans: list[tuple[int, int]] = []
    fences = list(_FENCE.finditer(text))
    i = 0
    while i < len(fences):
        opening = fences[i]
        closing = next((f for f in fences[i + 1:] if f.group(1) == opening.group(1)), None)
        if closing is None:
            spans.append((opening.start(), len(text)))
            break
        end = text.find("\n", closing.end())
        spans.append((opening.start(), len(text) if end < 0 else end))
        i = fences.index(closing) + 1
    depth, start = 0, 0
    for m in re.finditer(r"[“”]", text):
        if m.group(0) == "“":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((start, m.end()))
    spans.extend(m.span() for m in _STRAIGHT_QUOTE.finditer(text))
    spans.extend((m.start(), m.end() - (m.group(0).endswith("\n"))) for m in _BLOCKQUOTE.finditer(text))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def split_message(text: str, limit: int = DISCORD_LIMIT) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters; ``"".join(parts) == text``.

    Each cut is made at the last paragraph break that fits, else the last
    line break, else the last sentence end, else the last space, and never
    inside a quote or a code fence (see :func:`protected_spans`) unless that
    quote or fence is itself longer than ``limit``.  Separators stay at the
    end of the part before the cut.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return [text] if text else []
    inside = [False] * (len(text) + 1)  # inside[i]: a cut before text[i] splits a span
    for s, e in protected_spans(text):
        if e - s <= limit:
            for i in range(s + 1, e):
                inside[i] = True
    candidates = [
        sorted({m.end() for m in pattern.finditer(text)})
        for pattern in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE)
    ]
    parts, start = [], 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = None
        for positions in candidates:
            cut = _last_allowed(positions, start, window_end, inside)
            if cut is not None:
                break
        if cut is None:  # no boundary in reach: cut as late as a protected span allows
            cut = next((i for i in range(window_end, start, -1) if not inside[i]), window_end)
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return parts


def _last_allowed(positions: list[int], start: int, end: int, inside: list[bool]) -> int | None:
    """The largest position in ``(start, end]`` that is not inside a protected span."""
    from bisect import bisect_right

    i = bisect_right(positions, end) - 1
    while i >= 0 and positions[i] > start:
        if not inside[positions[i]]:
            return positions[i]
        i -= 1
    return None


# -- passages -------------------------------------------------------------------------------
def passage_around(text: str, start: int, end: int, *, context: int = 1) -> tuple[int, int]:
    """The span of the paragraph holding ``text[start:end]``, widened by
    ``context`` paragraphs on either side (paragraphs end at blank lines)."""
    begin, pos = 0, start
    for _ in range(context + 1):
        found = text.rfind("\n\n", 0, pos)
        if found < 0:
            begin = 0
            break
        begin, pos = found + 2, found
    finish, pos = len(text), end
    for _ in range(context + 1):
        found = text.find("\n\n", pos)
        if found < 0:
            finish = len(text)
            break
        finish, pos = found, found + 2
    return begin, finish


# -- conversations ----------------------------------------------------------------------------
class Conversations:
    """Bounded memory of chat histories, keyed by whatever a front end follows up on
    (a thread, the id of a reply message).

    A history is a tuple of ``(question, Answer)`` turns, oldest first, at
    most ``max_turns`` long; the least recently used keys are forgotten
    beyond ``max_keys``.
    """

    def __init__(self, max_turns: int = 6, max_keys: int = 2000):
        self.max_turns = max_turns
        self.max_keys = max_keys
        self._by_key: OrderedDict[Hashable, tuple[Turn, ...]] = OrderedDict()

    def history(self, key: Hashable | None) -> tuple[Turn, ...]:
        if key is None or key not in self._by_key:
            return ()
        self._by_key.move_to_end(key)
        return self._by_key[key]

    def extend(self, history: Sequence[Turn], turn: Turn) -> tuple[Turn, ...]:
        """The history after ``turn`` (trimmed to ``max_turns``)."""
        turns = (*history, turn)
        return turns[-self.max_turns:] if self.max_turns else ()

    def remember(self, keys: Sequence[Hashable], history: tuple[Turn, ...]) -> None:
        for key in keys:
            self._by_key[key] = history
            self._by_key.move_to_end(key)
        while len(self._by_key) > self.max_keys:
            self._by_key.popitem(last=False)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._by_key

    def __len__(self) -> int:
        return len(self._by_key)


# -- ingest in-process ----------------------------------------------------------------------------
@dataclass
class IngestReport:
    """One line for a chat reply, and the summary behind it."""

    summary: Any

    def line(self) -> str:
        s = self.summary
        parts = [f"{s.count(k)} {k}" for k in ("added", "updated", "unchanged", "aliased", "failed") if s.count(k)]
        text = ", ".join(parts) or "nothing read"
        if s.failed:
            text += "; " + "; ".join(f"{o.location}: {o.detail}" for o in s.failed[:3])
        return text


def json_summary(summary: Any, log: Any) -> dict:
    """An ingest's summary as ``newsbot ingest --json`` prints it (with what reading noticed)."""
    data = summary.to_dict()
    data["warnings"] = log.warnings + data["warnings"]
    data["skipped"] = len(log.skipped)
    data["skipped_files"] = [{"source": s.path, "reason": s.reason} for s in log.skipped]
    return data


def ingest_runner(app: Any) -> Callable[[Sequence[str]], IngestReport]:
    """A blocking function ingesting sources with ``app``'s settings, under the
    store's write lock, and refreshing ``app.engine`` afterwards."""

    def run(specs: Sequence[str]) -> IngestReport:
        from ingest.readers import iter_articles

        with app.writing():
            # An empty stdin: a chat ingest never reads the bot's own standard input.
            options = app.reader_options(stdin=io.BytesIO())
            summary = app.ingestor().ingest(iter_articles(list(specs), options))
        app.engine.refresh()
        return IngestReport(summary)

    return run
