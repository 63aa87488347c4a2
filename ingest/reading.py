"""What every reader shares: its options, where some bytes came from, and its log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, Callable

from ingest.fetch import Fetcher, printable


@dataclass
class ReaderOptions:
    """How sources are read.

    ``fetcher`` is used for URL specs (a default :class:`Fetcher` when
    ``None``) and, only when set, to fetch the full page of feed entries that
    carry just a summary.  ``stdin`` is the stream ``-`` reads,
    ``sys.stdin.buffer`` when ``None``.  Titles longer than
    ``max_title_chars`` are cut, and a JSON file or feed yields at most
    ``max_records`` articles; either cut is a warning.
    """

    max_bytes: int = 20_000_000
    allow_urls: bool = True
    fetcher: Fetcher | None = None
    stdin: BinaryIO | None = None
    max_title_chars: int = 300
    max_records: int = 10_000


@dataclass
class Origin:
    """Where some bytes came from.

    ``location`` becomes :attr:`RawArticle.location` and names the source in
    errors; ``charset`` is one declared by a web server.
    """

    location: str
    path: str | None = None
    url: str | None = None
    charset: str | None = None


@dataclass
class Skipped:
    """A file a folder walk passed over, and why."""

    path: str
    reason: str


@dataclass
class ReadLog:
    """What reading noticed besides articles and errors.

    ``warnings`` concern a whole source (a JSON file cut short, a feed whose
    encoding was guessed), one line each, naming it; ``skipped`` lists the
    files of a folder that are not articles.  ``on_skip`` hears of each
    skipped file as it is found; ``on_more`` hears, after each source, how
    many more results (articles and errors) it gave than the one
    :func:`ingest.readers.count_hint` counted for it.
    """

    warnings: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    on_skip: Callable[[Skipped], None] | None = None
    on_more: Callable[[int], None] | None = None

    def warn(self, source: str, message: str) -> None:
        self.warnings.append(f"{printable(source)}: {message}")

    def skip(self, skipped: Skipped) -> None:
        self.skipped.append(skipped)
        if self.on_skip:
            self.on_skip(skipped)

    def more(self, results: int) -> None:
        if results and self.on_more:
            self.on_more(results)
