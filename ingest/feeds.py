"""Feeds to entries: RSS and Atom (by feedparser) and JSON Feed.

This module turns a feed's bytes into :class:`Feed` entries, shaped as
feedparser shapes them (``title``, ``link``, ``id``, ``content``,
``summary``, ``published``, ``author``), and leaves making articles of them to
the readers.  Before feedparser sees a feed, its encoding is settled: a byte
order mark, a declared charset or UTF-8 is trusted, anything else is guessed
by charset-normalizer and transcoded, with a warning.  A feed that declares
its own XML entities is refused: entity expansion is how billion-laughs and
quadratic-blowup documents attack, and feedparser would store them as
garbage (``&lol9;``).
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser

from ingest.dates import normalize_date
from ingest.decoding import bom_encoding, codec_name, guess_encoding
from ingest.reading import Origin, ReadLog
from ingest.records import as_text
from retrieval.common.errors import SourceError

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*>")
_DECLARED_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_JSON_FEED_VERSION = "https://jsonfeed.org/version/"


@dataclass
class Feed:
    """A feed's title and entries (dict-like, as feedparser makes them)."""

    title: str | None
    entries: list[Any] = field(default_factory=list)


def parse_feed(data: bytes, origin: Origin, log: ReadLog) -> Feed:
    """The entries of an RSS or Atom feed; a SourceError saying what is wrong when it has none."""
    if _ENTITY_DECLARATION.search(data[:65536]) or _ENTITY_DECLARATION.search(_as_utf8(data)[:65536]):
        raise SourceError(origin.location, "refused: the feed declares its own XML entities (<!ENTITY>), "
                                           "as entity-expansion attacks do")
    headers = {"content-location": origin.url} if origin.url else {}
    guessed = None
    if origin.charset:
        headers["content-type"] = f"application/xml; charset={origin.charset}"
    elif bom_encoding(data) in ("utf-16", "utf-32"):
        data = _transcoded(data, bom_encoding(data))
    elif not _declared_encoding(data) and not _is_utf8(data) and (guessed := guess_encoding(data)):
        data = _transcoded(data, guessed)
    # A stream, so that feedparser never treats the content as a URL or path.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    encoding_only = isinstance(problem, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType))
    if not parsed.entries:
        described = f" (its encoding guessed as {codec_name(guessed)})" if guessed else ""
        if parsed.get("version"):
            raise SourceError(origin.location, f"the feed{described} holds no entries")
        if problem is not None and not encoding_only:
            raise SourceError(origin.location, f"not a valid RSS or Atom feed ({_one_line(problem)})")
        raise SourceError(origin.location, f"not an RSS or Atom feed: no <rss>, <feed> or <rdf:RDF> element{described}")
    if guessed:
        log.warn(origin.location, f"the feed declares no encoding and is not UTF-8; decoded as "
                                  f"{codec_name(guessed)} (guessed)")
    elif isinstance(problem, feedparser.CharacterEncodingOverride):
        log.warn(origin.location, f"feed encoding: {_one_line(problem)}")
    return Feed(as_text(parsed.feed.get("title")), list(parsed.entries))


def _as_utf8(data: bytes) -> bytes:
    """``data`` as UTF-8 when a UTF-16/32 byte order mark says how to read it, else as is."""
    encoding = bom_encoding(data)
    if encoding in ("utf-16", "utf-32"):
        return data.decode(encoding, errors="replace").encode("utf-8")
    return data


def _declared_encoding(data: bytes) -> str | None:
    declaration = _XML_DECLARATION.match(data[:1024])
    found = _DECLARED_ENCODING.search(declaration.group(0)) if declaration else None
    return found.group(1).decode("ascii") if found else None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _transcoded(data: bytes, encoding: str) -> bytes:
    """``data`` decoded from ``encoding`` as UTF-8, its XML declaration's encoding dropped."""
    text = data.decode(encoding, errors="replace").lstrip("\ufeff").encode("utf-8")
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        plain = _DECLARED_ENCODING.sub(b"", declaration.group(0))
        text = plain + text[declaration.end():]
    return text


def is_json_feed(document: Any) -> bool:
    """Whether a parsed JSON document is a JSON Feed (https://jsonfeed.org, version 1 or 1.1)."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("version"), str)
        and document["version"].startswith(_JSON_FEED_VERSION)
        and isinstance(document.get("items"), list)
    )


def json_feed(document: dict) -> Feed:
    """A JSON Feed's items as feedparser-like entries (items that are not objects are skipped)."""
    entries = [_json_feed_entry(item) for item in document["items"] if isinstance(item, dict)]
    return Feed(as_text(document.get("title")), entries)


def _json_feed_entry(item: dict) -> dict[str, Any]:
    """One JSON Feed item: ``content_html`` (else ``content_text``), ``summary``,
    ``date_published``/``date_modified`` and ``authors`` (1.1) or ``author`` (1)."""
    content = item.get("content_html") if isinstance(item.get("content_html"), str) else None
    if content is None and isinstance(item.get("content_text"), str):
        content = html.escape(item["content_text"]).replace("\n", "<br>")
    return {
        "title": item.get("title"),
        "link": item.get("url") or item.get("external_url"),
        "id": item.get("id"),
        "content": [{"value": content}] if content else [],
        "summary": item.get("summary") if isinstance(item.get("summary"), str) else "",
        "published": item.get("date_published"),
        "updated": item.get("date_modified"),
        "author": item.get("authors") or item.get("author"),
    }


def entry_published(entry: Any) -> str | None:
    """An entry's publication (else update) time in ISO 8601."""
    for parsed_key, raw_key in (("published_parsed", "published"), ("updated_parsed", "updated")):
        published = normalize_date(entry.get(parsed_key)) or normalize_date(entry.get(raw_key))
        if published:
            return published
    return None


def _one_line(reason: object) -> str:
    return " ".join(str(reason).split())[:200]
