"""The index definition: how articles and chunks live in Chroma.

A store is two Chroma collections:

* ``<name>`` holds chunks: the chunk text, its embedding, and metadata
  (``article_id``, ``chunk_index``, ``start``/``end`` character span in the
  article text, ``title``, ``source``, ``published``, ``published_ts``).
  The collection metadata records the embedding model and vector size.
* ``<name>__articles`` holds one record per article (the full text as the
  document, its metadata, ``status`` pending/complete) and one record per
  alias (another path or URL that carried the same text).  Its vectors are a
  one-dimensional placeholder: it is looked up by id and metadata only.

Ingest writes an article in three steps (record marked pending, chunks
replaced, record marked complete), so a crash leaves at worst a pending
record, which :meth:`Store.recover` removes with its chunks.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from .errors import ModelMismatchError, NotFoundError, StoreError, StoreLockedError

SCHEMA_VERSION = 1
_PLACEHOLDER = [0.0]
_GET_BATCH = 500


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


class Store:
    """Articles and chunks in Chroma, for one embedding model."""

    def __init__(self, client: Any, collection: str, model_name: str):
        self.client = client
        self.collection_name = collection
        self.model_name = model_name
        self._chunks: Any = None
        self._articles: Any = None

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

    def create(self, dimension: int) -> None:
        """Create the collections if they are missing (writers only)."""
        if self.chunks_or_none() is None:
            self._chunks = self.client.get_or_create_collection(
                self.collection_name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={
                    "newsbot_model": self.model_name,
                    "newsbot_dim": dimension,
                    "newsbot_schema": SCHEMA_VERSION,
                },
            )
            self._check_model(self._chunks.metadata or {})
        stored_dim = (self._chunks.metadata or {}).get("newsbot_dim")
        if stored_dim is not None and int(stored_dim) != dimension:
            raise ModelMismatchError(
                f"collection {self.collection_name!r} holds {stored_dim}-dimensional vectors but "
                f"the model {self.model_name!r} makes {dimension}-dimensional ones; rebuild the store"
            )
        self._articles = self.client.get_or_create_collection(
            f"{self.collection_name}__articles", embedding_function=None
        )

    @property
    def chunks(self) -> Any:
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

    # -- reading ---------------------------------------------------------
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
        col = self.chunks_or_none()
        return 0 if col is None else col.count()

    def state_token(self) -> str:
        """A short string that changes whenever any process writes to the store.

        Readers use it to tell whether what they derived from the store (the
        lexical index) is still current, without reading every record.
        """
        col = self._existing(self.collection_name)  # fresh metadata; cheap at any size
        if col is None:
            return "empty"
        return str((col.metadata or {}).get("newsbot_state", "new"))

    def _touch(self) -> None:
        """Record that the store changed (a new state token)."""
        fresh = self._existing(self.collection_name)
        if fresh is None:
            return
        meta = dict(fresh.metadata or {})
        meta["newsbot_state"] = uuid.uuid4().hex[:16]
        fresh.modify(metadata=meta)

    # -- writing (callers hold the write lock) ---------------------------
    def begin(self, articles: Sequence[Article]) -> None:
        """Mark articles as being written (pending), with their new text."""
        if not articles:
            return
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
        """Drop every chunk of these articles, then add the new ones.

        Articles in ``new`` had no record before this write, so they have no
        chunks to drop (a record always goes in before its chunks, and
        :meth:`recover` clears the chunks of any record left pending).
        """
        by_id = {a.id: a for a in articles}
        self.delete_chunks([i for i in by_id if i not in new])
        if not chunks:
            return
        self.chunks.upsert(
            ids=[c.id for c in chunks],
            embeddings=embeddings,
            documents=[c.text for c in chunks],
            metadatas=[c.metadata(by_id[c.article_id]) for c in chunks],
        )

    def delete_chunks(self, article_ids: Sequence[str]) -> None:
        if not article_ids:
            return
        for i in range(0, len(article_ids), _GET_BATCH):
            self.chunks.delete(where={"article_id": {"$in": list(article_ids[i:i + _GET_BATCH])}})

    def commit(self, articles: Sequence[Article]) -> None:
        """Mark articles complete: from now on they are visible and skipped when unchanged."""
        if not articles:
            return
        for a in articles:
            a.status = "complete"
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
        self.delete_chunks([article_id])
        alias_ids = [location_id(loc) for loc in article.aliases]
        self.articles.delete(ids=[article_id, *alias_ids])
        self._touch()
        return article

    def recover(self) -> list[str]:
        """Remove what an interrupted ingest left half-written; return the article ids."""
        if not self.exists():
            return []
        got = self.articles.get(where={"status": "pending"}, include=[])
        ids = list(got["ids"])
        if ids:
            self.delete_chunks(ids)
            self.articles.delete(ids=ids)
            self._touch()
        return ids
