"""The article inside an HTML page: its main text and metadata.

:func:`extract_page` is what the readers call for an HTML file, a fetched web
page or the page a feed entry links to; :func:`html_to_text` turns a small
HTML fragment (a feed summary) into plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from trafilatura.utils import load_html

from ingest.meta import clean_field, is_person, split_people, strip_site_name
from ingest.pagemeta import PageMeta, read_page_meta
from retrieval.common.errors import SourceError

_HIDDEN_XPATH = (
    "//*[@hidden] | //*[@aria-hidden='true'] | //template | //noscript"
    " | //*[contains(translate(@style, 'DISPLAYNOEVIBTH ', 'displaynoevibth'), 'display:none')]"
    " | //*[contains(translate(@style, 'DISPLAYNOEVIBTH ', 'displaynoevibth'), 'visibility:hidden')]"
)
# Elements of the body short enough to be a byline.
_SHORT_TEXT_XPATH = (
    "//body//*[not(self::script or self::style or self::a)]"
    "[string-length(normalize-space(.)) >= 4][string-length(normalize-space(.)) <= 80]"
)
_AUTHOR_MARK = re.compile(r"author|autor|auteur|byline|writer|verfasser", re.IGNORECASE)
_BYLINE = re.compile(
    r"^(?:written by|posted by|by|von|par|door|por|di|author|autor|autorin|auteur)\s*:?\s+(.+)$", re.IGNORECASE
)
_PLACEHOLDER = re.compile(r"\{\{.{0,300}?\}\}", re.DOTALL)
# A block at the end of the text with at least this many teaser links is dropped.
_MIN_TEASERS = 3
# A text made this much of link texts is a navigation page.
_MAX_LINK_SHARE = 0.8
# The longest line that may sit between teaser links (a label, a date, a "Read more").
_MAX_TEASER_LABEL = 100
# Text this many times shorter than the page's own article body is replaced by it.
_FAR_SHORTER = 2


@dataclass
class ExtractedPage:
    """What was found in one page; ``published`` is an ISO 8601 date as the page wrote it."""

    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None
    author: str | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)


def extract_page(html: str, location: str, url: str | None = None) -> ExtractedPage:
    """The article of an HTML page: main text by trafilatura, metadata preferring the page's own.

    Text hidden from readers is dropped first.  The text is JSON-LD
    ``articleBody`` where trafilatura finds far less of it; blank lines and
    trailing lists of teaser links are dropped.  Raises :class:`SourceError`
    naming ``location`` when the page holds no article: no text, an unfilled
    template, a page of links, or far less text than the page announces.
    """
    tree = _load(html)
    if tree is None:
        raise SourceError(location, "no article text could be extracted from the HTML")
    drop_hidden(tree)
    join_source_lines(tree)
    meta = read_page_meta(tree)
    links = _link_texts(tree)
    bylines = find_bylines(tree)
    try:
        document = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False)
    except Exception:  # noqa: BLE001 - trafilatura raises many kinds on bad markup
        document = None
    text = _clean_text(document.text or "" if document is not None else "", links)
    warnings: list[str] = []
    text = _prefer_structured_body(text, meta, warnings)
    _refuse_non_article(text, meta, links, location)
    sitename = clean_field(document.sitename) if document is not None else None
    organizations = [meta.publisher, meta.site_name, sitename, *meta.organizations]
    author, org_author = _author(
        [clean_field(document.author) if document is not None else None], meta.authors, bylines, organizations=organizations
    )
    source = meta.publisher or meta.site_name or sitename or org_author or (meta.organizations or [None])[0]
    title = clean_field(document.title if document is not None else None) or meta.headline or meta.og_title
    if title:
        title = strip_site_name(title, [source, sitename, meta.site_name, meta.publisher, _host_name(url)])
    return ExtractedPage(
        text=text,
        title=title,
        source=source,
        published=meta.published or (document.date if document is not None else None) or None,
        author=author,
        url=(document.url if document is not None else None) or None,
        warnings=warnings,
    )


def _author(*candidates: list[str | None], organizations: list[str | None]) -> tuple[str | None, str | None]:
    """The people of the first candidate list that names any, and the first organization seen.

    Candidates, best first: the author trafilatura found in the page's
    metadata, the JSON-LD authors, bylines in the page.
    """
    first_org = None
    for names in candidates:
        people, org = split_people(names, organizations)
        first_org = first_org or org
        if people:
            return people, first_org
    return None, first_org


def _load(html: str) -> Any:
    try:
        return load_html(html)
    except Exception:  # noqa: BLE001 - lxml raises many kinds on bad markup
        return None


def drop_hidden(tree: Any) -> None:
    """Remove what a reader of the page never sees: hidden elements, templates, noscript.

    ``hidden``, inline ``display:none`` / ``visibility:hidden``, ``<template>``
    and ``<noscript>`` always go; ``aria-hidden="true"`` (hidden from screen
    readers) goes unless it wraps most of the page, as a wrapper does while a
    dialog is open.
    """
    total = max(1, len(_text_of(tree)))
    for element in tree.xpath(_HIDDEN_XPATH):
        if element.getparent() is None:
            continue
        if element.get("aria-hidden") is not None and element.tag not in ("template", "noscript") \
                and not _style_hides(element) and element.get("hidden") is None \
                and len(_text_of(element)) > total / 2:
            continue
        _remove(element)


_KEEPS_LINES = ("pre", "textarea", "script", "style")
_SOURCE_BREAK = re.compile(r"\r\n|[\r\n]")


def join_source_lines(tree: Any) -> None:
    """Line breaks of the HTML source inside a paragraph are spaces, as a browser shows them:
    a page written with hard-wrapped lines ("<p>The tool was first released in April 2005\n(the
    same month ...") reads as whole sentences, not one line each.  ``<br>`` and the
    elements themselves still end lines; preformatted text (``<pre>``, ``white-space: pre``)
    keeps its lines."""
    def keeps_lines(element: Any) -> bool:
        return any(e.tag in _KEEPS_LINES or "white-space:pre" in "".join((e.get("style") or "").lower().split())
                   for e in (element, *element.iterancestors()))

    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        if element.text and "\n" in element.text and not keeps_lines(element):
            element.text = _SOURCE_BREAK.sub(" ", element.text)
        parent = element.getparent()
        if element.tail and "\n" in element.tail and not (parent is not None and keeps_lines(parent)):
            element.tail = _SOURCE_BREAK.sub(" ", element.tail)


def _style_hides(element: Any) -> bool:
    style = "".join((element.get("style") or "").lower().split())
    return "display:none" in style or "visibility:hidden" in style


def _remove(element: Any) -> None:
    """Remove ``element`` but keep the text that follows it (its tail)."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _text_of(element: Any) -> str:
    return " ".join(element.xpath("string()").split())


def _link_texts(tree: Any) -> set[str]:
    """The texts of the page's links, white space collapsed."""
    return {text for text in map(_text_of, tree.xpath("//a[@href]")) if len(text) >= 2}


def find_bylines(tree: Any) -> list[str]:
    """Names from bylines in the page: "By Jane Doe", "Von …", an element marked author or byline."""
    names: list[str] = []
    for element in tree.xpath(_SHORT_TEXT_XPATH):
        text = _text_of(element)
        marked = _AUTHOR_MARK.search(" ".join(element.get(a) or "" for a in ("class", "id", "itemprop", "rel")))
        match = _BYLINE.match(text)
        name = match.group(1) if match else (text if marked else None)
        if name:
            name = name.strip(" .,:|")
            if is_person(name) and name not in names:
                names.append(name)
        if len(names) >= 3:
            break
    return names


def _host_name(url: str | None) -> str | None:
    host = (urlsplit(url).hostname or "") if url else ""
    parts = [part for part in host.split(".") if part not in ("www", "m", "amp")]
    return parts[-2] if len(parts) >= 2 else None


def _clean_text(text: str, links: set[str]) -> str:
    """Lines stripped, blank lines (no letter or digit) dropped, a trailing block of teaser links dropped.

    A teaser block ("Related", "Editors' recommendations") is a tail of at
    least three lines that are link texts, making up at least half of the
    tail, after prose that is itself mostly not links (a page that is a list
    of links throughout, a deals roundup, keeps them); a short heading line
    ending in ":" just before the block goes with it.
    """
    lines = [" ".join(line.split()) for line in _normalize_newlines(text).split("\n")]
    lines = [line for line in lines if any(ch.isalnum() for ch in line)]
    is_link = [_is_link_line(line, links) for line in lines]
    for start in range(1, len(lines)):
        tail = is_link[start:]
        prose = any(not link and len(line) > _MAX_TEASER_LABEL for link, line in zip(tail, lines[start:]))
        if is_link[start] and sum(tail) >= _MIN_TEASERS and sum(tail) * 2 >= len(tail) and not prose:
            if sum(is_link[:start]) * 10 <= start:
                if start > 1 and lines[start - 1].endswith(":") and len(lines[start - 1]) <= 60:
                    start -= 1
                return "\n".join(lines[:start])
            break
    return "\n".join(lines)


def _link_share(text: str, links: set[str]) -> float:
    """The share of the text's letters that are the texts of the page's links."""
    total = sum(not ch.isspace() for ch in text)
    rest = text
    for link in sorted(links, key=len, reverse=True):
        if link in rest:
            rest = rest.replace(link, " ")
    return 1 - sum(not ch.isspace() for ch in rest) / max(1, total)


def _is_link_line(line: str, links: set[str]) -> bool:
    """Whether ``line`` is a link's text (a teaser headline), possibly as a list item."""
    bare = line.lstrip("-•*·» ").strip()
    return len(bare.split()) >= 3 and bare in links


def _prefer_structured_body(text: str, meta: PageMeta, warnings: list[str]) -> str:
    """JSON-LD ``articleBody`` when the extracted text is far shorter than it."""
    if not meta.body:
        return text
    body = html_to_text(meta.body) if "<" in meta.body else _normalize_newlines(meta.body).strip()
    body = "\n".join(" ".join(line.split()) for line in body.split("\n") if line.strip())
    if len(text) * _FAR_SHORTER < len(body):
        warnings.append(
            f"text taken from the page's structured data (articleBody, {len(body)} characters); "
            f"the visible page gave {len(text)}"
        )
        return body
    return text


def _refuse_non_article(text: str, meta: PageMeta, links: set[str], location: str) -> None:
    if not text:
        raise SourceError(location, "no article text could be extracted from the HTML")
    placeholders = _PLACEHOLDER.findall(text)
    if len(placeholders) >= 2 or sum(map(len, placeholders)) * 10 >= len(text):
        raise SourceError(location, "is an unfilled page template ({{ }} placeholders), not an article")
    share = _link_share(text, links)
    if share >= _MAX_LINK_SHARE:
        raise SourceError(location, f"is a page of links ({share:.0%} of its text is link text), not an article")
    words = len(text.split())
    if meta.word_count and words * _FAR_SHORTER * 2 < meta.word_count:
        raise SourceError(
            location, f"holds {words} words of the {meta.word_count} its metadata announces; the article is not in the page"
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
