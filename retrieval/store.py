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
  record per alias (another path or URL that carried the same text).  Its
  vectors are a one-dimensional placeholder: it is looked up by id and
  metadata only.  Its metadata carries the store's state token.

Ingest writes an article in three steps (record marked pending, chunks
replaced, record marked complete), so a crash leaves at worst a pending
record, which :meth:`Store.recover` removes with its chunks.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import ModelMismatchError, NotFoundError, StoreError, StoreLockedError

SCHEMA_VERSION = 1
DEFAULT_SHARD_CHUNKS = 20_000
_SHARD_MARK = "__part"
_PLACEHOLDER = [0.0]
_GET_BATCH = 500
_GET_PAGE = 5000
_MAX_FANOUT = 4  # shards searched at once
# Chroma persists a shard's vector index every ``sync_threshold`` new vectors; every
# process that opens the shard re-inserts the ones written since (Chroma's default,
# 1000, leaves up to 999: about 0.4 s per shard at each start, measured here).
_SYNC_THRESHOLD = 100
_HNSW = {"hnsw": {"space": "cosine", "sync_threshold": _SYNC_THRESHOLD}}


def location_id(location: str) -> str:
    """The stable id of an article, derived from where it came from."""
    return hashlib.sha256(location.encode("utf-8")).hexdigest()[:20]


def published_timestamp(published: str | None) -> int | None:
    """Seconds since the epoch for an ISO 8601 date, or None."""
    if not published:
        return None
    try:
        moment = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


@dataclass
class Article:
    """One stored article."""

    id: str
    title: str
    location: str
    content_hash: str
    source: str | None = None
    published: str | None = None
    author: str | None = None
    url: str | None = None
    path: str | None = None
    ingested_at: str | None = None
    n_chunks: int = 0
    aliases: list[str] = field(default_factory=list)
    text: str | None = None
    status: str = "complete"
    shard: int | None = None  # the chunk shard holding its chunks; None until placed

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "kind": "article",
            "title": self.title,
            "location": self.location,
            "content_hash": self.content_hash,
            "n_chunks": self.n_chunks,
            "aliases": json.dumps(self.aliases),
            "status": self.status,
        }
        if self.shard is not None:
            meta["shard"] = self.shard
        for key in ("source", "published", "author", "url", "path", "ingested_at"):
            value = getattr(self, key)
            if value:
                meta[key] = value
        return meta

    @classmethod
    def from_record(cls, id: str, meta: dict[str, Any], text: str | None = None) -> "Article":
        return cls(
            id=id,
            title=meta.get("title", ""),
            location=meta.get("location", ""),
            content_hash=meta.get("content_hash", ""),
            source=meta.get("source"),
            published=meta.get("published"),
            author=meta.get("author"),
            url=meta.get("url"),
            path=meta.get("path"),
            ingested_at=meta.get("ingested_at"),
            n_chunks=int(meta.get("n_chunks", 0)),
            aliases=json.loads(meta.get("aliases") or "[]"),
            text=text,
            status=meta.get("status", "complete"),
            shard=int(meta.get("shard", 0)),  # stores from before shards: all in shard 0
        )

    @property
    def where(self) -> str:
        """The url or the path, whichever the article has."""
        return self.url or self.path or self.location


@dataclass
class Chunk:
    """A piece of an article, with its span in the article text."""

    article_id: str
    index: int
    text: str
    start: int
    end: int

    @property
    def id(self) -> str:
        return f"{self.article_id}:{self.index}"

    def metadata(self, article: Article) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "article_id": self.article_id,
            "chunk_index": self.index,
            "start": self.start,
            "end": self.end,
            "title": article.title,
        }
        if article.source:
            meta["source"] = article.source
        if article.published:
            meta["published"] = article.published
            ts = published_timestamp(article.published)
            if ts is not None:
                meta["published_ts"] = ts
        return meta


class WriteLock:
    """An exclusive, non-blocking lock on an embedded store directory.

    A second writer is refused at once rather than left waiting; the lock is
    released by the kernel when the holder exits, even on ``kill -9``.
    """

    def __init__(self, directory: Path):
        self.path = Path(directory) / "newsbot-write.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise StoreLockedError(
                f"the store at {self.path.parent} is being written by process {holder}; "
                "wait for it to finish (or use server mode for concurrent writers)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def embedded_client(path: Path):
    """A Chroma client on a local directory, telemetry off."""
    import chromadb
    from chromadb.config import Settings

    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
    except Exception as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


def server_client(host: str, port: int, *, ssl: bool = False, headers: dict[str, str] | None = None):
    """A Chroma client for a server started with ``chroma run``, telemetry off."""
    import chromadb
    from chromadb.config import Settings

    url = f"{'https' if ssl else 'http'}://{host}:{port}"
    try:
        client = chromadb.HttpClient(
            host=host, port=port, ssl=ssl, headers=headers or {},
            settings=Settings(anonymized_telemetry=False),
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreError(
            f"cannot reach the Chroma server at {url} ({_first_line(exc)}); start it with "
            f"`chroma run --path DIR --port {port}` or check [store] host and port"
        ) from exc
    return client


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0]}" if text else exc.__class__.__name__


def as_store_error(exc: BaseException) -> StoreError | None:
    """The user-facing error for a lost connection to a Chroma server, else None."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    lost = names & {"ConnectError", "ConnectTimeout", "ReadTimeout", "ReadError",
                    "RemoteProtocolError", "WriteError", "PoolTimeout", "ConnectionError"}
    if not lost:
        return None
    return StoreError(
        f"lost the connection to the Chroma server ({_first_line(exc)}); "
        "nothing half-written is kept: run the command again once the server is back"
    )


def _add_rows(rows: dict[str, list], got: dict[str, Any]) -> int:
    """Append a Chroma ``get`` result to ``rows``; the number of records it held."""
    rows["ids"].extend(got["ids"])
    rows["texts"].extend(got["documents"])
    rows["metas"].extend(got["metadatas"])
    return len(got["ids"])


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
    collection: Any
    state: str  # changes whenever a write touches this shard

    @property
    def uid(self) -> str:
        """Identity of this shard's current contents (collection id and state)."""
        return f"{self.collection.id}-{self.state}"


@dataclass(frozen=True)
class Snapshot:
    """The store's state token and its chunk shards at that state."""

    token: str
    shards: tuple[Shard, ...]


class Store:
    """Articles and chunks in Chroma, for one embedding model."""

    def __init__(self, client: Any, collection: str, model_name: str, *,
                 shard_chunks: int | None = DEFAULT_SHARD_CHUNKS, sole_writer: bool = True):
        """``shard_chunks``: chunks per shard before a new one starts (None: no limit).

        ``sole_writer``: no other process writes at the same time (an embedded store
        under its write lock).  Otherwise (a server) another writer may have put an
        article's chunks in another shard, so chunks are dropped from every shard.
        """
        self.sole_writer = sole_writer
        self.client = client
        self.collection_name = collection
        self.model_name = model_name
        self.shard_chunks = shard_chunks
        self._chunks: Any = None  # shard 0
        self._articles: Any = None
        self._shards: dict[int, Any] = {}  # shard collections this process has opened
        self._snapshot: Snapshot | None = None
        self._newest: tuple[int, int] | None = None  # writers: newest shard, chunks it holds
        self._written: set[int] = set()  # shards written since the last state change
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    # -- collections -----------------------------------------------------
    def _existing(self, name: str) -> Any:
        try:
            return self.client.get_collection(name, embedding_function=None)
        except Exception:
            return None

    def exists(self) -> bool:
        return self.chunks_or_none() is not None

    def chunks_or_none(self) -> Any:
        if self._chunks is None:
            col = self._existing(self.collection_name)
            if col is not None:
                self._check_model(col.metadata or {})
                self._chunks = col
                self._shards[0] = col
        return self._chunks

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

    def create(self, dimension: int) -> None:
        """Create the collections if they are missing (writers only)."""
        if self.chunks_or_none() is None:
            self._chunks = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,
                configuration=_HNSW,
                metadata=self._shard_metadata(dimension),
            )
            self._check_model(self._chunks.metadata or {})
            self._shards[0] = self._chunks
        _sync_often(self._chunks)
        stored_dim = (self._chunks.metadata or {}).get("newsbot_dim")
        if stored_dim is not None and int(stored_dim) != dimension:
            raise ModelMismatchError(
                f"collection {self.collection_name!r} holds {stored_dim}-dimensional vectors but "
                f"the model {self.model_name!r} makes {dimension}-dimensional ones; rebuild the store"
            )
        self._articles = self.client.get_or_create_collection(
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
                return self.chunks
            meta = {k: v for k, v in (self.chunks.metadata or {}).items()
                    if k in ("newsbot_model", "newsbot_dim", "newsbot_schema")}
            col = self.client.get_or_create_collection(
                self.shard_name(index), embedding_function=None,
                configuration=_HNSW, metadata=meta,
            )
            self._shards[index] = col
        return col

    @property
    def chunks(self) -> Any:
        """Shard 0 of the chunks (the store's first chunk collection)."""
        col = self.chunks_or_none()
        if col is None:
            raise StoreError(
                f"the store has no collection {self.collection_name!r} yet; "
                "add articles with `newsbot ingest`"
            )
        return col

    @property
    def articles(self) -> Any:
        if self._articles is None:
            self.chunks  # raises when the store is empty
            self._articles = self.client.get_or_create_collection(
                f"{self.collection_name}__articles", embedding_function=None
            )
        return self._articles

    # -- shards ----------------------------------------------------------
    def list_shards(self) -> list[Shard]:
        """Every chunk shard with its state, in one listing call."""
        self.chunks  # raises when the store is empty
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
            shards.append(Shard(index, col, state))
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
        dimension = int((self.chunks.metadata or {}).get("newsbot_dim") or 0)
        if dimension:
            self.nearest_chunks([1.0] + [0.0] * (dimension - 1), 1)
        self.articles.get(ids=["-"], include=[])

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
                       shards: Sequence[Shard] | None = None) -> list[tuple[float, int, str]]:
        """The ``n`` chunks nearest to ``vector`` over every shard: (distance, shard, id), nearest first.

        Distances only, from every shard side by side: the caller fetches the text
        and metadata of the few it keeps with :meth:`get_chunks` (fetching them for
        every shard's candidates would cost more than the search itself).
        """
        shards = self.snapshot().shards if shards is None else shards

        def one(shard: Shard) -> list[tuple[float, int, str]]:
            got = shard.collection.query(  # Chroma returns fewer when the shard is smaller
                query_embeddings=[vector], n_results=n, where=where, include=["distances"],
            )
            return [(float(d), shard.index, cid) for cid, d in zip(got["ids"][0], got["distances"][0])]

        return sorted(row for rows in self._fan_out(one, shards) for row in rows)[:n]

    def get_chunks(self, ids_by_shard: dict[int, list[str]]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Chunk text and metadata by id, the ids grouped by the shard that holds them."""
        wanted = [(i, ids) for i, ids in ids_by_shard.items() if ids]

        def one(item: tuple[int, list[str]]) -> dict[str, tuple[str, dict[str, Any]]]:
            col = self._shards.get(item[0]) or self._existing(self.shard_name(item[0]))
            if col is None:  # removed since it was listed
                return {}
            got = col.get(ids=item[1], include=["documents", "metadatas"])
            return {cid: (text, meta) for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])}

        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for part in self._fan_out(one, wanted):
            found.update(part)
        return found

    def shard_rows(self, shard: Shard) -> dict[str, list]:
        """Every chunk of one shard: ids, texts and metadata."""
        rows: dict[str, list] = {"ids": [], "texts": [], "metas": []}
        offset = 0
        while _add_rows(rows, shard.collection.get(include=["documents", "metadatas"],
                                                   limit=_GET_PAGE, offset=offset)) == _GET_PAGE:
            offset += _GET_PAGE
        return rows

    def chunk_records(self, where: dict[str, Any] | None = None) -> dict[str, list]:
        """Chunks of every shard (optionally filtered): ids, texts and metadata."""
        rows: dict[str, list] = {"ids": [], "texts": [], "metas": []}
        for shard in self.list_shards() if self.exists() else []:
            _add_rows(rows, shard.collection.get(where=where, include=["documents", "metadatas"]))
        return rows

    def records(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Article or alias metadata by id (missing ids are left out)."""
        if not ids or not self.exists():
            return {}
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), _GET_BATCH):
            got = self.articles.get(ids=list(ids[i:i + _GET_BATCH]), include=["metadatas"])
            found.update(zip(got["ids"], got["metadatas"]))
        return found

    def by_hash(self, hashes: Iterable[str]) -> dict[str, Article]:
        """Complete articles by content hash."""
        hashes = list(dict.fromkeys(hashes))
        if not hashes or not self.exists():
            return {}
        found: dict[str, Article] = {}
        for i in range(0, len(hashes), _GET_BATCH):
            got = self.articles.get(
                where={"content_hash": {"$in": hashes[i:i + _GET_BATCH]}}, include=["metadatas"]
            )
            for id_, meta in zip(got["ids"], got["metadatas"]):
                if meta.get("kind") == "article" and meta.get("status") == "complete":
                    found.setdefault(meta["content_hash"], Article.from_record(id_, meta))
        return found

    def list_articles(self) -> list[Article]:
        if not self.exists():
            return []
        got = self.articles.get(
            where={"$and": [{"kind": "article"}, {"status": "complete"}]}, include=["metadatas"]
        )
        arts = [Article.from_record(i, m) for i, m in zip(got["ids"], got["metadatas"])]
        return sorted(arts, key=lambda a: (a.published or "", a.title), reverse=True)

    def resolve_id(self, prefix: str) -> str:
        """A full article id from an id or a unique prefix of one."""
        if len(prefix) >= 20 and self.records([prefix]).get(prefix, {}).get("kind") == "article":
            return prefix
        matches = [a.id for a in self.list_articles() if a.id.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no article with id {prefix!r}; `newsbot docs list` shows the ids")
        raise NotFoundError(f"the id {prefix!r} is ambiguous: it starts {len(matches)} article ids")

    def get_article(self, article_id: str) -> Article:
        got = self.articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"] or got["metadatas"][0].get("kind") != "article":
            raise NotFoundError(f"no article with id {article_id!r}")
        return Article.from_record(article_id, got["metadatas"][0], got["documents"][0])

    def article_texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The full stored text of several articles."""
        if not ids:
            return {}
        got = self.articles.get(ids=list(dict.fromkeys(ids)), include=["documents"])
        return dict(zip(got["ids"], got["documents"]))

    def chunk_count(self) -> int:
        if self.chunks_or_none() is None:
            return 0
        return sum(shard.collection.count() for shard in self.list_shards())

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

    # -- writing (callers hold the write lock) ---------------------------
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

    def begin(self, articles: Sequence[Article]) -> None:
        """Mark articles as being written (pending), with their new text and shard."""
        if not articles:
            return
        self._place(articles)
        for a in articles:
            a.status = "pending"
        self.articles.upsert(
            ids=[a.id for a in articles],
            embeddings=[_PLACEHOLDER] * len(articles),
            documents=[a.text or "" for a in articles],
            metadatas=[a.metadata() for a in articles],
        )

    def replace_chunks(
        self, articles: Sequence[Article], chunks: Sequence[Chunk], embeddings: Any,
        *, new: frozenset[str] = frozenset(),
    ) -> None:
        """Drop every chunk of these articles, then add the new ones (each to its article's shard).

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
            self._shard(index).upsert(
                ids=[chunks[n].id for n in members],
                embeddings=vectors[members],
                documents=[chunks[n].text for n in members],
                metadatas=[chunks[n].metadata(by_id[chunks[n].article_id]) for n in members],
            )
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
            for i in range(0, len(ids), _GET_BATCH):
                col.delete(where={"article_id": {"$in": ids[i:i + _GET_BATCH]}})
            self._written.add(index)

    def _delete_everywhere(self, article_ids: list[str]) -> None:
        """Drop these articles' chunks from whichever shards hold some (shards holding none
        keep their state, so their lexical parts stay valid)."""
        if not article_ids or not self.exists():
            return
        for shard in self.list_shards():
            for i in range(0, len(article_ids), _GET_BATCH):
                got = shard.collection.get(where={"article_id": {"$in": article_ids[i:i + _GET_BATCH]}},
                                           include=[])
                if got["ids"]:
                    shard.collection.delete(ids=got["ids"])
                    self._written.add(shard.index)

    def commit(self, articles: Sequence[Article]) -> None:
        """Mark articles complete: from now on they are visible and skipped when unchanged."""
        if not articles:
            return
        for a in articles:
            a.status = "complete"
        self._touch_shards()
        # Metadata only: the pending record already carries the text.
        self.articles.update(ids=[a.id for a in articles], metadatas=[a.metadata() for a in articles])
        self._touch()

    def add_alias(self, article: Article, location: str) -> None:
        alias_id = location_id(location)
        if location not in article.aliases:
            article.aliases.append(location)
        self.articles.upsert(
            ids=[alias_id],
            embeddings=[_PLACEHOLDER],
            documents=[""],
            metadatas=[{"kind": "alias", "target": article.id, "location": location}],
        )
        self.articles.update(ids=[article.id], metadatas=[article.metadata()])

    def remove(self, article_id: str) -> Article:
        article = self.get_article(article_id)
        self.delete_chunks([article])
        self._touch_shards()
        alias_ids = [location_id(loc) for loc in article.aliases]
        self.articles.delete(ids=[article_id, *alias_ids])
        self._touch()
        return article

    def recover(self) -> list[str]:
        """Remove what an interrupted ingest left half-written; return the article ids.

        Called at the start of every ingest, it also re-reads how full the newest shard is.
        """
        self._newest = None
        if not self.exists():
            return []
        got = self.articles.get(where={"status": "pending"}, include=["metadatas"])
        ids = list(got["ids"])
        if ids:
            self.delete_chunks([Article.from_record(i, m) for i, m in zip(ids, got["metadatas"])])
            self._touch_shards()
            self.articles.delete(ids=ids)
            self._touch()
        return ids
