"""Reading ingest sources into :class:`RawArticle` objects.

A *spec* is what the user named: a file, a folder (read recursively), ``-``
for standard input, or an http(s) URL.  :func:`iter_articles` turns specs into
articles and, for every source that cannot be read, a :class:`SourceError`
object: errors are yielded, not raised, so that one bad file does not stop an
ingest of a thousand good ones.

Formats: plain text and Markdown (with optional front matter), HTML (main text
and metadata by trafilatura), JSON and JSON Lines records, and RSS/Atom feeds
(by feedparser; an entry that only carries a summary gets its linked page
fetched when a fetcher is configured).
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

import feedparser

from ingest.fetch import Fetcher, FetchResult, format_size_limit, printable
from ingest.html import extract_page, html_to_text
from ingest.types import RawArticle
from retrieval.errors import SourceError

# File extensions read inside folders, and the format each one means.
_KINDS = {
    ".txt": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
}

# Media types that decide the format of a fetched URL; others are sniffed.
_CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "text/markdown": "text",
}

# A feed entry whose content is shorter than this is treated as a summary,
# and its linked page is fetched when possible.
_FULL_TEXT_MIN_CHARS = 400

# A first line longer than this is a paragraph, not a title.
_MAX_TITLE_CHARS = 200

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FRONT_MATTER_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_FEED_TAG = re.compile(r"<(rss|feed|rdf:rdf)[\s>]")
_HTML_TAG = re.compile(r"<(!doctype\s+html|html)[\s>]")

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

# Date-only formats tried after ISO 8601 and RFC 2822.
_DATE_FORMATS = ("%Y/%m/%d", "%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y")


@dataclass
class ReaderOptions:
    """How sources are read.

    ``fetcher`` is used for URL specs (a default :class:`Fetcher` when
    ``None``) and, only when set, to fetch the full page of feed entries that
    carry just a summary.  ``stdin`` is the stream ``-`` reads,
    ``sys.stdin.buffer`` when ``None``.
    """

    max_bytes: int = 20_000_000
    allow_urls: bool = True
    fetcher: Fetcher | None = None
    stdin: BinaryIO | None = None


@dataclass
class _Origin:
    """Where some bytes came from.

    ``location`` becomes :attr:`RawArticle.location` and names the source in
    errors; ``charset`` is one declared by a web server.
    """

    location: str
    path: str | None = None
    url: str | None = None
    charset: str | None = None


def iter_articles(specs: Sequence[str], options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """Read every spec; yield its articles, and a SourceError per bad source.

    Nothing but the yielded errors comes out of bad input: every failure of a
    source, expected or not, becomes a :class:`SourceError` naming it.
    """
    for spec in specs:
        for result in _guarded(spec, _read_spec(spec, options)):
            yield _printable_error(result) if isinstance(result, SourceError) else result


def count_hint(specs: Sequence[str]) -> int:
    """A cheap estimate of the number of sources (files, URLs, stdin) in specs.

    Meant for a progress bar: a JSON file or a feed counts as one source even
    though it may hold many articles.
    """
    total = 0
    for spec in specs:
        try:
            is_dir = spec != "-" and not _URL_SCHEME.match(spec) and Path(os.path.expanduser(spec)).is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            total += sum(1 for found in _walk(Path(os.path.expanduser(spec))) if isinstance(found, Path))
        else:
            total += 1
    return total


def _printable_error(error: SourceError) -> SourceError:
    """``error`` itself, or a copy whose message shows control characters escaped.

    A file name may hold a newline; the message of an error must stay one line.
    """
    if str(error).isprintable():
        return error
    return type(error)(printable(error.source), printable(error.reason))


def _guarded(source: str, articles: Iterator[RawArticle | SourceError]) -> Iterator[RawArticle | SourceError]:
    """Pass ``articles`` on, turning any exception into a SourceError."""
    try:
        yield from articles
    except SourceError as error:
        yield error
    except Exception as error:  # noqa: BLE001 - the safety net for parser bugs
        yield SourceError(source, f"could not be read ({type(error).__name__})")


def _read_spec(spec: str, options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """Dispatch one spec to the reader for stdin, a URL, a folder or a file."""
    if spec == "-":
        yield from _read_stdin(options)
        return
    if _URL_SCHEME.match(spec):
        scheme = spec.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise SourceError(spec, f"unsupported URL scheme {scheme!r} (only http and https)")
        yield from _read_url(spec, options)
        return
    path = Path(os.path.expanduser(spec))
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except OSError as error:
        raise SourceError(spec, _os_reason(error)) from None
    if is_dir:
        for found in _walk(path):
            if isinstance(found, SourceError):
                yield found
            else:
                yield from _read_file(found, options, explicit=False)
    else:
        yield from _read_file(path, options, explicit=True)


def _walk(directory: Path) -> Iterator[Path | SourceError]:
    """Readable files under ``directory``, recursively, in name order.

    Hidden files and folders and files of unknown extensions are skipped;
    symbolic links to folders are not followed (they could loop).
    """
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as error:
        yield SourceError(os.path.abspath(directory), _os_reason(error))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path))
            elif entry.is_file() and Path(entry.name).suffix.lower() in _KINDS:
                yield Path(entry.path)
        except OSError:
            continue  # vanished or unreadable entry: nothing to read there


def _read_file(path: Path, options: ReaderOptions, explicit: bool) -> Iterator[RawArticle | SourceError]:
    """Read one file; one of unknown extension only when named explicitly."""
    location = os.path.abspath(path)
    kind = _KINDS.get(path.suffix.lower())
    if kind is None and not explicit:
        return
    yield from _guarded(location, _parse_file(path, location, kind or "text", options))


def _parse_file(path: Path, location: str, kind: str, options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """Read a file of format ``kind`` and parse it."""
    data = _read_bytes(path, location, options.max_bytes)
    yield from _parse(kind, data, _Origin(location=location, path=location), options)


def _read_bytes(path: Path, location: str, max_bytes: int) -> bytes:
    """The content of a regular file, its size checked before reading."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(location, "not a regular file")
        if info.st_size > max_bytes:
            raise SourceError(location, f"larger than the {format_size_limit(max_bytes)} limit")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise SourceError(location, _os_reason(error)) from None
    if len(data) > max_bytes:  # the file grew since stat
        raise SourceError(location, f"larger than the {format_size_limit(max_bytes)} limit")
    return data


def _read_stdin(options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """Read standard input and sniff its format."""
    stream = options.stdin if options.stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise SourceError("stdin", "there is no standard input")
    try:
        data = stream.read(options.max_bytes + 1)
    except (OSError, ValueError) as error:
        raise SourceError("stdin", f"could not be read ({_one_line(error)})") from None
    if len(data) > options.max_bytes:
        raise SourceError("stdin", f"larger than the {format_size_limit(options.max_bytes)} limit")
    location = "stdin:" + hashlib.sha256(data).hexdigest()[:16]
    yield from _parse("sniff", data, _Origin(location=location), options)


def _read_url(url: str, options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """Fetch a URL; its content type, or sniffing, decides the format."""
    if not options.allow_urls:
        raise SourceError(url, "URL fetching is disabled ([ingest] allow_urls)")
    fetcher = options.fetcher or Fetcher(max_bytes=options.max_bytes)
    result = fetcher.fetch(url)
    origin = _Origin(location=url, url=result.url, charset=result.charset)
    kind = _CONTENT_TYPES.get(result.content_type or "", "sniff")
    yield from _parse(kind, result.content, origin, options)


def _parse(kind: str, data: bytes, origin: _Origin, options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """Turn ``data`` of format ``kind`` (or ``"sniff"``) into articles."""
    if not data.strip():
        raise SourceError(origin.location, "is empty")
    if _looks_binary(data):
        raise SourceError(origin.location, "is a binary file, not text")
    if kind == "feed":
        yield from _feed_articles(data, origin, options)
        return
    declared = origin.charset
    if declared is None and kind in ("html", "sniff"):
        declared = _meta_charset(data)
    text, warnings = _decode(data, declared)
    if kind == "sniff":
        kind = _sniff(text)
    if kind == "feed":
        yield from _feed_articles(data, origin, options)
    elif kind == "html":
        yield _html_article(text, origin, warnings)
    elif kind in ("json", "jsonl"):
        yield from _json_articles(text, origin, warnings, lines=kind == "jsonl")
    else:
        yield _text_article(text, origin, warnings)


# --- bytes to text ----------------------------------------------------------


def _looks_binary(data: bytes) -> bool:
    """Whether ``data`` is binary: a NUL byte, or many control characters."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f\v\x1b\x08")
    return controls > len(sample) * 0.1


def _decode(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Decode text: the declared charset, else UTF-8, else cp1252, else lossy.

    Returns the text and the warnings to attach to its articles.
    """
    if declared:
        try:
            return data.decode(declared).lstrip("\ufeff"), []
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), ["not valid UTF-8; decoded as cp1252"]
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), ["not valid UTF-8; undecodable bytes replaced"]


def _meta_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _sniff(text: str) -> str:
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


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- plain text and Markdown ------------------------------------------------


def _text_article(text: str, origin: _Origin, warnings: list[str]) -> RawArticle:
    """A text or Markdown article: front matter, else the first line, is the title.

    The body is kept verbatim apart from line endings and surrounding blank
    space, since answers quote it.
    """
    meta, body = _split_front_matter(_normalize_newlines(text))
    body = body.strip()
    if not body:
        raise SourceError(origin.location, "is empty" if not meta else "has front matter but no text")
    title = meta.get("title")
    if not title:
        title, body = _title_from_body(body)
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


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
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


def _title_from_body(body: str) -> tuple[str, str]:
    """Take the title from the first line of ``body``; return it and the text.

    A lone line is both title and text; a first line too long to be a title
    stays in the text and a shortened copy of it becomes the title.
    """
    first, _, rest = body.partition("\n")
    first = first.strip()
    title = _MARKDOWN_HEADING.sub("", first).strip() or first
    if len(title) > _MAX_TITLE_CHARS:
        return _shorten(title), body
    rest = rest.strip()
    return title, rest or body


def _shorten(line: str, limit: int = 120) -> str:
    """``line`` cut at a word boundary to about ``limit`` characters."""
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip() + "…"


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


def _json_articles(
    text: str, origin: _Origin, warnings: list[str], lines: bool
) -> Iterator[RawArticle | SourceError]:
    """One article per record; a bad record is an error of its own."""
    records: list[Any] = []
    if lines:
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except (ValueError, RecursionError) as error:
                reason = getattr(error, "msg", "nested too deeply")
                records.append(SourceError(f"{origin.location}#{len(records)}", f"line {number} is not valid JSON ({reason})"))
    else:
        records = _json_records(text, origin)
    if not records:
        raise SourceError(origin.location, "holds no articles")
    for index, record in enumerate(records):
        if isinstance(record, SourceError):
            yield record
            continue
        try:
            yield _json_article(record, index, origin, warnings)
        except SourceError as error:
            yield error


def _json_records(text: str, origin: _Origin) -> list[Any]:
    """The records of a JSON document: an object, a list, or ``{"articles": [...]}``."""
    try:
        data = json.loads(text)
    except ValueError as error:
        reason = f"{error.msg} at line {error.lineno}" if isinstance(error, json.JSONDecodeError) else _one_line(error)
        raise SourceError(origin.location, f"not valid JSON ({reason})") from None
    except RecursionError:
        raise SourceError(origin.location, "not valid JSON (nested too deeply)") from None
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        return data["articles"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise SourceError(origin.location, 'JSON must be an object, a list of objects or {"articles": [...]}')


def _json_article(record: Any, index: int, origin: _Origin, warnings: list[str]) -> RawArticle:
    """One JSON record as an article; located by its url, else ``source#index``."""
    record_location = f"{origin.location}#{index}"
    if not isinstance(record, dict):
        raise SourceError(record_location, "record is not a JSON object")
    text = _first_text(record, ("text", "body", "content"))
    if not text:
        raise SourceError(record_location, "record has no text (expected text, body or content)")
    url = _field(record, ("url", "link"))
    return RawArticle(
        text=text,
        title=_field(record, ("title", "headline")) or _title_from_body(text)[0],
        location=url or record_location,
        source=_field(record, ("source", "publisher")),
        published=normalize_date(_first(record, ("published", "date", "published_at"))),
        author=_field(record, ("author", "authors")),
        url=url or origin.url,
        path=origin.path,
        warnings=list(warnings),
    )


def _first(record: dict, keys: Sequence[str]) -> Any:
    """The value of the first of ``keys`` that is present and not empty."""
    for key in keys:
        if record.get(key) not in (None, "", []):
            return record[key]
    return None


def _first_text(record: dict, keys: Sequence[str]) -> str | None:
    """The body text: a string, or a list of paragraph strings."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, list) and all(isinstance(part, str) for part in value):
            value = "\n\n".join(part.strip() for part in value if part.strip())
        if isinstance(value, str) and value.strip():
            return _normalize_newlines(value).strip()
    return None


def _field(record: dict, keys: Sequence[str]) -> str | None:
    """A metadata field as one string (lists joined, ``{"name": ...}`` unwrapped)."""
    return _as_text(_first(record, keys))


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return _as_text(value.get("name"))
    if isinstance(value, list):
        names = [name for name in map(_as_text, value) if name]
        return ", ".join(names) or None
    return None


# --- RSS and Atom feeds -----------------------------------------------------


def _feed_articles(data: bytes, origin: _Origin, options: ReaderOptions) -> Iterator[RawArticle | SourceError]:
    """One article per feed entry; an entry that fails is an error of its own."""
    headers = {"content-location": origin.url} if origin.url else {}
    if origin.charset:
        headers["content-type"] = f"application/xml; charset={origin.charset}"
    # A stream, so that feedparser never treats the content as a URL or path.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    if not parsed.entries:
        if parsed.bozo:
            reason = _one_line(parsed.get("bozo_exception", "malformed"))
            raise SourceError(origin.location, f"not a valid RSS or Atom feed ({reason})")
        if not parsed.get("version"):
            raise SourceError(origin.location, "not an RSS or Atom feed")
        return
    feed_title = _as_text(parsed.feed.get("title"))
    for index, entry in enumerate(parsed.entries):
        link = _as_text(entry.get("link"))
        location = link or _as_text(entry.get("id")) or f"{origin.location}#{index}"
        try:
            yield _feed_entry_article(entry, location, link, feed_title, origin, options)
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
    published = _entry_published(entry)
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


def _entry_published(entry: Any) -> str | None:
    """An entry's publication (else update) time in ISO 8601."""
    for parsed_key, raw_key in (("published_parsed", "published"), ("updated_parsed", "updated")):
        published = normalize_date(entry.get(parsed_key)) or normalize_date(entry.get(raw_key))
        if published:
            return published
    return None


# --- dates and small helpers ------------------------------------------------


def normalize_date(value: Any) -> str | None:
    """``value`` as an ISO 8601 date or datetime, or ``None`` if unparseable.

    Accepts ISO 8601, RFC 2822 (``Tue, 05 Mar 2024 10:00:00 GMT``), a few
    common spelled-out forms, :class:`datetime`/:class:`date` objects and UTC
    :class:`time.struct_time` values as feedparser returns them.
    """
    if isinstance(value, time.struct_time):
        try:
            return datetime(*value[:6], tzinfo=timezone.utc).isoformat()
        except (ValueError, OverflowError):
            return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    for parse in (date.fromisoformat, datetime.fromisoformat, email.utils.parsedate_to_datetime):
        try:
            parsed = parse(value)
        except (ValueError, TypeError, IndexError, OverflowError):
            continue
        if parsed is not None:
            return parsed.isoformat()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _os_reason(error: OSError) -> str:
    """A short reason for a failed file operation."""
    if isinstance(error, FileNotFoundError):
        return "no such file or directory"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, IsADirectoryError):
        return "is a directory"
    return f"could not be read ({_one_line(error.strerror or error)})"


def _one_line(reason: object) -> str:
    """``reason`` as one short line."""
    return " ".join(str(reason).split())[:200]
