"""Reading the article registry: articles and aliases as typed records.

The registry is the store's ``<name>__articles`` collection (see
:mod:`retrieval.index.store`); this is the reading half of
:class:`retrieval.index.store.Store` for it.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from retrieval.common.errors import NotFoundError
from retrieval.index.records import Alias, Article, record_from

_GET_BATCH = 500


class StoreRecords:
    """Articles, aliases and texts by id, by content hash, or all of them."""

    # provided by Store: the article collection, and exists()
    _articles: Any

    def _metas(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Raw registry metadata by id (missing ids are left out)."""
        if not ids or not self.exists():
            return {}
        found: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), _GET_BATCH):
            got = self._articles.get(ids=list(ids[i:i + _GET_BATCH]), include=["metadatas"])
            found.update(zip(got["ids"], got["metadatas"]))
        return found

    def records(self, ids: Sequence[str]) -> dict[str, Article | Alias]:
        """Articles (any status, without their text) and aliases by id (missing ids left out)."""
        typed = {i: record_from(i, meta) for i, meta in self._metas(ids).items()}
        return {i: record for i, record in typed.items() if record is not None}

    def complete_ids(self, ids: Iterable[str]) -> set[str]:
        """Those of ``ids`` that are complete articles (not pending, removed or aliases)."""
        found = self._metas(list(ids))
        return {i for i, m in found.items() if m.get("kind") == "article" and m.get("status") == "complete"}

    def by_hash(self, hashes: Iterable[str]) -> dict[str, Article]:
        """Complete articles by content hash."""
        hashes = list(dict.fromkeys(hashes))
        if not hashes or not self.exists():
            return {}
        found: dict[str, Article] = {}
        for i in range(0, len(hashes), _GET_BATCH):
            got = self._articles.get(
                where={"content_hash": {"$in": hashes[i:i + _GET_BATCH]}}, include=["metadatas"]
            )
            for id_, meta in zip(got["ids"], got["metadatas"]):
                if meta.get("kind") == "article" and meta.get("status") == "complete":
                    found.setdefault(meta["content_hash"], Article.from_record(id_, meta))
        return found

    def list_articles(self) -> list[Article]:
        if not self.exists():
            return []
        got = self._articles.get(
            where={"$and": [{"kind": "article"}, {"status": "complete"}]}, include=["metadatas"]
        )
        arts = [Article.from_record(i, m) for i, m in zip(got["ids"], got["metadatas"])]
        return sorted(arts, key=lambda a: (a.published or "", a.title), reverse=True)

    def resolve_id(self, prefix: str) -> str:
        """A full article id from an id or a unique prefix of one."""
        if len(prefix) >= 20 and self._metas([prefix]).get(prefix, {}).get("kind") == "article":
            return prefix
        matches = [a.id for a in self.list_articles() if a.id.startswith(prefix)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no article with id {prefix!r}; `newsbot docs list` shows the ids")
        raise NotFoundError(f"the id {prefix!r} is ambiguous: it starts {len(matches)} article ids")

    def get_article(self, article_id: str) -> Article:
        got = self._articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"] or got["metadatas"][0].get("kind") != "article":
            raise NotFoundError(f"no article with id {article_id!r}")
        return Article.from_record(article_id, got["metadatas"][0], got["documents"][0])

    def articles_with_text(self, ids: Sequence[str]) -> dict[str, Article]:
        """Several articles with their full text, by id (ids that are no article, or whose text
        is empty, left out)."""
        if not ids:
            return {}
        got = self._articles.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: Article.from_record(i, meta, text)
                for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
                if meta.get("kind") == "article" and text}

    def article_texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The full stored text of several articles."""
        if not ids:
            return {}
        got = self._articles.get(ids=list(dict.fromkeys(ids)), include=["documents"])
        return dict(zip(got["ids"], got["documents"]))
