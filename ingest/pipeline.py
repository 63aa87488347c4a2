"""The ingest pipeline: decide what changed, chunk, embed, upsert.

Articles are handled in batches.  For each batch the pipeline looks up, in
two Chroma calls, which locations and which content hashes the store
already knows; only new and changed articles are chunked and embedded (in
one ``encode`` call per batch, so the model sees long, length-sorted
batches).  A changed article has its old chunks removed before the new ones
go in; the same text under a new location becomes an alias.

While one batch is written to Chroma (in a worker thread), the next one is
looked up, chunked and embedded: the writes overlap the encoding.  A batch
that shares a location or a text with the batch being written waits for it,
as does any alias bookkeeping, so the outcome is the same as one batch
after the other; outcomes are reported in input order once written.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator, Sequence

from retrieval.common.errors import SourceError
from retrieval.index.store import Alias, Article, Chunk, Store, location_id
from retrieval.common.text import content_hash

from ingest.chunking import chunk_spans
from ingest.types import RawArticle

OUTCOMES = ("added", "updated", "unchanged", "aliased", "failed")


@dataclass
class Outcome:
    """What happened to one source or article."""

    status: str  # one of OUTCOMES
    location: str
    title: str = ""
    article_id: str | None = None
    detail: str = ""


@dataclass
class IngestSummary:
    """Counts and details of one ingest run."""

    outcomes: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    chunks_added: int = 0
    recovered: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def to_dict(self) -> dict:
        return {
            **{status: self.count(status) for status in OUTCOMES},
            "chunks_added": self.chunks_added,
            "seconds": round(self.seconds, 3),
            "errors": [{"source": o.location, "error": o.detail} for o in self.failed],
            "warnings": self.warnings,
            "articles": [
                {"status": o.status, "id": o.article_id, "title": o.title, "location": o.location}
                for o in self.outcomes
                if o.status != "failed"
            ],
        }


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Ingestor:
    """Writes articles into a :class:`Store` with an embedder."""

    def __init__(
        self,
        store: Store,
        embedder,
        *,
        chunk_size: int,
        overlap: int,
        batch_articles: int = 64,
        clock: Callable[[], str] = _now,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.chunk_size = chunk_size
        self.overlap = overlap
        self.batch_articles = batch_articles
        self.clock = clock

    def ingest(
        self,
        items: Iterable[RawArticle | SourceError],
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> IngestSummary:
        """Ingest articles (and record reader failures); never raises for bad input."""
        started = time.perf_counter()
        summary = IngestSummary()
        self.store.check_connection()  # a dead server fails now, before anything is embedded

        def report(outcome: Outcome) -> None:
            summary.outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)

        with self.store.writer_lease():
            summary.recovered = self.store.recover()
            self._run(items, summary, report)
        summary.seconds = time.perf_counter() - started
        return summary

    def _run(self, items: Iterable[RawArticle | SourceError], summary: IngestSummary,
             report: Callable[[Outcome], None]) -> None:
        self._writer = _BatchWriter(report, summary)
        try:
            for batch in _batches(items, self.batch_articles):
                outcomes: list[Outcome] = []  # reported once the batch is written
                articles: list[RawArticle] = []
                for item in batch:
                    if isinstance(item, SourceError):
                        outcomes.append(Outcome("failed", item.source, detail=item.reason))
                    else:
                        summary.warnings.extend(f"{item.location}: {w}" for w in item.warnings)
                        articles.append(item)
                if articles:
                    self._ingest_batch(articles, outcomes)
                else:
                    self._writer.submit(outcomes, None)
            self._writer.settle()
        finally:
            self._writer.close()

    # -- one batch -------------------------------------------------------
    def _ingest_batch(self, raws: Sequence[RawArticle], outcomes: list[Outcome]) -> None:
        report = outcomes.append
        writer = self._writer
        hashes = [content_hash(r.text) for r in raws]
        ids = [location_id(r.location) for r in raws]
        if writer.overlaps(ids, hashes):
            writer.settle()
        records = self.store.records(ids)
        known = self.store.by_hash(hashes)
        # Stale aliases and articles replaced by aliases are dropped first.
        to_write: list[tuple[Article, str]] = []
        batch_hashes: dict[str, Article] = {}

        for raw, digest, art_id in zip(raws, hashes, ids):
            found = records.get(art_id)
            if isinstance(found, Alias):
                target = known.get(digest)
                if target is not None and target.id == found.target:
                    report(Outcome("unchanged", raw.location, target.title, target.id, "alias"))
                    continue
                writer.settle()
                self.store.drop_alias(found)
                found = None
            record: Article | None = found
            if record and record.status == "complete" and record.content_hash == digest:
                report(Outcome("unchanged", raw.location, record.title, art_id))
                continue
            stored, pending = known.get(digest), batch_hashes.get(digest)
            original = stored or pending
            if original is not None and original.id != art_id:
                writer.settle()
                if record:  # this location held other text before
                    self.store.remove(art_id)
                if stored is not None:
                    self.store.add_alias(stored, raw.location, raw.source)
                else:  # the original is in this very batch: aliased once it is written
                    pending.aliases.append(raw.location)
                    if raw.source:
                        pending.alias_sources[raw.location] = raw.source
                report(Outcome("aliased", raw.location, original.title, original.id,
                               f"same text as {original.where}"))
                continue
            article = Article(
                id=art_id,
                title=raw.title,
                location=raw.location,
                content_hash=digest,
                source=raw.source,
                published=raw.published,
                author=raw.author,
                url=raw.url,
                path=raw.path,
                ingested_at=self.clock(),
                text=raw.text,
                shard=record.shard if record else None,  # a changed article keeps its shard; a new one is placed
            )
            batch_hashes[digest] = article
            to_write.append((article, "updated" if record else "added"))
            copies = [a for a in record.aliases if a != raw.location] if record else []
            if record and copies:  # its copies still hold the text it had: they keep it
                writer.settle()
                to_write.append((self._keep_old_text(record, copies), None))
                self._writer.warn(f"{copies[0]}: it held the same text as {raw.location}, which changed; "
                                  "it keeps the earlier text as an article of its own")

        if not to_write:
            writer.submit(outcomes, None)
            return
        articles = [a for a, _ in to_write]
        chunks: list[Chunk] = []
        for article in articles:
            spans = chunk_spans(article.text or "", self.chunk_size, self.overlap)
            article.n_chunks = len(spans)
            chunks.extend(
                Chunk(article.id, i, article.text[s:e], s, e) for i, (s, e) in enumerate(spans)
            )
        embeddings = self.embedder.encode([c.text for c in chunks]) if chunks else []
        dimension = self.embedder.dimension
        new = frozenset(a.id for a, status in to_write if status != "updated")

        def write() -> int:
            lost = self.store.write(articles, chunks, embeddings, dimension=dimension, new=new)
            for article in articles:
                for alias in article.aliases if article.id not in lost else ():
                    if alias != article.location:
                        self.store.add_alias(article, alias, article.alias_sources.get(alias))
            for article, status in to_write:
                if status is None:  # not one of the inputs (a copy keeping an earlier text)
                    continue
                if article.id in lost:  # never "added" unless stored
                    report(Outcome("failed", article.location, article.title, article.id, lost[article.id]))
                else:
                    report(Outcome(status, article.location, article.title, article.id))
            return sum(a.n_chunks for a in articles if a.id not in lost)

        touched = [a.id for a in articles]
        touched += [location_id(alias) for a in articles for alias in a.aliases]
        writer.submit(outcomes, write, ids=touched, hashes=[a.content_hash for a in articles])

    def _keep_old_text(self, record: Article, copies: list[str]) -> Article:
        """An article for the first copy of a changed article, with the text they shared
        (the other copies become its aliases)."""
        old = replace(record, text=self.store.article_texts([record.id]).get(record.id))
        first = copies[0]
        is_url = first.startswith(("http://", "https://"))
        return Article(
            id=location_id(first), title=old.title, location=first, content_hash=old.content_hash,
            source=old.alias_sources.get(first, old.source), published=old.published, author=old.author,
            url=first if is_url else None, path=None if is_url else first,
            ingested_at=old.ingested_at, text=old.text, aliases=copies[1:],
            alias_sources={c: old.alias_sources[c] for c in copies[1:] if c in old.alias_sources},
        )


class _BatchWriter:
    """Writes one batch at a time in a worker thread; reports outcomes in order.

    ``submit`` first waits for the batch before (so writes keep their order
    and at most one batch is in flight), then starts ``write``.  Its
    outcomes, and ``write``'s own, are reported once ``write`` returns.
    """

    def __init__(self, report: Callable[[Outcome], None], summary: IngestSummary):
        self._report = report
        self._summary = summary
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-write")
        self._future: Future | None = None
        self._outcomes: list[Outcome] = []
        self._ids: set[str] = set()
        self._hashes: set[str] = set()

    def warn(self, warning: str) -> None:
        self._summary.warnings.append(warning)

    def overlaps(self, ids: Iterable[str], hashes: Iterable[str]) -> bool:
        """Whether the batch in flight touches these articles or texts."""
        return self._future is not None and (
            not self._ids.isdisjoint(ids) or not self._hashes.isdisjoint(hashes)
        )

    def settle(self) -> None:
        """Wait for the batch in flight; report its outcomes (re-raises its error)."""
        future, self._future = self._future, None
        outcomes, self._outcomes = self._outcomes, []
        self._ids, self._hashes = set(), set()
        if future is not None:
            self._summary.chunks_added += future.result()
        for outcome in outcomes:
            self._report(outcome)

    def submit(self, outcomes: list[Outcome], write: Callable[[], int] | None,
               ids: Sequence[str] = (), hashes: Sequence[str] = ()) -> None:
        self.settle()
        if write is None:
            for outcome in outcomes:
                self._report(outcome)
            return
        self._outcomes = outcomes
        self._ids, self._hashes = set(ids), set(hashes)
        self._future = self._pool.submit(write)

    def close(self) -> None:
        """Let a write in flight finish (the store stays consistent), then stop."""
        if self._future is not None:
            try:
                self._future.result()
            except Exception:
                pass  # an error raised elsewhere is already on its way
        self._pool.shutdown(wait=True)


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
