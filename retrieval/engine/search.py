"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings, fused.

* Dense: one query embedding, one Chroma query per chunk shard (run side
  by side) with the filters as a ``where`` clause, merged by distance.
* Lexical: BM25 over every chunk (:mod:`retrieval.index.lexical`), one part per
  shard, cached on disk (``cache_dir``) and memory-mapped; a write rebuilds
  only the parts of the shards it changed.
* Fusion: reciprocal rank fusion.  Then near-duplicate chunks (wire copies
  of one story, same words, same names and figures) collapse onto the
  best-ranked one (copies that differ in a figure or a name are kept: they
  are the conflict), and the selection is
  spread over articles and sources: at most ``per_article`` chunks of one
  article and, while others are left, at most half the articles from one
  publisher, so that a denial ranking below a report still comes back.
* Only chunks of complete articles are returned: an article still being
  written, or left half-written by a crash, stays invisible.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from retrieval.common.errors import ConfigError
from retrieval.index.lexical import LexicalIndex, load_or_build
from retrieval.index.store import Snapshot, Store, StoredChunk, published_timestamp
from retrieval.common.terms import Lexicon

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class Filters:
    """Optional restrictions on what may be retrieved."""

    source: str | None = None
    since: str | None = None

    @property
    def since_ts(self) -> int | None:
        if not self.since:
            return None
        ts = published_timestamp(self.since)
        if ts is None:
            raise ConfigError(f"--since: {self.since!r} is not an ISO date such as 2024-11-10")
        return ts

    def where(self, source: str | None) -> dict[str, Any] | None:
        """The Chroma ``where`` clause, with the source already resolved."""
        clauses: list[dict[str, Any]] = []
        if self.source:
            clauses.append({"source": source if source is not None else self.source})
        if self.since_ts is not None:
            clauses.append({"published_ts": {"$gte": self.since_ts}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Hit:
    """A retrieved chunk, with its place in the article and its scores."""

    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int
    meta: dict[str, Any]
    dense: float = 0.0  # cosine similarity to the question
    lexical: float = 0.0  # BM25 score
    score: float = 0.0  # fused score
    duplicates: list[str] = field(default_factory=list)  # article ids of collapsed copies

    @property
    def source(self) -> str | None:
        return self.meta.get("source")


def collection_key(snapshot: Snapshot) -> str:
    """The identity and state of every shard: it changes whenever any process writes."""
    raw = snapshot.token + "|" + "|".join(f"{s.index}:{s.uid}" for s in snapshot.shards)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class HybridSearcher:
    """Dense plus BM25 retrieval over one store."""

    def __init__(
        self,
        store: Store,
        embedder: Any,
        lexicon: Lexicon,
        *,
        cache_dir: Path | None = None,
        fetch_k: int = 40,
        rrf_k: int = 60,
        per_article: int = 2,
        duplicate_jaccard: float = 0.8,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.lexicon = lexicon
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.fetch_k = fetch_k
        self.rrf_k = rrf_k
        self.per_article = per_article
        self.duplicate_jaccard = duplicate_jaccard
        self._index: LexicalIndex | None = None
        self._lock = threading.Lock()

    # -- the lexical index -------------------------------------------------
    def index(self) -> LexicalIndex:
        """The BM25 index at the store's current state (parts of changed shards rebuilt)."""
        return self._current()[0]

    def _current(self) -> tuple[LexicalIndex, Snapshot]:
        with self._lock:
            snapshot = self.store.snapshot()
            key = collection_key(snapshot)
            current = self._index
            if current is not None and current.key == key:
                return current, snapshot
            have = {p.shard: p for p in current.parts} if current is not None else {}
            parts = load_or_build(self.store, snapshot.shards, self.lexicon, self.cache_dir, have)
            self._index = LexicalIndex(key, parts)
            return self._index, snapshot

    def refresh(self) -> None:
        """Forget the in-memory index (the next search checks the collection again)."""
        with self._lock:
            self._index = None

    # -- searching ---------------------------------------------------------
    def search(
        self,
        question: str,
        query_terms: Sequence[str],
        *,
        k: int,
        filters: Filters = Filters(),
    ) -> list[Hit]:
        """The best chunks for a question, fused, de-duplicated and diversified."""
        return self.search_with_index(question, query_terms, k=k, filters=filters)[0]

    def search_with_index(
        self,
        question: str,
        query_terms: Sequence[str],
        *,
        k: int,
        filters: Filters = Filters(),
        per_article: int | None = None,
    ) -> tuple[list[Hit], LexicalIndex]:
        """:meth:`search`, with the lexical index it used (the store at the same state);
        ``per_article`` chunks of one article (the searcher's own by default)."""
        index, snapshot = self._current()
        source = index.resolve_source(filters.source)
        hits: dict[str, Hit] = {}
        fused: dict[str, float] = {}

        vector = self.embedder.embed_query(question)
        dense = self.store.nearest_chunks(vector, self.fetch_k, filters.where(source), snapshot.shards)
        lexical = index.top(query_terms, self.fetch_k, source if filters.source else None,
                            filters.since_ts)
        lexical_ids = [part.chunk_id(pos) for part, pos, _ in lexical]
        wanted: dict[int, dict[str, None]] = {}  # one fetch per shard for both rankings
        for _, shard, cid in dense:
            wanted.setdefault(shard, {})[cid] = None
        for (part, _, _), cid in zip(lexical, lexical_ids):
            wanted.setdefault(part.shard, {})[cid] = None
        stored = self.store.get_chunks({shard: list(ids) for shard, ids in wanted.items()})
        visible = self.store.complete_ids({chunk.article_id for chunk in stored.values()})
        stored = {cid: chunk for cid, chunk in stored.items() if chunk.article_id in visible}
        for rank, (dist, _, cid) in enumerate(dense):
            if cid not in stored:  # removed since the search, or its article is pending
                continue
            hits[cid] = _hit(stored[cid], dense=1.0 - dist)
            fused[cid] = 1.0 / (self.rrf_k + rank + 1)
        shard_of: dict[str, int] = {}  # the chunks only the lexical search found
        for rank, ((part, pos, score), cid) in enumerate(zip(lexical, lexical_ids)):
            hit = hits.get(cid)
            if hit is None:
                if cid not in stored:  # removed since the index was read, or pending
                    continue
                hit = hits[cid] = _hit(stored[cid])
                shard_of[cid] = part.shard
            hit.lexical = score
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        for cid, hit in hits.items():
            hit.score = fused[cid]
        ranked = sorted(hits.values(), key=lambda h: -h.score)
        kept = self._diversify(self._collapse(ranked), k, per_article)
        # a chunk the words found but not among the nearest in meaning still has its
        # similarity to the question, read from its stored vector (the kept few only)
        lexical_only: dict[int, list[str]] = {}
        for hit in kept:
            if hit.chunk_id in shard_of:
                lexical_only.setdefault(shard_of[hit.chunk_id], []).append(hit.chunk_id)
        if lexical_only:
            near = self.store.similarities(vector, lexical_only)
            for hit in kept:
                hit.dense = near.get(hit.chunk_id, hit.dense)
        return kept, index

    def _collapse(self, ranked: list[Hit]) -> list[Hit]:
        """Drop chunks that nearly repeat a better-ranked chunk of another article."""
        kept: list[tuple[Hit, set[tuple[str, ...]], frozenset[str]]] = []
        for hit in ranked:
            shingles = _shingles(hit.text)
            facts = _facts(hit.text)
            twin = None
            for other, other_sh, other_facts in kept:
                if (other.article_id != hit.article_id and facts == other_facts
                        and _jaccard(shingles, other_sh) >= self.duplicate_jaccard):
                    twin = other
                    break
            if twin is None:
                kept.append((hit, shingles, facts))
            elif hit.article_id not in twin.duplicates:
                twin.duplicates.append(hit.article_id)
        return [h for h, _, _ in kept]

    def _diversify(self, ranked: list[Hit], k: int, per_article: int | None = None) -> list[Hit]:
        """Up to ``k`` articles, ``per_article`` chunks each, publishers mixed."""
        articles: list[str] = []
        by_article: dict[str, list[Hit]] = {}
        for hit in ranked:
            by_article.setdefault(hit.article_id, []).append(hit)
            if hit.article_id not in articles:
                articles.append(hit.article_id)
        source_of = {a: by_article[a][0].source for a in articles}
        cap = max(2, k // 2)
        chosen: list[str] = []
        per_source: dict[Any, int] = {}
        for a in articles:  # first pass: respect the per-publisher cap
            if len(chosen) >= k:
                break
            if per_source.get(source_of[a], 0) < cap:
                chosen.append(a)
                per_source[source_of[a]] = per_source.get(source_of[a], 0) + 1
        for a in articles:  # backfill when publishers ran out
            if len(chosen) >= k:
                break
            if a not in chosen:
                chosen.append(a)
        order = {a: i for i, a in enumerate(articles)}
        chosen.sort(key=order.__getitem__)
        return [h for a in chosen for h in by_article[a][:per_article or self.per_article]]


def _hit(chunk: StoredChunk, dense: float = 0.0) -> Hit:
    return Hit(chunk.id, chunk.article_id, chunk.text, chunk.start, chunk.end, chunk.metadata(), dense=dense)


def _shingles(text: str) -> set[tuple[str, ...]]:
    toks = text.lower().split()
    if len(toks) < 3:
        return {tuple(toks)}
    return {tuple(toks[i:i + 3]) for i in range(len(toks) - 2)}


def _facts(text: str) -> frozenset[str]:
    """The numbers and capitalized words of a text: two copies that differ in these
    tell different stories (an edited figure, another name) and are both kept."""
    return frozenset(re.findall(r"\d[\d,.]*|\b[A-Z][\w'’-]+", text))


def _jaccard(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
