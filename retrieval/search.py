"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings, fused.

* Dense: one query embedding, one Chroma query with the filters as a
  ``where`` clause.
* Lexical: a bm25s index over every chunk, built once per collection state
  and cached on disk (``cache_dir``), keyed to the store's state token
  (which every write changes), so a restart does not re-tokenize the store.
* Fusion: reciprocal rank fusion.  Then near-duplicate chunks (wire copies
  of one story, same words, same names and figures) collapse onto the
  best-ranked one (copies that differ in a figure or a name are kept: they
  are the conflict), and the selection is
  spread over articles and sources: at most ``per_article`` chunks of one
  article and, while others are left, at most half the articles from one
  publisher, so that a denial ranking below a report still comes back.
"""

from __future__ import annotations

import hashlib
import logging
import math
import pickle
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .errors import ConfigError
from .store import Store, published_timestamp
from .terms import Lexicon, terms

log = logging.getLogger(__name__)

_GET_PAGE = 5000
_CACHE_VERSION = 2


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
    dense: float = 0.0  # cosine similarity to the question (0 when only lexical)
    lexical: float = 0.0  # BM25 score
    score: float = 0.0  # fused score
    duplicates: list[str] = field(default_factory=list)  # article ids of collapsed copies

    @property
    def source(self) -> str | None:
        return self.meta.get("source")


class LexicalIndex:
    """Every chunk of the collection, tokenized, with a BM25 model over them.

    Chunk texts are not kept (nor cached on disk): the few a question needs are
    read from Chroma, so loading the index stays light as the store grows.
    """

    def __init__(self, key: str, rows: dict[str, list], bm25: Any, df: dict[str, int]):
        self.key = key
        self.ids: list[str] = rows["ids"]
        self.metas: list[dict[str, Any]] = rows["metas"]
        self.sources = np.array([m.get("source") or "" for m in self.metas], dtype=object)
        self.published_ts = np.array(
            [m.get("published_ts", np.nan) for m in self.metas], dtype=float
        )
        self.position = {cid: i for i, cid in enumerate(self.ids)}
        self.bm25 = bm25
        self.df = df
        self.n_docs = len(self.ids)

    def __len__(self) -> int:
        return self.n_docs

    def idf(self, term: str) -> float:
        """Inverse document frequency over chunks (unknown terms count as rare)."""
        n = self.df.get(term, 0)
        return math.log(1.0 + (self.n_docs - n + 0.5) / (n + 0.5))

    def knows(self, term: str) -> bool:
        return term in self.df

    def resolve_source(self, source: str | None) -> str | None:
        """The stored spelling of a publisher name given in any case."""
        if not source:
            return None
        folded = source.casefold()
        for name in set(self.sources.tolist()):
            if name and name.casefold() == folded:
                return name
        return source

    def mask(self, filters: Filters, source: str | None) -> np.ndarray | None:
        keep = None
        if filters.source:
            keep = self.sources == source
        ts = filters.since_ts
        if ts is not None:
            recent = np.nan_to_num(self.published_ts, nan=-np.inf) >= ts
            keep = recent if keep is None else keep & recent
        return keep

    def top(self, query_terms: Sequence[str], n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
        """The ``n`` best chunks by BM25 (positions and scores), best first."""
        if not self.n_docs or not query_terms:
            return []
        scores = np.asarray(self.bm25.get_scores(list(query_terms)), dtype=float)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        n = min(n, self.n_docs)
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best if scores[i] > 0]

    # -- building and caching --------------------------------------------
    @classmethod
    def build(cls, key: str, rows: dict[str, list], lexicon: Lexicon) -> "LexicalIndex":
        import bm25s

        tokens = [terms(f"{m.get('title', '')}\n{t}", lexicon) or [""] for t, m in zip(rows["texts"], rows["metas"])]
        bm25 = bm25s.BM25()
        if tokens:
            bm25.index(tokens, show_progress=False)
        df: dict[str, int] = {}
        for toks in tokens:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        return cls(key, rows, bm25, df)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        payload = {
            "version": _CACHE_VERSION,
            "key": self.key,
            "rows": {"ids": self.ids, "metas": self.metas},
            "bm25": self.bm25,
            "df": self.df,
        }
        with open(tmp, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, key: str) -> "LexicalIndex | None":
        try:
            with open(path, "rb") as fh:
                payload = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if payload.get("version") != _CACHE_VERSION or payload.get("key") != key:
            return None
        return cls(key, payload["rows"], payload["bm25"], payload["df"])


def collection_key(store: Store) -> str:
    """The collection's identity and state: it changes whenever any process writes.

    Built from the store's state token, which costs one metadata read at any
    store size (counting chunks or reading every record grows with the store).
    """
    raw = f"{store.collection_name}|{store.model_name}|{store.state_token()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _all_chunks(store: Store) -> dict[str, list]:
    rows: dict[str, list] = {"ids": [], "texts": [], "metas": []}
    offset = 0
    while True:
        got = store.chunks.get(include=["documents", "metadatas"], limit=_GET_PAGE, offset=offset)
        rows["ids"].extend(got["ids"])
        rows["texts"].extend(got["documents"])
        rows["metas"].extend(got["metadatas"])
        if len(got["ids"]) < _GET_PAGE:
            return rows
        offset += _GET_PAGE


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
        """The BM25 index, reloaded or rebuilt when the collection changed."""
        with self._lock:
            key = collection_key(self.store)
            current = self._index
            if current is not None and current.key == key:
                return current
            self._index = self._load_or_build(key)
            return self._index

    def refresh(self) -> None:
        """Forget the in-memory index (the next search checks the collection again)."""
        with self._lock:
            self._index = None

    def _cache_path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / f"bm25-{self.store.collection_name}.pkl"

    def _load_or_build(self, key: str) -> LexicalIndex:
        path = self._cache_path()
        if path is not None and path.exists():
            cached = LexicalIndex.load(path, key)
            if cached is not None:
                return cached
        index = LexicalIndex.build(key, _all_chunks(self.store), self.lexicon)
        if path is not None:
            try:
                index.save(path)
            except OSError as exc:  # a read-only cache is slower, not broken
                log.warning("cannot write the BM25 cache %s: %s", path, exc)
        return index

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
        index = self.index()
        source = index.resolve_source(filters.source)
        hits: dict[str, Hit] = {}
        fused: dict[str, float] = {}

        for rank, hit in enumerate(self._dense(question, filters.where(source))):
            hits[hit.chunk_id] = hit
            fused[hit.chunk_id] = 1.0 / (self.rrf_k + rank + 1)
        mask = index.mask(filters, source)
        lexical = index.top(query_terms, self.fetch_k, mask)
        texts = self._texts([index.ids[pos] for pos, _ in lexical if index.ids[pos] not in hits])
        for rank, (pos, score) in enumerate(lexical):
            cid = index.ids[pos]
            hit = hits.get(cid)
            if hit is None:
                if cid not in texts:  # removed since the index was read
                    continue
                meta = index.metas[pos]
                hit = hits[cid] = Hit(
                    cid, meta["article_id"], texts[cid],
                    int(meta.get("start", 0)), int(meta.get("end", 0)), meta,
                )
            hit.lexical = score
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        for cid, hit in hits.items():
            hit.score = fused[cid]
        ranked = sorted(hits.values(), key=lambda h: -h.score)
        return self._diversify(self._collapse(ranked), k)

    def _texts(self, chunk_ids: list[str]) -> dict[str, str]:
        """The stored text of some chunks, in one Chroma call."""
        if not chunk_ids:
            return {}
        got = self.store.chunks.get(ids=chunk_ids, include=["documents"])
        return dict(zip(got["ids"], got["documents"]))

    def _dense(self, question: str, where: dict[str, Any] | None) -> list[Hit]:
        col = self.store.chunks
        vector = self.embedder.embed_query(question)
        got = col.query(  # Chroma returns fewer when the collection is smaller
            query_embeddings=[vector], n_results=self.fetch_k, where=where,
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for cid, text, meta, dist in zip(
            got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
        ):
            out.append(Hit(cid, meta["article_id"], text, int(meta.get("start", 0)),
                           int(meta.get("end", 0)), meta, dense=1.0 - float(dist)))
        return out

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

    def _diversify(self, ranked: list[Hit], k: int) -> list[Hit]:
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
        return [h for a in chosen for h in by_article[a][: self.per_article]]


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
