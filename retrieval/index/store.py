"""The index definition: how articles and chunks live in Chroma.

A store is a set of Chroma collections:

* Chunks live in shards: ``<name>`` (shard 0), then ``<name>__part1``,
  ``<name>__part2``, ...  A chunk holds its text, its embedding, and metadata
  (``article_id``, ``chunk_index``, ``start``/``end`` character span in the
  article text, ``title``, ``source``, ``published``, ``published_ts``).
  Every shard's metadata records the embedding model and vector size.  New
  articles go to the newest shard until it holds ``shard_chunks`` chunks, then
  a new shard starts; an article's chunks always stay in one shard, which its
  record names.  Adding articles therefore touches the vector index of the
  newest shard only (changing or removing one touches that article's shard):
  with an embedded store, Chroma loads a collection's whole vector index into
  the process that writes to it, so without shards a writer's memory would
  grow with the store.  Questions search every shard and merge the results.
* ``<name>__articles`` holds one record per article (the full text as the
  document, its metadata, ``status`` pending/complete, ``shard``) and one
  record per alias (another path or URL that carried the same text), and in
  server mode one heartbeat record per writer at work.  Its vectors are a one-dimensional placeholder: it is looked up by id and
  metadata only.  Its metadata carries the store's state token.

Everything a caller gets back is typed (:mod:`retrieval.index.records`: ``Article``,
``Alias``, ``StoredChunk``, ``Neighbour``); the Chroma collections stay private.
Writing (one :meth:`Store.write` call, three steps inside, batches, writer leases) is in
:mod:`retrieval.index.writing`; reading the article registry in
:mod:`retrieval.index.registry`; opening Chroma in :mod:`retrieval.index.chroma`; the
facade the apps use for listings and lookups in :mod:`retrieval.index.library`.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from retrieval.index.chroma import (  # noqa: F401 - re-exported: the store's public names
    WriteLock,
    as_store_error,
    embedded_client,
    server_client,
)
from retrieval.common.errors import ModelMismatchError, StoreError
from retrieval.index.records import (  # noqa: F401 - re-exported
    Alias, Article, Chunk, Neighbour, StoredChunk, location_id, published_timestamp,
)
from retrieval.index.registry import StoreRecords
from retrieval.index.writing import DEFAULT_LEASE, StoreWriting, wall_clock

SCHEMA_VERSION = 1
DEFAULT_SHARD_CHUNKS = 20_000
_SHARD_MARK = "__part"
_GET_PAGE = 5000
_MAX_FANOUT = 4  # shards searched at once
# Chroma persists a shard's vector index every ``sync_threshold`` new vectors; every
# process that opens the shard re-inserts the ones written since (Chroma's default,
# 1000, leaves up to 999: about 0.4 s per shard at each start, measured here).
_SYNC_THRESHOLD = 100
_HNSW = {"hnsw": {"space": "cosine", "sync_threshold": _SYNC_THRESHOLD}}


def _stored_chunks(got: dict[str, Any]) -> list[StoredChunk]:
    """The chunks of a Chroma ``get`` result (documents and metadatas included)."""
    return [StoredChunk.from_record(i, text, meta)
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]


def _sync_often(col: Any) -> None:
    """Lower the persist interval of a shard made by an earlier version (writers only)."""
    config = getattr(col, "configuration_json", None) or {}
    threshold = (config.get("hnsw") or {}).get("sync_threshold")
    if threshold is not None and threshold > _SYNC_THRESHOLD:
        col.modify(configuration={"hnsw": {"sync_threshold": _SYNC_THRESHOLD}})


@dataclass(frozen=True)
class Shard:
    """One chunk collection of a store, as listed at a given state."""

    index: int
    name: str
    state: str  # changes whenever a write touches this shard
    _collection: Any = field(repr=False, compare=False)  # read only by the store

    @property
    def uid(self) -> str:
        """Identity of this shard's current contents (collection id and state)."""
        return f"{self._collection.id}-{self.state}"


@dataclass(frozen=True)
class Snapshot:
    """The store's state token and its chunk shards at that state."""

    token: str
    shards: tuple[Shard, ...]


class Store(StoreWriting, StoreRecords):
    """Articles and chunks in Chroma, for one embedding model."""

    def __init__(self, client: Any, collection: str, model_name: str, *,
                 shard_chunks: int | None = DEFAULT_SHARD_CHUNKS, sole_writer: bool = True,
                 lease: float = DEFAULT_LEASE, clock: Callable[[], float] = wall_clock,
                 max_batch: int | None = None):
        """``shard_chunks``: chunks per shard before a new one starts (None: no limit).

        ``sole_writer``: no other process writes at the same time (an embedded store
        under its write lock).  Otherwise (a server) another writer may have put an
        article's chunks in another shard, so chunks are dropped from every shard, and
        pending records are left alone while their writer's lease (``lease`` seconds
        after its last heartbeat, by ``clock``) runs.  ``max_batch`` lowers the records
        per Chroma write below the client's own maximum.
        """
        self._init_writing(lease, clock, max_batch)
        self.sole_writer = sole_writer
        self.client = client
        self.collection_name = collection
        self.model_name = model_name
        self.shard_chunks = shard_chunks
        self._shard0: Any = None  # shard 0
        self._registry: Any = None  # the article collection, once opened
        self._shards: dict[int, Any] = {}  # shard collections this process has opened
        self._snapshot: Snapshot | None = None
        self._newest: tuple[int, int] | None = None  # writers: newest shard, chunks it holds
        self._written: set[int] = set()  # shards written since the last state change
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def close(self, *, client: bool = True) -> None:
        """Stop the shard threads and (``client``) close the Chroma client, its files or
        connections; a second call does nothing.  A store is not used after it is closed."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        close = getattr(self.client, "close", None)
        if client and callable(close):
            close()

    # -- collections -----------------------------------------------------
    def _existing(self, name: str) -> Any:
        """The collection, or None when it does not exist (a lost server is an error)."""
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception as exc:
            if (lost := as_store_error(exc)) is not None:
                raise lost from exc
            return None

    def exists(self) -> bool:
        return self._chunks_or_none() is not None

    def _chunks_or_none(self) -> Any:
        if self._shard0 is None:
            col = self._existing(self.collection_name)
            if col is not None:
                self._check_model(col.metadata or {})
                self._shard0 = col
                self._shards[0] = col
        return self._shard0

    def _check_model(self, meta: dict[str, Any]) -> None:
        stored = meta.get("newsbot_model")
        if stored is not None and stored != self.model_name:
            raise ModelMismatchError(
                f"collection {self.collection_name!r} was built with the embedding model "
                f"{stored!r}, but the configuration asks for {self.model_name!r}. "
                f"Set [embedding] model = {stored!r} to use it, or rebuild it: remove the store "
                f"(or pick another [store] collection) and run `newsbot ingest` again."
            )

    def shard_name(self, index: int) -> str:
        return self.collection_name if index == 0 else f"{self.collection_name}{_SHARD_MARK}{index}"

    def _shard_index(self, name: str) -> int | None:
        if name == self.collection_name:
            return 0
        prefix = f"{self.collection_name}{_SHARD_MARK}"
        tail = name[len(prefix):] if name.startswith(prefix) else ""
        return int(tail) if tail.isdigit() and not tail.startswith("0") else None

    def _create(self, dimension: int) -> None:
        """Create the collections if they are missing (writers only)."""
        if self._chunks_or_none() is None:
            self._shard0 = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,
                configuration=_HNSW,
                metadata=self._shard_metadata(dimension),
            )
            self._check_model(self._shard0.metadata or {})
            self._shards[0] = self._shard0
        _sync_often(self._shard0)
        stored_dim = (self._shard0.metadata or {}).get("newsbot_dim")
        if stored_dim is not None and int(stored_dim) != dimension:
            raise ModelMismatchError(
                f"collection {self.collection_name!r} holds {stored_dim}-dimensional vectors but "
                f"the model {self.model_name!r} makes {dimension}-dimensional ones; rebuild the store"
            )
        self._registry = self.client.get_or_create_collection(
            f"{self.collection_name}__articles", embedding_function=None
        )

    def _shard_metadata(self, dimension: int) -> dict[str, Any]:
        return {"newsbot_model": self.model_name, "newsbot_dim": dimension,
                "newsbot_schema": SCHEMA_VERSION}

    def _shard(self, index: int) -> Any:
        """A chunk shard, created on first use (writers) with shard 0's settings."""
        col = self._shards.get(index)
        if col is None:
            if index == 0:
                return self._chunks
            meta = {k: v for k, v in (self._chunks.metadata or {}).items()
                    if k in ("newsbot_model", "newsbot_dim", "newsbot_schema")}
            col = self.client.get_or_create_collection(
                self.shard_name(index), embedding_function=None,
                configuration=_HNSW, metadata=meta,
            )
            self._shards[index] = col
        return col

    @property
    def _chunks(self) -> Any:
        """Shard 0 of the chunks (the store's first chunk collection)."""
        col = self._chunks_or_none()
        if col is None:
            raise StoreError(
                f"the store has no collection {self.collection_name!r} yet; "
                "add articles with `newsbot ingest`"
            )
        return col

    @property
    def _articles(self) -> Any:
        """The article collection (records, aliases, heartbeats)."""
        if self._registry is None:
            self._chunks  # raises when the store is empty
            self._registry = self.client.get_or_create_collection(
                f"{self.collection_name}__articles", embedding_function=None
            )
        return self._registry

    # -- shards ----------------------------------------------------------
    def list_shards(self) -> list[Shard]:
        """Every chunk shard with its state, in one listing call."""
        self._chunks  # raises when the store is empty
        found: list[tuple[int, str, str]] = []
        for col in self.client.list_collections():
            index = self._shard_index(col.name)
            if index is not None:
                found.append((index, col.name, str((col.metadata or {}).get("newsbot_shard_state", "new"))))
        shards = []
        for index, name, state in sorted(found):
            col = self._shards.get(index)
            if col is None:
                col = self._existing(name)  # opened without chromadb's default embedding function
                if col is None:
                    continue
                self._shards[index] = col
            shards.append(Shard(index, name, state, col))
        return shards

    def snapshot(self) -> Snapshot:
        """The state token and the shards at that state (listed again only when it changed)."""
        token = self.state_token()
        current = self._snapshot
        if current is None or current.token != token:
            current = self._snapshot = Snapshot(token, tuple(self.list_shards()))  # raises when empty
        return current

    def preload(self) -> None:
        """Have Chroma load the vector index of every shard and of the article registry now.

        An embedded store loads them into the process on first use (about 0.05 s per
        20,000 chunks here); a command can do this while it loads the model.
        """
        if not self.exists():
            return
        dimension = int((self._chunks.metadata or {}).get("newsbot_dim") or 0)
        if dimension:
            self.nearest_chunks([1.0] + [0.0] * (dimension - 1), 1)
        self._articles.get(ids=["-"], include=[])

    def _fan_out(self, call, shards: Sequence[Any]) -> list[Any]:
        """``call(shard)`` for every shard, several at once."""
        if len(shards) <= 1:
            return [call(s) for s in shards]
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=_MAX_FANOUT, thread_name_prefix="newsbot-shard")
        return list(self._pool.map(call, shards))

    # -- reading ---------------------------------------------------------
    def nearest_chunks(self, vector: Sequence[float], n: int, where: dict[str, Any] | None = None,
                       shards: Sequence[Shard] | None = None) -> list[Neighbour]:
        """The ``n`` chunks nearest to ``vector`` over every shard, nearest first.

        Distances only, from every shard side by side: the caller fetches the text
        and metadata of the few it keeps with :meth:`get_chunks` (fetching them for
        every shard's candidates would cost more than the search itself).
        """
        shards = self.snapshot().shards if shards is None else shards

        def one(shard: Shard) -> list[Neighbour]:
            got = shard._collection.query(  # Chroma returns fewer when the shard is smaller
                query_embeddings=[vector], n_results=n, where=where, include=["distances"],
            )
            return [Neighbour(float(d), shard.index, cid)
                    for cid, d in zip(got["ids"][0], got["distances"][0])]

        return sorted(row for rows in self._fan_out(one, shards) for row in rows)[:n]

    def get_chunks(self, ids_by_shard: dict[int, list[str]]) -> dict[str, StoredChunk]:
        """Chunks by id, the ids grouped by the shard that holds them (missing ids left out)."""
        return {chunk.id: chunk for got in self._get_by_shard(ids_by_shard, ["documents", "metadatas"])
                for chunk in _stored_chunks(got)}

    def similarities(self, vector: Sequence[float], ids_by_shard: dict[int, list[str]]) -> dict[str, float]:
        """The cosine similarity of ``vector`` to chunks by id (their stored vectors, which
        are normalised, as ``vector`` is), the ids grouped by shard (missing ids left out)."""
        return {cid: float(sum(a * b for a, b in zip(vector, emb)))
                for got in self._get_by_shard(ids_by_shard, ["embeddings"])
                for cid, emb in zip(got["ids"], got["embeddings"])}

    def _get_by_shard(self, ids_by_shard: dict[int, list[str]], include: list[str]) -> list[Any]:
        """Chroma's ``get`` of the ids of each shard (``include`` read), shards side by side; a
        shard removed since it was listed gives nothing."""
        wanted = [(i, ids) for i, ids in ids_by_shard.items() if ids]

        def one(item: tuple[int, list[str]]) -> Any:
            col = self._shards.get(item[0]) or self._existing(self.shard_name(item[0]))
            return None if col is None else col.get(ids=item[1], include=include)

        return [got for got in self._fan_out(one, wanted) if got is not None]

    def shard_rows(self, shard: Shard) -> list[StoredChunk]:
        """Every chunk of one shard."""
        rows: list[StoredChunk] = []
        offset = 0
        while True:
            page = _stored_chunks(shard._collection.get(include=["documents", "metadatas"],
                                                        limit=_GET_PAGE, offset=offset))
            rows.extend(page)
            if len(page) != _GET_PAGE:
                return rows
            offset += _GET_PAGE

    def shard_size(self, shard: Shard) -> int:
        """The number of chunks one shard holds."""
        return shard._collection.count()

    def chunk_records(self, article_id: str | None = None) -> list[StoredChunk]:
        """The chunks of every shard, or of one article, shard by shard."""
        where = None if article_id is None else {"article_id": article_id}
        rows: list[StoredChunk] = []
        for shard in self.list_shards() if self.exists() else []:
            got = shard._collection.get(where=where, include=["documents", "metadatas"])
            rows.extend(_stored_chunks(got))
        return rows

    def chunk_count(self) -> int:
        if self._chunks_or_none() is None:
            return 0
        return sum(self.shard_size(shard) for shard in self.list_shards())

    def state_token(self) -> str:
        """A short string that changes whenever any process writes to the store.

        Readers use it to tell whether what they derived from the store (the
        lexical index, the list of shards) is still current, without reading
        every record.  It lives in the article collection's metadata.
        """
        col = self._existing(f"{self.collection_name}__articles")  # fresh metadata; cheap at any size
        if col is None:
            return "empty" if self._existing(self.collection_name) is None else "new"
        return str((col.metadata or {}).get("newsbot_state", "new"))

    def _touch_shards(self) -> None:
        """New state tokens for the shards written since the last change.

        Called before the records change, so that a crash in between still
        leaves the shards marked changed (a reader rebuilds their lexical parts
        at the next store token).  Each token is a fresh random value in a field
        that only this method writes, so two writers at once both leave it changed.
        """
        for index in sorted(self._written):
            self._retoken(self.shard_name(index), "newsbot_shard_state")
        self._written.clear()

    def _touch(self) -> None:
        """Record that the store changed: a new store token (after the shards')."""
        self._touch_shards()
        self._retoken(f"{self.collection_name}__articles", "newsbot_state")

    def _retoken(self, name: str, key: str) -> None:
        fresh = self._existing(name)
        if fresh is None:
            return
        meta = dict(fresh.metadata or {})
        meta[key] = uuid.uuid4().hex[:16]
        fresh.modify(metadata=meta)
