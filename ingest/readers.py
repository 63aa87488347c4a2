"""Reading ingest sources into :class:`RawArticle` objects.

A *spec* is what the user named: a file, a folder (read recursively), ``-``
for standard input, or an http(s) URL.  :func:`iter_articles` turns specs into
articles and, for every source that cannot be read, a :class:`SourceError`
object: errors are yielded, not raised, so that one bad file does not stop an
ingest of a thousand good ones.  What reading notices besides (files a folder
walk skips, a source cut short, a guessed encoding) goes to a :class:`ReadLog`.

This module finds the sources and reads their bytes (a file's extension or a
URL's media type names the format); :mod:`ingest.formats` turns the bytes into
articles: plain text and Markdown (with optional front matter, see
:mod:`ingest.text`), HTML (main text and metadata by trafilatura), JSON and
JSON Lines records (:mod:`ingest.records`), and RSS, Atom and JSON Feed feeds
(:mod:`ingest.feeds`; an entry that only carries a summary gets its linked
page fetched when a fetcher is configured).  Bytes become text in
:mod:`ingest.decoding`.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from ingest.dates import normalize_date
from ingest.fetch import Fetcher, format_size_limit, printable
from ingest.formats import parse
from ingest.html import html_to_text
from ingest.meta import as_data
from ingest.reading import Origin as _Origin
from ingest.reading import ReaderOptions, ReadLog, Skipped
from ingest.text import capped_title
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

__all__ = ["ReadLog", "ReaderOptions", "Skipped", "count_hint", "html_to_text", "iter_articles", "normalize_date"]

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
    "application/feed+json": "json",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "text/markdown": "text",
}

_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def iter_articles(
    specs: Sequence[str], options: ReaderOptions, log: ReadLog | None = None
) -> Iterator[RawArticle | SourceError]:
    """Read every spec; yield its articles, and a SourceError per bad source.

    Nothing but the yielded errors comes out of bad input: every failure of a
    source, expected or not, becomes a :class:`SourceError` naming it.
    Warnings about whole sources and skipped files go to ``log``.
    """
    log = log if log is not None else ReadLog()
    for spec in specs:
        for result in _guarded(spec, _read_spec(spec, options, log)):
            if isinstance(result, SourceError):
                yield _printable_error(result)
            else:
                yield capped_title(as_data(result), options.max_title_chars)


def count_hint(specs: Sequence[str]) -> int:
    """A cheap estimate of the number of sources (files, URLs, stdin) in specs.

    Meant for a progress bar: a JSON file or a feed counts as one source even
    though it may hold many articles (:attr:`ReadLog.on_more` corrects it).
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


def _counted(results: Iterator[RawArticle | SourceError], log: ReadLog) -> Iterator[RawArticle | SourceError]:
    """Pass on the results of one source (which count_hint counts as one), telling ``log`` how many more came."""
    count = 0
    for result in results:
        count += 1
        yield result
    log.more(count - 1)


def _read_spec(spec: str, options: ReaderOptions, log: ReadLog) -> Iterator[RawArticle | SourceError]:
    """Dispatch one spec to the reader for stdin, a URL, a folder or a file."""
    if spec == "-":
        yield from _counted(_guarded("stdin", _read_stdin(options, log)), log)
        return
    if _URL_SCHEME.match(spec):
        scheme = spec.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise SourceError(spec, f"unsupported URL scheme {scheme!r} (only http and https)")
        yield from _counted(_guarded(spec, _read_url(spec, options, log)), log)
        return
    path = Path(os.path.expanduser(spec))
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except OSError as error:
        raise SourceError(spec, _os_reason(error)) from None
    if not is_dir:
        yield from _counted(_read_file(path, options, log, explicit=True), log)
        return
    for found in _walk(path):
        if isinstance(found, Skipped):
            log.skip(found)
        elif isinstance(found, SourceError):
            log.more(1)  # a folder that could not be listed: not counted by count_hint
            yield found
        else:
            yield from _counted(_read_file(found, options, log, explicit=False), log)


def _walk(directory: Path) -> Iterator[Path | SourceError | Skipped]:
    """Files under ``directory``, recursively, in name order, and those skipped.

    Hidden files and folders are passed over in silence; files of unknown
    extensions and special files come out as :class:`Skipped`.  Symbolic
    links to folders are not followed (they could loop).
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
            elif not entry.is_file():
                yield Skipped(printable(os.path.abspath(entry.path)), "not a regular file")
            elif (suffix := Path(entry.name).suffix.lower()) in _KINDS:
                yield Path(entry.path)
            else:
                kind = f"{suffix} files" if suffix else "files without an extension"
                yield Skipped(printable(os.path.abspath(entry.path)), f"not read: {kind} are not an article format")
        except OSError:
            continue  # vanished or unreadable entry: nothing to read there


def _read_file(path: Path, options: ReaderOptions, log: ReadLog, explicit: bool) -> Iterator[RawArticle | SourceError]:
    """Read one file; one of unknown extension (sniffed) only when named explicitly."""
    location = os.path.abspath(path)
    kind = _KINDS.get(path.suffix.lower())
    if kind is None and not explicit:
        return
    yield from _guarded(location, _parse_file(path, location, kind or "sniff", options, log))


def _parse_file(path: Path, location: str, kind: str, options: ReaderOptions, log: ReadLog) -> Iterator[RawArticle | SourceError]:
    """Read a file of format ``kind`` and parse it."""
    data = _read_bytes(path, location, options.max_bytes)
    yield from parse(kind, data, _Origin(location=location, path=location), options, log)


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


def _read_stdin(options: ReaderOptions, log: ReadLog) -> Iterator[RawArticle | SourceError]:
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
    yield from parse("sniff", data, _Origin(location=location), options, log)


def _read_url(url: str, options: ReaderOptions, log: ReadLog) -> Iterator[RawArticle | SourceError]:
    """Fetch a URL; its content type, or sniffing, decides the format."""
    if not options.allow_urls:
        raise SourceError(url, "URL fetching is disabled ([ingest] allow_urls)")
    fetcher = options.fetcher or Fetcher(max_bytes=options.max_bytes)
    result = fetcher.fetch(url)
    origin = _Origin(location=url, url=result.url, charset=result.charset)
    kind = _CONTENT_TYPES.get(result.content_type or "", "sniff")
    yield from parse(kind, result.content, origin, options, log)


# --- small helpers ----------------------------------------------------------


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
