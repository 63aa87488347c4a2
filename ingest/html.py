"""The article inside an HTML page: its main text and metadata.

:func:`extract_page` is what the readers call for an HTML file, a fetched web
page or the page a feed entry links to; :func:`html_to_text` turns a small
HTML fragment (a feed summary) into plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import trafilatura

from retrieval.errors import SourceError


@dataclass
class ExtractedPage:
    """What was found in one page; ``published`` is the date as the page wrote it."""

    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None
    author: str | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)


def extract_page(html: str, location: str, url: str | None = None) -> ExtractedPage:
    """The main text and metadata of an HTML page, by trafilatura.

    Raises :class:`SourceError` naming ``location`` when the page holds no
    article text.
    """
    try:
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception:  # noqa: BLE001 - trafilatura raises many kinds on bad markup
        document = None
    text = _normalize_newlines(document.text or "").strip() if document is not None else ""
    if not text:
        raise SourceError(location, "no article text could be extracted from the HTML")
    return ExtractedPage(
        text=text,
        title=(document.title or "").strip() or None,
        source=document.sitename or None,
        published=document.date or None,
        author=document.author or None,
        url=document.url or None,
    )


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment, a line break at block edges."""

    _BLOCKS = frozenset(
        "address article aside blockquote br dd div dl dt figcaption footer h1 h2 h3 h4 h5 h6 "
        "header hr li main ol p pre section table td th tr ul".split()
    )
    _SKIPPED = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed summary): paragraphs kept apart."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
