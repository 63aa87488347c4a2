"""What the store holds: articles and their chunks, as typed records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple


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
    alias_sources: dict[str, str] = field(default_factory=dict)  # alias location -> its outlet
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
        if self.alias_sources:
            meta["alias_sources"] = json.dumps(self.alias_sources)
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
            alias_sources=json.loads(meta.get("alias_sources") or "{}"),
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


@dataclass(frozen=True)
class Alias:
    """Another path or URL that carried the same text as a stored article."""

    id: str
    target: str  # the id of the article it copies
    location: str


def record_from(id: str, meta: dict[str, Any]) -> Article | Alias | None:
    """The typed record for one entry of the article registry (None for a writer's heartbeat)."""
    kind = meta.get("kind")
    if kind == "alias":
        return Alias(id, meta.get("target", ""), meta.get("location", ""))
    if kind == "article":
        return Article.from_record(id, meta)
    return None


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as read back from the store: its text, its span and its article's details."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int
    title: str = ""
    source: str | None = None
    published: str | None = None
    published_ts: int | None = None

    @classmethod
    def from_record(cls, id: str, text: str | None, meta: dict[str, Any]) -> "StoredChunk":
        ts = meta.get("published_ts")
        return cls(
            id=id, article_id=meta["article_id"], index=int(meta.get("chunk_index", 0)), text=text or "",
            start=int(meta.get("start", 0)), end=int(meta.get("end", 0)), title=meta.get("title", ""),
            source=meta.get("source"), published=meta.get("published"),
            published_ts=None if ts is None else int(ts),
        )

    def metadata(self) -> dict[str, Any]:
        """The chunk's metadata as it is stored (fields without a value left out)."""
        meta: dict[str, Any] = {"article_id": self.article_id, "chunk_index": self.index,
                                "start": self.start, "end": self.end, "title": self.title}
        for key in ("source", "published", "published_ts"):
            value = getattr(self, key)
            if value is not None:
                meta[key] = value
        return meta


class Neighbour(NamedTuple):
    """A chunk near a query vector: its cosine distance, the shard holding it, its id."""

    distance: float
    shard: int
    chunk_id: str
