"""What the readers hand to the ingest pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawArticle:
    """One article as read from a source, before chunking.

    ``location`` identifies where the article came from (an absolute path, a
    URL, ``path#record`` for one record of a JSON file, ``stdin:<hash>``); the
    article id is derived from it, so the same location always maps to the
    same stored article.
    """

    text: str
    title: str
    location: str
    source: str | None = None
    published: str | None = None
    author: str | None = None
    url: str | None = None
    path: str | None = None
    warnings: list[str] = field(default_factory=list)
