"""Plain text and Markdown articles: front matter, titles, and title length."""

from __future__ import annotations

import re

from ingest.dates import normalize_date
from ingest.decoding import normalize_newlines
from ingest.reading import Origin
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

# A first line longer than this is a paragraph, not a title.
_MAX_TITLE_CHARS = 200

_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")

# Front matter keys and the RawArticle field each one fills.
_FRONT_MATTER_KEYS = {
    "title": "title",
    "source": "source",
    "publisher": "source",
    "published": "published",
    "published_at": "published",
    "date": "published",
    "author": "author",
    "authors": "author",
    "url": "url",
    "link": "url",
}


def text_article(text: str, origin: Origin, warnings: list[str]) -> RawArticle:
    """A text or Markdown article: front matter, else the first line, is the title.

    The body is kept verbatim apart from line endings and surrounding blank
    space, since answers quote it.
    """
    meta, body = split_front_matter(normalize_newlines(text))
    body = body.strip()
    if not body:
        raise SourceError(origin.location, "is empty" if not meta else "has front matter but no text")
    title = meta.get("title")
    if not title:
        title, body = title_from_body(body)
    return RawArticle(
        text=body,
        title=title,
        location=origin.location,
        source=meta.get("source"),
        published=normalize_date(meta.get("published")),
        author=meta.get("author"),
        url=meta.get("url") or origin.url,
        path=origin.path,
        warnings=list(warnings),
    )


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split ``---``-fenced ``key: value`` front matter from the body.

    Returns the known fields found (keys as RawArticle fields) and the rest of
    the text.  Anything that is not simple front matter is left as body.
    """
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return meta, "\n".join(lines[number + 1:])
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FRONT_MATTER_LINE.match(line)
        if not match:
            return {}, text
        field = _FRONT_MATTER_KEYS.get(match.group(1).lower())
        value = _unquote(match.group(2).strip())
        if field and value and field not in meta:
            meta[field] = value
    return {}, text  # never closed: not front matter


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def title_from_body(body: str) -> tuple[str, str]:
    """Take the title from the first line of ``body``; return it and the text.

    A lone line is both title and text; a first line too long to be a title
    stays in the text and a shortened copy of it becomes the title.
    """
    first, _, rest = body.partition("\n")
    first = first.strip()
    title = _MARKDOWN_HEADING.sub("", first).strip() or first
    if len(title) > _MAX_TITLE_CHARS:
        return shorten(title), body
    rest = rest.strip()
    return title, rest or body


def shorten(line: str, limit: int = 120) -> str:
    """``line`` cut at a word boundary to about ``limit`` characters (``…`` included)."""
    if len(line) <= limit:
        return line
    cut = line[:limit - 1].rsplit(" ", 1)[0] or line[:limit - 1]
    return cut.rstrip() + "…"


def capped_title(article: RawArticle, limit: int) -> RawArticle:
    """``article`` with its title cut to ``limit`` characters, and a warning saying so."""
    if len(article.title) > limit:
        length = len(article.title)
        article.title = shorten(article.title, limit)
        article.warnings.append(f"title of {length:,} characters cut to {limit:,} ([ingest] max_title_chars)")
    return article
