"""What the HTTP server and the MCP server both offer, as plain data.

:class:`Service` wraps the objects of an :class:`bot.app.App` (the engine,
the store, the ingest pipeline) in blocking calls that return JSON-ready
dicts: the same structures whichever front end asks.  The front ends run
these calls off their event loop.

Local paths never leave the server: an article from a file is named by its
file name only.
"""

from __future__ import annotations

import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

from retrieval.common.errors import NewsbotError

from bot.publishers import check_source

# Longest question or history turn accepted, in characters.
MAX_QUESTION_CHARS = 2000
# Earlier turns of a conversation carried into a follow-up.
MAX_HISTORY_TURNS = 6
ANSWER_WORKERS = 2


class Service:
    """Questions, articles and ingest over one :class:`bot.app.App`."""

    def __init__(self, app: Any, upload_dir: Path | None = None):
        self.app = app
        self.upload_dir = Path(upload_dir or Path(app.config.store.path).parent / "uploads" / "web")
        self._ingest_lock = threading.Lock()  # one ingest at a time in this process
        # Questions are computed on a few threads of their own: the work is CPU-bound, so
        # more threads add no speed, while every thread that runs the models keeps its own
        # allocator arena (answering on the web server's 40 pool threads grew its memory 2.9x).
        self._pool = ThreadPoolExecutor(max_workers=ANSWER_WORKERS, thread_name_prefix="newsbot-answer")

    # -- questions ------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[str] = (), *, k: int | None = None,
            source: str | None = None, since: str | None = None) -> dict[str, Any]:
        """The answer as ``newsbot ask --json`` prints it."""
        return self.answer(question, history, k=k, source=source, since=since).to_dict()

    def answer(self, question: str, history: Sequence[str] = (), *, k: int | None = None,
               source: str | None = None, since: str | None = None):
        """The engine's :class:`~retrieval.engine.answer.Answer`; ``history`` holds the earlier
        questions of the conversation, oldest first."""
        check_question(question)
        for turn in history:
            check_question(turn, "a history turn")
        check_source(self.app.library, source)
        return self._pool.submit(self.app.engine.answer, question, list(history)[-MAX_HISTORY_TURNS:],
                                 k=k, source=source, since=since).result()

    def timeline(self, query: str, *, k: int | None = None, source: str | None = None,
                 since: str | None = None) -> dict[str, Any]:
        """The dated claims of the story ``query`` names, oldest first: the answer object of
        ``ask --json`` whose ``timeline`` lists them (status ``not_found`` when none)."""
        check_question(query, "the query")
        check_source(self.app.library, source)
        return self._pool.submit(self.app.engine.timeline, query, k=k, source=source,
                                 since=since).result().to_dict()

    def search(self, query: str, *, k: int | None = None, source: str | None = None,
               since: str | None = None) -> list[dict[str, Any]]:
        """The passages retrieved for ``query``, best first, one entry per passage."""
        check_question(query, "the query")
        check_source(self.app.library, source)
        found = self._pool.submit(self.app.engine.retrieve, query, k=k, source=source,
                                  since=since).result()
        out = []
        for hit in found.hits:
            info = found.articles.get(hit.article_id)
            out.append({
                "article_id": hit.article_id,
                "title": info.title if info else hit.meta.get("title", ""),
                "source": info.source if info else hit.meta.get("source"),
                "published": info.published if info else hit.meta.get("published"),
                "url": info.url if info else hit.meta.get("url"),
                "passage": hit.text,
                "start": hit.start,
                "end": hit.end,
                "score": round(float(hit.score), 6),
            })
        return out

    # -- articles ---------------------------------------------------------------------
    def docs(self) -> list[dict[str, Any]]:
        """Every stored article, newest first, as ``newsbot docs list --json`` (paths shortened)."""
        return [article_summary(a) for a in self.app.library.articles()]

    def doc(self, article_id: str) -> dict[str, Any]:
        """One article (an id or a unique prefix) with its full text."""
        article = self.app.library.find(article_id)
        return {**article_summary(article), "text": article.text}

    # -- ingest -------------------------------------------------------------------------
    def save_upload(self, filename: str, data: bytes) -> str:
        """Write an uploaded file into the upload folder; the spec to ingest it by."""
        name = re.sub(r"[^\w.-]+", "_", Path(filename or "").name).lstrip(".") or "upload.txt"
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        path = self.upload_dir / name
        path.write_bytes(data)
        return str(path)

    def ingest(self, specs: Sequence[str]) -> dict[str, Any]:
        """Ingest URLs (checked by :func:`check_url` first) and saved uploads under the
        store's write lock; the summary as ``newsbot ingest --json`` prints it."""
        from ingest.readers import ReadLog, iter_articles

        from bot.chat import json_summary

        log = ReadLog()
        with self._ingest_lock, self.app.writing():
            options = self.app.reader_options(stdin=io.BytesIO())  # never the server's own stdin
            summary = self.app.ingestor().ingest(iter_articles(list(specs), options, log))
        self.app.engine.refresh()
        return self._hide_uploads(json_summary(summary, log))

    def _hide_uploads(self, value: Any) -> Any:
        """``value`` with the upload folder left out of every string."""
        prefix = str(self.upload_dir) + "/"
        if isinstance(value, str):
            return value.replace(prefix, "")
        if isinstance(value, list):
            return [self._hide_uploads(v) for v in value]
        if isinstance(value, dict):
            return {k: self._hide_uploads(v) for k, v in value.items()}
        return value


def check_question(value: Any, what: str = "the question") -> str:
    if not isinstance(value, str) or not value.strip():
        raise NewsbotError(f"{what} must be a non-empty string")
    if len(value) > MAX_QUESTION_CHARS:
        raise NewsbotError(f"{what} is {len(value):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return value


def check_url(url: Any) -> str:
    """``url`` when it is an http(s) link with a host; a :class:`NewsbotError` naming it
    otherwise (a path on the server, ``-`` or another scheme is never read from a request).
    Where the link points (private and loopback addresses) is checked when it is fetched."""
    value = url.strip() if isinstance(url, str) else ""
    if is_web_link(value):
        return value
    shown = url[:200] if isinstance(url, str) else url
    raise NewsbotError(f"{shown!r} is not an http(s) URL; upload a file instead of naming a path")


def is_web_link(value: str) -> bool:
    """Whether ``value`` is one printable http(s) link with a host (no spaces)."""
    try:
        parts = urlsplit(value)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False
    return ok and value.isprintable() and not any(c.isspace() for c in value)


def article_summary(a: Any) -> dict[str, Any]:
    """An article's record as JSON; a local file is named by its file name only."""
    return {
        "id": a.id, "title": a.title, "source": a.source, "published": a.published,
        "author": a.author, "url": a.url, "path": Path(a.path).name if a.path else None,
        "chunks": a.n_chunks, "content_hash": a.content_hash, "ingested_at": a.ingested_at,
        "aliases": [x if "://" in x else Path(x).name for x in a.aliases],
    }
