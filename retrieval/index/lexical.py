"""The lexical (BM25) index: one part per chunk shard, scored over the whole store.

Each shard's part holds, as flat arrays, what BM25 needs: the term
frequencies of its chunks (postings grouped by term), chunk lengths, chunk ids,
publishers and dates.  Terms are found by a 64-bit hash in a sorted array, so
no vocabulary dictionary is ever loaded.  Scores use the statistics of the
whole store (chunk count, average length, document frequency summed over the
shards), so splitting a store into shards does not change a ranking.

A part is saved under ``cache_dir`` in a folder named after the shard's
collection id and state token, and opened memory-mapped: opening a store's
index reads a few small headers whatever the store's size, and a question
touches only the pages of its own terms.  A write changes only the state of
the shards it wrote to (normally the newest), so only their parts are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from retrieval.common.terms import Lexicon, terms
from retrieval.index.records import StoredChunk

log = logging.getLogger(__name__)

FORMAT_VERSION = 4  # 4: CJK text indexed as character bigrams
K1 = 1.5
B = 0.75
_ARRAYS = ("ids", "doclen", "published_ts", "source_code", "term_hash", "indptr", "post_doc", "post_tf")


def term_hash(term: str) -> int:
    """A stable 64-bit hash of a term (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def _hashes(query_terms: Sequence[str]) -> np.ndarray:
    return np.array([term_hash(t) for t in query_terms], dtype=np.uint64)


@dataclass
class ShardPart:
    """The BM25 statistics of one chunk shard."""

    shard: int
    uid: str  # the shard's collection id and state: the part is current while it matches
    arrays: dict[str, np.ndarray]
    sources: list[str]  # publisher names; ``source_code`` indexes into it (-1: none)
    total_len: int

    @property
    def n_docs(self) -> int:
        return len(self.arrays["ids"])

    def chunk_id(self, pos: int) -> str:
        return self.arrays["ids"][pos].decode("utf-8")

    def term_positions(self, hashes: np.ndarray) -> np.ndarray:
        """Each hash's term position in this part, or -1 where the part lacks the term."""
        table = self.arrays["term_hash"]
        if not len(table):
            return np.full(len(hashes), -1, dtype=np.int64)
        pos = np.searchsorted(table, hashes)
        pos = np.minimum(pos, len(table) - 1)
        return np.where(table[pos] == hashes, pos, -1)

    def doc_freq(self, positions: np.ndarray) -> np.ndarray:
        found = positions >= 0
        df = np.zeros(len(positions), dtype=np.int64)
        if found.any():  # (a part of an emptied shard has no terms at all)
            indptr = self.arrays["indptr"]
            df[found] = indptr[positions[found] + 1] - indptr[positions[found]]
        return df

    def scores(self, positions: np.ndarray, idf: np.ndarray, avgdl: float) -> np.ndarray:
        """BM25 of every chunk of the part for the query terms at ``positions``."""
        out = np.zeros(self.n_docs, dtype=np.float64)
        indptr, docs, tfs = self.arrays["indptr"], self.arrays["post_doc"], self.arrays["post_tf"]
        doclen = self.arrays["doclen"]
        for pos, weight in zip(positions.tolist(), idf.tolist()):
            if pos < 0:
                continue
            lo, hi = int(indptr[pos]), int(indptr[pos + 1])
            d = np.asarray(docs[lo:hi])
            tf = np.asarray(tfs[lo:hi], dtype=np.float64)
            norm = K1 * (1.0 - B + B * np.asarray(doclen[d], dtype=np.float64) / avgdl)
            out[d] += weight * tf / (tf + norm)
        return out

    def mask(self, source: str | None, since_ts: int | None) -> np.ndarray | None:
        keep = None
        if source is not None:
            code = self.sources.index(source) if source in self.sources else -2
            keep = np.asarray(self.arrays["source_code"]) == code
        if since_ts is not None:
            recent = np.nan_to_num(np.asarray(self.arrays["published_ts"]), nan=-np.inf) >= since_ts
            keep = recent if keep is None else keep & recent
        return keep

    # -- building and caching --------------------------------------------
    @classmethod
    def build(cls, shard: int, uid: str, rows: Sequence[StoredChunk], lexicon: Lexicon) -> "ShardPart":
        vocab: dict[str, int] = {}
        post_term: list[int] = []
        post_doc: list[int] = []
        post_tf: list[int] = []
        doclen = np.zeros(len(rows), dtype=np.float32)
        sources: dict[str, int] = {}
        source_code = np.full(len(rows), -1, dtype=np.int32)
        published = np.full(len(rows), np.nan, dtype=np.float64)
        for doc, chunk in enumerate(rows):
            tokens = terms(f"{chunk.title}\n{chunk.text}", lexicon)
            doclen[doc] = len(tokens)
            for token, count in Counter(tokens).items():
                post_term.append(vocab.setdefault(token, len(vocab)))
                post_doc.append(doc)
                post_tf.append(count)
            if chunk.source:
                source_code[doc] = sources.setdefault(chunk.source, len(sources))
            if chunk.published_ts is not None:
                published[doc] = float(chunk.published_ts)
        hashes = np.array([term_hash(t) for t in vocab], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        terms_sorted = rank[np.array(post_term, dtype=np.int64)] if post_term else np.zeros(0, np.int64)
        by_term = np.lexsort((np.array(post_doc, dtype=np.int64), terms_sorted)) if post_term else terms_sorted
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms_sorted, minlength=len(vocab)), out=indptr[1:])
        ids = [chunk.id.encode("utf-8") for chunk in rows]
        width = max([len(i) for i in ids] or [1])
        arrays = {
            "ids": np.array(ids, dtype=f"S{width}"),
            "doclen": doclen,
            "published_ts": published,
            "source_code": source_code,
            "term_hash": hashes[order],
            "indptr": indptr,
            "post_doc": np.array(post_doc, dtype=np.int32)[by_term],
            "post_tf": np.array(post_tf, dtype=np.float32)[by_term],
        }
        return cls(shard, uid, arrays, list(sources), int(doclen.sum()))

    def save(self, folder: Path) -> None:
        """Write the part to ``folder`` (atomically: a reader sees all of it or none)."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.parent / f".tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        try:
            for name in _ARRAYS:
                np.save(tmp / f"{name}.npy", self.arrays[name], allow_pickle=False)
            header = {"version": FORMAT_VERSION, "shard": self.shard, "uid": self.uid,
                      "sources": self.sources, "total_len": self.total_len}
            (tmp / "header.json").write_text(json.dumps(header), encoding="utf-8")
            os.rename(tmp, folder)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not (folder / "header.json").exists():  # another reader may have won the race
                raise

    @classmethod
    def open(cls, folder: Path, shard: int, uid: str) -> "ShardPart | None":
        """The part saved in ``folder``, memory-mapped; None when absent, stale or unreadable."""
        try:
            header = json.loads((folder / "header.json").read_text(encoding="utf-8"))
            if header.get("version") != FORMAT_VERSION or header.get("uid") != uid:
                return None
            arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                      for name in _ARRAYS}
        except (OSError, ValueError):
            return None
        return cls(shard, uid, arrays, list(header["sources"]), int(header["total_len"]))


class LexicalIndex:
    """The BM25 index of a whole store at one state: one :class:`ShardPart` per shard."""

    def __init__(self, key: str, parts: Sequence[ShardPart]):
        self.key = key
        self.parts = list(parts)
        self.n_docs = sum(p.n_docs for p in self.parts)
        total = sum(p.total_len for p in self.parts)
        self.avgdl = max(total / self.n_docs, 1e-9) if self.n_docs else 1.0
        self._df_cache: dict[str, int] = {}

    def __len__(self) -> int:
        return self.n_docs

    def doc_freq(self, query_terms: Sequence[str]) -> np.ndarray:
        """Chunks holding each term, over the whole store."""
        hashes = _hashes(query_terms)
        df = np.zeros(len(hashes), dtype=np.int64)
        for part in self.parts:
            df += part.doc_freq(part.term_positions(hashes))
        return df

    def _df(self, term: str) -> int:
        n = self._df_cache.get(term)
        if n is None:
            n = self._df_cache[term] = int(self.doc_freq([term])[0])
        return n

    def idf(self, term: str) -> float:
        """Inverse document frequency over chunks (unknown terms count as rare)."""
        n = self._df(term)
        return math.log(1.0 + (self.n_docs - n + 0.5) / (n + 0.5))

    def knows(self, term: str) -> bool:
        return self._df(term) > 0

    def resolve_source(self, source: str | None) -> str | None:
        """The stored spelling of a publisher name given in any case."""
        if not source:
            return None
        folded = source.casefold()
        for part in self.parts:
            for name in part.sources:
                if name.casefold() == folded:
                    return name
        return source

    def top(self, query_terms: Sequence[str], n: int, source: str | None = None,
            since_ts: int | None = None) -> list[tuple[ShardPart, int, float]]:
        """The ``n`` best chunks by BM25 over every shard: (part, position, score), best first."""
        if not self.n_docs or not query_terms or n <= 0:
            return []
        hashes = _hashes(query_terms)
        positions = [part.term_positions(hashes) for part in self.parts]
        df = sum((part.doc_freq(pos) for part, pos in zip(self.parts, positions)),
                 np.zeros(len(hashes), dtype=np.int64))
        idf = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))
        found: list[tuple[float, int, int]] = []  # (score, part number, position)
        for number, (part, pos) in enumerate(zip(self.parts, positions)):
            if not part.n_docs or not (pos >= 0).any():
                continue
            scores = part.scores(pos, idf, self.avgdl)
            keep = part.mask(source, since_ts)
            if keep is not None:
                scores = np.where(keep, scores, 0.0)
            found.extend((float(scores[i]), number, int(i)) for i in _best(part, scores, n))
        # Ties go by chunk id (in each part too, see _best), so a ranking does not depend on
        # how the store is sharded.
        found.sort(key=lambda item: (-item[0], self.parts[item[1]].chunk_id(item[2])))
        return [(self.parts[number], pos, score) for score, number, pos in found[:n]]


def _best(part: ShardPart, scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of a part's ``n`` best positive scores; ties at the cut go by chunk id."""
    hit = np.flatnonzero(scores > 0)
    if len(hit) <= n:
        return hit
    values = scores[hit]
    cut = np.partition(values, len(values) - n)[len(values) - n]  # the n-th best
    above = hit[values > cut]
    tied = hit[values == cut]
    need = n - len(above)
    if len(tied) > need:
        ids = np.asarray(part.arrays["ids"][tied])
        tied = tied[np.argsort(ids, kind="stable")[:need]]
    return np.concatenate([above, tied])


def part_folder(cache_dir: Path, collection: str, shard: int, uid: str, lexicon_key: str) -> Path:
    """Where the part of one shard at one state, under one lexicon, is saved."""
    safe = hashlib.sha256(f"{uid}\0{lexicon_key}".encode()).hexdigest()[:20]
    return cache_dir / f"lexical-{collection}" / f"shard{shard}-v{FORMAT_VERSION}-{safe}"


def drop_stale(cache_dir: Path, collection: str, keep: Sequence[Path], grace: float = 600.0) -> None:
    """Remove saved parts of other states once they are ``grace`` seconds old.

    A reader with a part open keeps its mapping; the grace period spares the
    parts that another process, at a newer state, has just written.
    """
    folder = cache_dir / f"lexical-{collection}"
    keep_names = {p.name for p in keep}
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if entry.name in keep_names:
            continue
        try:
            old = now - entry.stat().st_mtime > grace
        except OSError:
            continue
        if old:
            shutil.rmtree(entry, ignore_errors=True)


def load_or_build(store: Any, shards: Sequence[Any], lexicon: Lexicon, cache_dir: Path | None,
                  have: dict[int, ShardPart]) -> list[ShardPart]:
    """The current part of every shard: kept from ``have``, opened from the cache, or built."""
    parts: list[ShardPart] = []
    folders: list[Path] = []
    for shard in shards:
        folder = (part_folder(cache_dir, store.collection_name, shard.index, shard.uid, lexicon.fingerprint)
                  if cache_dir else None)
        part = have.get(shard.index)
        if part is None or part.uid != shard.uid:  # not the one in memory: the cache, else build
            part = ShardPart.open(folder, shard.index, shard.uid) if folder is not None else None
        if part is None:
            part = ShardPart.build(shard.index, shard.uid, store.shard_rows(shard), lexicon)
            if folder is not None:
                try:
                    part.save(folder)
                except OSError as exc:  # a read-only cache is slower, not broken
                    log.warning("cannot write the lexical index cache %s: %s", folder, exc)
        parts.append(part)
        if folder is not None:
            folders.append(folder)
    if cache_dir is not None:
        drop_stale(cache_dir, store.collection_name, folders)
        try:  # the single-file cache of earlier versions
            (cache_dir / f"bm25-{store.collection_name}.pkl").unlink(missing_ok=True)
        except OSError:
            pass
    return parts
