"""Writing to a store: articles in three steps, in batches Chroma accepts, under a lease.

An ingest writes an article in three steps: its record is marked pending (naming the
writer), its chunks are replaced, and its record is marked complete.  Searches skip the
chunks of pending articles, and a crash leaves at worst pending records, which the next
ingest removes with their chunks (:meth:`StoreWriting.recover`).

* An embedded store has one writer at a time (it holds the write lock), so every pending
  record is abandoned by the time the next writer starts.
* On a Chroma server several writers work at once.  Each keeps a heartbeat record
  (``writer:<id>`` in the article collection, the time it last beat), renewed every
  quarter of the lease while it ingests and removed when it is done.  Recovery removes a
  pending record only when its writer has no heartbeat or its last beat is older than the
  lease, and a writer checks at commit that its records are still its own: what another
  process removed or replaced is reported as failed, never as added.

Every write is split by the client's real maximum batch size
(``client.get_max_batch_size()``), in both modes.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from retrieval.index.chroma import as_store_error, first_line
from retrieval.common.errors import StoreError
from retrieval.index.records import Alias, Article, Chunk, location_id

log = logging.getLogger(__name__)

DEFAULT_LEASE = 120.0  # seconds a server writer stays alive without a heartbeat
_PLACEHOLDER = [0.0]
_GET_BATCH = 500
_FALLBACK_MAX_BATCH = 1000  # when a server does not say its maximum
_WRITER = "writer:"


def _slices(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, start + size)


class StoreWriting:
    """The writing half of :class:`retrieval.index.store.Store` (callers hold the write lock)."""

    # set by Store.__init__
    client: Any
    sole_writer: bool
    _registry: Any
    _articles: Any
    _newest: tuple[int, int] | None
    _written: set[int]

    def _init_writing(self, lease: float, clock: Callable[[], float], max_batch: int | None) -> None:
        self.writer_id = uuid.uuid4().hex[:16]
        self.lease = lease
        self.clock = clock
        self._batch_cap = max_batch
        self._max_batch: int | None = None

    # -- the connection and Chroma's limits ------------------------------
    def check_connection(self) -> None:
        """Raise a clear :class:`StoreError` now when the store cannot be reached."""
        try:
            self.client.heartbeat()
        except Exception as exc:
            lost = as_store_error(exc)
            raise (lost or StoreError(f"the store cannot be reached ({first_line(exc)})")) from exc

    @property
    def max_batch(self) -> int:
        """Records per Chroma write: the client's maximum (lowered by ``max_batch`` when given)."""
        if self._max_batch is None:
            try:
                size = int(self.client.get_max_batch_size())
            except Exception as exc:
                if (lost := as_store_error(exc)) is not None:
                    raise lost from exc
                size = -1
            size = size if size > 0 else _FALLBACK_MAX_BATCH
            self._max_batch = min(size, self._batch_cap) if self._batch_cap else size
        return self._max_batch

    def _write(self, method: Callable[..., Any], ids: Sequence[str], **columns: Any) -> None:
        """``method(ids=..., **columns)`` in slices of at most :attr:`max_batch` records."""
        for part in _slices(len(ids), self.max_batch):
            method(ids=list(ids[part]), **{name: values[part] for name, values in columns.items()})

    # -- the writer lease (server mode) ------------------------------------
    @contextmanager
    def writer_lease(self) -> Iterator[None]:
        """Keep this writer's heartbeat fresh while the block runs (server mode only)."""
        if self.sole_writer:
            yield
            return
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease / 4):
                try:
                    self._beat()
                except Exception as exc:  # noqa: BLE001 - the writes report a real failure
                    log.warning("could not renew the writer lease: %s", first_line(exc))

        thread = threading.Thread(target=renew, name="newsbot-lease", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            try:
                if self._registry is not None:
                    self._registry.delete(ids=[_WRITER + self.writer_id])
            except Exception as exc:  # noqa: BLE001 - an expired lease is cleaned up later
                log.debug("could not end the writer lease: %s", exc)

    def _beat(self) -> None:
        if self._registry is None and not self.exists():
            return
        self._articles.upsert(ids=[_WRITER + self.writer_id], embeddings=[_PLACEHOLDER], documents=[""],
                             metadatas=[{"kind": "writer", "beat": float(self.clock())}])

    def _beats(self) -> dict[str, float]:
        got = self._articles.get(where={"kind": "writer"}, include=["metadatas"])
        return {i[len(_WRITER):]: float(m.get("beat", 0.0)) for i, m in zip(got["ids"], got["metadatas"])}

    # -- writing ---------------------------------------------------------
    def write(self, articles: Sequence[Article], chunks: Sequence[Chunk], embeddings: Any, *,
              dimension: int, new: frozenset[str] = frozenset()) -> dict[str, str]:
        """Store articles with their chunks, in the three steps that keep a crash harmless.

        Creates the collections when missing (``dimension``: the embedding size), marks
        the articles pending, replaces their chunks (``embeddings``: one vector per
        chunk; articles in ``new`` had no record before), then marks them complete.
        Returns why each article that another process removed or rewrote meanwhile was
        not stored (those are not complete).  A server writer runs it inside
        :meth:`writer_lease`.
        """
        self._create(dimension)
        self._begin(articles)
        self._replace_chunks(articles, chunks, embeddings, new=new)
        return self._commit(articles)

    def _place(self, articles: Sequence[Article]) -> None:
        """Give new articles a shard: the newest one, or a new one once it is full."""
        unplaced = [a for a in articles if a.shard is None]
        if not unplaced:
            return
        if self._newest is None:
            newest = max((s.index for s in self.list_shards()), default=0)
            self._newest = (newest, self._shard(newest).count())
        index, held = self._newest
        for article in unplaced:
            if self.shard_chunks and held > 0 and held + article.n_chunks > self.shard_chunks:
                index, held = index + 1, 0
            article.shard = index
            held += article.n_chunks
        self._newest = (index, held)

    def _begin(self, articles: Sequence[Article]) -> None:
        """Step one: mark articles as being written (pending, by this writer), with their
        new text and shard."""
        if not articles:
            return
        if not self.sole_writer:
            self._beat()  # a pending record's writer is alive before the record exists
        self._place(articles)
        for a in articles:
            a.status = "pending"
        self._write(self._articles.upsert, [a.id for a in articles],
                    embeddings=[_PLACEHOLDER] * len(articles),
                    documents=[a.text or "" for a in articles],
                    metadatas=[{**a.metadata(), "writer": self.writer_id} for a in articles])

    def _replace_chunks(
        self, articles: Sequence[Article], chunks: Sequence[Chunk], embeddings: Any,
        *, new: frozenset[str] = frozenset(),
    ) -> None:
        """Step two: drop every chunk of these articles, then add the new ones (each to its
        article's shard).

        Articles in ``new`` had no record before this write, so they have no
        chunks to drop (a record always goes in before its chunks, and
        :meth:`recover` clears the chunks of any record left pending).
        """
        import numpy as np

        by_id = {a.id: a for a in articles}
        self.delete_chunks([a for a in articles if a.id not in new or not self.sole_writer])
        if not chunks:
            return
        vectors = np.asarray(embeddings, dtype=np.float32)
        groups: dict[int, list[int]] = {}
        for n, chunk in enumerate(chunks):
            shard = by_id[chunk.article_id].shard
            groups.setdefault(0 if shard is None else shard, []).append(n)
        for index, members in sorted(groups.items()):
            self._write(self._shard(index).upsert, [chunks[n].id for n in members],
                        embeddings=vectors[members],
                        documents=[chunks[n].text for n in members],
                        metadatas=[chunks[n].metadata(by_id[chunks[n].article_id]) for n in members])
            self._written.add(index)

    def delete_chunks(self, articles: Sequence[Article]) -> None:
        """Drop every chunk of these articles from the shards that hold them."""
        if not self.sole_writer:
            self._delete_everywhere([a.id for a in articles])
            return
        by_shard: dict[int, list[str]] = {}
        for a in articles:
            by_shard.setdefault(a.shard or 0, []).append(a.id)
        for index, ids in sorted(by_shard.items()):
            col = self._shards.get(index) or self._existing(self.shard_name(index))
            if col is None:
                continue  # a shard that was never written holds nothing
            self._shards[index] = col
            self._delete_matching(col, ids, index)

    def _delete_everywhere(self, article_ids: list[str]) -> None:
        """Drop these articles' chunks from whichever shards hold some (shards holding none
        keep their state, so their lexical parts stay valid)."""
        if not article_ids or not self.exists():
            return
        for shard in self.list_shards():
            self._delete_matching(shard._collection, article_ids, shard.index)

    def _delete_matching(self, col: Any, article_ids: list[str], index: int) -> None:
        """Delete the chunks of these articles from one shard, by id, in batches Chroma accepts."""
        for i in range(0, len(article_ids), _GET_BATCH):
            got = col.get(where={"article_id": {"$in": article_ids[i:i + _GET_BATCH]}}, include=[])
            if got["ids"]:
                self._write(col.delete, got["ids"])
                self._written.add(index)

    def _commit(self, articles: Sequence[Article]) -> dict[str, str]:
        """Step three: mark this writer's articles complete: from now on they are visible and
        skipped when unchanged.  Returns why each article that is no longer this writer's was not stored."""
        if not articles:
            return {}
        current = self._metas([a.id for a in articles])
        lost: dict[str, str] = {}
        for a in articles:
            meta = current.get(a.id)
            if meta is None:
                lost[a.id] = "removed by another process while it was written; ingest it again"
            elif meta.get("status") != "pending" or meta.get("writer") != self.writer_id:
                lost[a.id] = "another process wrote the same article at the same time; its version is kept"
        self.delete_chunks([a for a in articles if a.id not in current])  # no orphan chunks
        kept = [a for a in articles if a.id not in lost]
        for a in kept:
            a.status = "complete"
        self._touch_shards()
        # Metadata only: the pending record already carries the text.
        self._write(self._articles.update, [a.id for a in kept], metadatas=[a.metadata() for a in kept])
        self._touch()
        return lost

    def add_alias(self, article: Article, location: str, source: str | None = None) -> None:
        """Record that ``location`` (published by ``source``) carries ``article``'s text."""
        alias_id = location_id(location)
        if location not in article.aliases:
            article.aliases.append(location)
        if source:
            article.alias_sources[location] = source
        self._articles.upsert(
            ids=[alias_id],
            embeddings=[_PLACEHOLDER],
            documents=[""],
            metadatas=[{"kind": "alias", "target": article.id, "location": location}],
        )
        self._articles.update(ids=[article.id], metadatas=[article.metadata()])

    def drop_alias(self, alias: Alias) -> None:
        """Forget an alias, and take it off its article's list of aliases."""
        self._articles.delete(ids=[alias.id])
        target = self.records([alias.target]).get(alias.target) if alias.target else None
        if isinstance(target, Article) and alias.location in target.aliases:
            target.aliases.remove(alias.location)
            target.alias_sources.pop(alias.location, None)
            self._articles.update(ids=[target.id], metadatas=[target.metadata()])

    def remove(self, article_id: str) -> Article:
        article = self.get_article(article_id)
        self.delete_chunks([article])
        self._touch_shards()
        alias_ids = [location_id(loc) for loc in article.aliases]
        self._write(self._articles.delete, [article_id, *alias_ids])
        self._touch()
        return article

    def recover(self) -> list[str]:
        """Remove what abandoned ingests left half-written; return the article ids.

        Called at the start of every ingest, it also re-reads how full the newest shard
        is.  A pending record is abandoned when its writer can no longer be writing: with
        an embedded store always (this process holds the write lock), on a server when
        the writer's heartbeat is missing or older than the lease.
        """
        self._newest = None
        if not self.exists():
            return []
        got = self._articles.get(where={"status": "pending"}, include=["metadatas"])
        if self.sole_writer:
            ids = list(got["ids"])
        else:
            beats, now = self._beats(), self.clock()
            alive = {w for w, beat in beats.items() if now - beat <= self.lease}
            ids = [i for i, m in zip(got["ids"], got["metadatas"]) if m.get("writer") not in alive]
            expired = [_WRITER + w for w in beats if w not in alive]
            if expired:
                self._write(self._articles.delete, expired)
        if ids:
            metas = dict(zip(got["ids"], got["metadatas"]))
            self.delete_chunks([Article.from_record(i, metas[i]) for i in ids])
            self._touch_shards()
            self._write(self._articles.delete, ids)
            self._touch()
        return ids


def wall_clock() -> float:
    """Seconds since the epoch: heartbeats are compared across processes and machines."""
    return time.time()
