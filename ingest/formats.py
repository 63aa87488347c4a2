"""One source's bytes into articles, by format.

:func:`parse` takes what a reader (:mod:`ingest.readers`) got from a file, standard
input or a URL, and the format its name or media type says (``"sniff"`` when
neither does), and yields its articles: plain text and Markdown (:mod:`ingest.text`),
an HTML page (:mod:`ingest.html`), JSON and JSON Lines records (:mod:`ingest.records`),
and the entries of RSS, Atom and JSON feeds (:mod:`ingest.feeds`), an entry with only
a summary getting its linked page fetched when a fetcher is configured.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ingest.dates import normalize_date
from ingest.decoding import decode as _decode
from ingest.decoding import looks_binary as _looks_binary
from ingest.decoding import meta_charset as _meta_charset
from ingest.feeds import Feed, entry_published, is_json_feed, json_feed, parse_feed
from ingest.fetch import Fetcher, FetchResult
from ingest.html import extract_page, html_to_text
from ingest.reading import Origin as _Origin
from ingest.reading import ReaderOptions, ReadLog
from ingest.records import as_text as _as_text
from ingest.records import capped, document_records, json_articles, line_records, load_json
from ingest.text import text_article
from ingest.text import title_from_body as _title_from_body
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

# A feed entry whose content is shorter than this is treated as a summary,
# and its linked page is fetched when possible.
_FULL_TEXT_MIN_CHARS = 400

_FEED_TAG = re.compile(r"<(rss|feed|rdf:rdf)[\s>]")
_HTML_TAG = re.compile(r"<(!doctype\s+html|html)[\s>]")


def parse(kind: str, data: bytes, origin: _Origin, options: ReaderOptions, log: ReadLog) -> Iterator[RawArticle | SourceError]:
    """Turn ``data`` of format ``kind`` (or ``"sniff"``) into articles."""
    if not data.strip():
        raise SourceError(origin.location, "is empty")
    if _looks_binary(data):
        raise SourceError(origin.location, "is a binary file, not text")
    if kind == "feed":
        yield from _feed_articles(parse_feed(data, origin, log), origin, options, log)
        return
    declared = origin.charset
    if declared is None and kind in ("html", "sniff"):
        declared = _meta_charset(data)
    text, warnings = _decode(data, declared)
    if not text.strip():
        raise SourceError(origin.location, "is empty")
    if kind == "sniff":
        kind = sniff(text)
    if kind == "feed":
        yield from _feed_articles(parse_feed(data, origin, log), origin, options, log)
    elif kind == "html":
        yield _html_article(text, origin, warnings)
    elif kind in ("json", "jsonl"):
        yield from _json_source(text, origin, warnings, kind == "jsonl", options, log)
    else:
        yield text_article(text, origin, warnings)


def sniff(text: str) -> str:
    """Guess the format of content that has no name: json, jsonl, feed, html or text."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        if _parses_as_json(stripped):
            return "json"
        if stripped.startswith("{") and _parses_as_json(stripped.split("\n", 1)[0]):
            return "jsonl"
        return "text"
    if stripped.startswith("<"):
        head = stripped[:4096].lower()
        feed, html = _FEED_TAG.search(head), _HTML_TAG.search(head)
        if feed and (not html or feed.start() < html.start()):
            return "feed"
        return "html"
    return "text"


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# --- HTML -------------------------------------------------------------------


def _html_article(html: str, origin: _Origin, warnings: list[str]) -> RawArticle:
    """The article of an HTML page (see :mod:`ingest.html`)."""
    page = extract_page(html, location=origin.location, url=origin.url)
    return RawArticle(
        text=page.text,
        title=page.title or _title_from_body(page.text)[0],
        location=origin.location,
        source=page.source,
        published=normalize_date(page.published),
        author=page.author,
        url=origin.url or page.url,
        path=origin.path,
        warnings=list(warnings) + page.warnings,
    )


# --- JSON and JSON Lines ----------------------------------------------------


def _json_source(
    text: str, origin: _Origin, warnings: list[str], lines: bool, options: ReaderOptions, log: ReadLog
) -> Iterator[RawArticle | SourceError]:
    """A JSON Feed's items, or one article per JSON (Lines) record."""
    if lines:
        records = line_records(text, origin, options.max_records, log)
    else:
        document = load_json(text, origin)
        if is_json_feed(document):
            yield from _feed_articles(json_feed(document), origin, options, log)
            return
        records = capped(document_records(document, origin), options.max_records, origin, log)
    if warnings and records:
        log.warn(origin.location, "; ".join(warnings))
    yield from json_articles(records, origin, [])


# --- feeds: entries to articles ---------------------------------------------


def _feed_articles(feed: Feed, origin: _Origin, options: ReaderOptions, log: ReadLog) -> Iterator[RawArticle | SourceError]:
    """One article per feed entry; an entry that fails is an error of its own."""
    if not feed.entries:
        raise SourceError(origin.location, "the feed holds no entries")
    for index, entry in enumerate(capped(feed.entries, options.max_records, origin, log, "entries")):
        link = _as_text(entry.get("link"))
        location = link or _as_text(entry.get("id")) or f"{origin.location}#{index}"
        try:
            yield _feed_entry_article(entry, location, link, feed.title, origin, options)
        except SourceError as error:
            yield error


def _feed_entry_article(
    entry: Any, location: str, link: str | None, feed_title: str | None, origin: _Origin, options: ReaderOptions
) -> RawArticle:
    """A feed entry as an article, with its linked page's text if the feed has only a summary."""
    content = html_to_text("\n".join(part.get("value", "") for part in entry.get("content", [])))
    summary = html_to_text(entry.get("summary", ""))
    text = content if len(content) >= len(summary) else summary
    title = _as_text(entry.get("title"))
    published = entry_published(entry)
    author = _as_text(entry.get("author"))
    warnings: list[str] = []
    fetch_failure = None
    fetchable = bool(link) and link.lower().startswith(("http://", "https://"))
    if len(content) < _FULL_TEXT_MIN_CHARS and fetchable and options.allow_urls and options.fetcher:
        try:
            page = _fetch_page(link, location, options.fetcher)
        except SourceError as error:
            fetch_failure = error.reason
        else:
            if len(page.text) > len(text):
                return RawArticle(
                    text=page.text,
                    title=title or page.title,
                    location=location,
                    source=feed_title or page.source,
                    published=published or page.published,
                    author=author or page.author,
                    url=link,
                    path=origin.path,
                    warnings=page.warnings,
                )
            fetch_failure = "the linked page has less text than the feed"
    if not text:
        reason = "feed entry has no text"
        raise SourceError(location, f"{reason}; linked page: {fetch_failure}" if fetch_failure else reason)
    if fetch_failure:
        warnings.append(f"full article not fetched ({fetch_failure}); using the feed's text")
    return RawArticle(
        text=text,
        title=title or _title_from_body(text)[0],
        location=location,
        source=feed_title,
        published=published,
        author=author,
        url=link,
        path=origin.path,
        warnings=warnings,
    )


def _fetch_page(url: str, location: str, fetcher: Fetcher) -> RawArticle:
    """Fetch the HTML page a feed entry links to and extract its article."""
    result: FetchResult = fetcher.fetch(url)
    if result.content_type not in (None, "text/html", "application/xhtml+xml"):
        raise SourceError(url, f"the linked page is {result.content_type}, not HTML")
    if _looks_binary(result.content):
        raise SourceError(url, "the linked page is binary, not HTML")
    html, warnings = _decode(result.content, result.charset or _meta_charset(result.content))
    return _html_article(html, _Origin(location=location, url=result.url), warnings)
