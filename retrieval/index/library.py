"""The stored articles as the apps see them: listings, lookups and removal.

The CLI's ``docs`` commands, the REPL, the Discord bot and the web API list and
show articles through a :class:`Library`, built once by the composition root,
rather than through the store itself: they get typed articles and never the
collections, the shards or the write protocol.
"""

from __future__ import annotations

from retrieval.index.records import Article
from retrieval.index.store import Store


class Library:
    """The complete articles of one store, newest first."""

    def __init__(self, store: Store):
        self._store = store

    def articles(self) -> list[Article]:
        """Every complete article (without its text), newest first, then by title."""
        return self._store.list_articles()

    def publishers(self) -> list[str]:
        """The publishers the stored articles name, sorted case-insensitively."""
        return sorted({a.source for a in self.articles() if a.source}, key=str.casefold)

    def resolve(self, id_or_prefix: str) -> str:
        """The full id of the article ``id_or_prefix`` names (an id, or a unique prefix of one);
        :class:`NotFoundError` naming it when none or several match."""
        return self._store.resolve_id(id_or_prefix)

    def article(self, article_id: str) -> Article:
        """One article by its full id, with its text."""
        return self._store.get_article(article_id)

    def find(self, id_or_prefix: str) -> Article:
        """One article by id or unique prefix, with its text."""
        return self.article(self.resolve(id_or_prefix))

    def chunk_count(self) -> int:
        """The number of chunks stored (of every article, complete or not)."""
        return self._store.chunk_count()

    def remove(self, article_id: str) -> Article:
        """Remove an article with its chunks and aliases (the caller holds the write lock)."""
        return self._store.remove(article_id)
