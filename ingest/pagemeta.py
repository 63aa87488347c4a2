"""What a page says about its own article: JSON-LD and ``<meta>`` tags.

Publishers describe their articles in structured data for search engines:
a JSON-LD ``NewsArticle`` (headline, author, datePublished, articleBody,
publisher, wordCount) and Open Graph / Dublin Core ``<meta>`` tags.  That
is more reliable than dates and names found elsewhere on the page (a
sidebar, a related story), so :mod:`ingest.html` prefers it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ingest.meta import clean_field

# JSON-LD types that describe one article.
ARTICLE_TYPES = frozenset(
    "Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle BackgroundNewsArticle "
    "ReviewNewsArticle AskPublicNewsArticle SatiricalArticle ScholarlyArticle TechArticle Report BlogPosting "
    "LiveBlogPosting SocialMediaPosting".split()
)
_ORGANIZATION_TYPES = frozenset("Organization NewsMediaOrganization Corporation WebSite".split())
# <meta> names and properties that give the publication date, best first.
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
    "publish-date", "dc.date.issued", "dcterms.issued", "dc.date", "parsely-pub-date", "sailthru.date", "date",
)
_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
# Most JSON-LD blocks read from one page, and the most objects walked in them.
_MAX_BLOCKS = 20
_MAX_OBJECTS = 2000


@dataclass
class PageMeta:
    """The structured metadata of a page; every field may be missing."""

    headline: str | None = None
    og_title: str | None = None
    authors: list[str] = field(default_factory=list)  # names given as people (or untyped)
    organizations: list[str] = field(default_factory=list)  # authors typed as organizations
    publisher: str | None = None
    site_name: str | None = None
    published: str | None = None
    body: str | None = None
    word_count: int | None = None
    is_article: bool = False  # a JSON-LD article or og:type article


def read_page_meta(tree: Any) -> PageMeta:
    """The JSON-LD article and ``<meta>`` tags of an lxml HTML tree."""
    meta = PageMeta()
    article = _json_ld_article(tree)
    if article is not None:
        meta.is_article = True
        meta.headline = clean_field(article.get("headline") or article.get("name"))
        for author in _as_list(article.get("author")):
            name = clean_field(author)
            if name and isinstance(author, dict) and _types(author) & _ORGANIZATION_TYPES:
                meta.organizations.append(name)
            elif name:
                meta.authors.append(name)
        meta.publisher = clean_field(article.get("publisher"))
        meta.published = iso_date(article.get("datePublished")) or iso_date(article.get("dateCreated"))
        body = article.get("articleBody")
        meta.body = body.strip() if isinstance(body, str) and body.strip() else None
        meta.word_count = _int(article.get("wordCount"))
    tags = _meta_tags(tree)
    meta.og_title = clean_field(tags.get("og:title"))
    meta.site_name = clean_field(tags.get("og:site_name"))
    meta.is_article = meta.is_article or (tags.get("og:type") or "").strip().lower() == "article"
    if meta.published is None:
        meta.published = next((iso_date(tags[name]) for name in _DATE_META if iso_date(tags.get(name))), None)
    if meta.published is None:
        meta.published = _time_published(tree)
    return meta


def iso_date(value: Any) -> str | None:
    """``value`` if it is an ISO 8601 date or date-time, else its leading date, else ``None``."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        datetime.fromisoformat(value)
        return value
    except ValueError:
        pass
    match = _ISO_DATE.match(value)
    if match:
        try:
            return date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            return None
    return None


def _json_ld_article(tree: Any) -> dict | None:
    """The JSON-LD object of an article type with the longest body (the first on a tie)."""
    found: list[dict] = []
    for script in tree.xpath('//script[contains(translate(@type, "LDJSON", "ldjson"), "ld+json")]')[:_MAX_BLOCKS]:
        data = _loads(script.text or "")
        if data is not None:
            _collect_articles(data, found, [0])
    if not found:
        return None
    return max(found, key=lambda obj: len(obj.get("articleBody") or "") if isinstance(obj.get("articleBody"), str) else 0)


def _loads(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:].rsplit("-->", 1)[0]
    text = text.replace("<![CDATA[", "").replace("]]>", "").strip()
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _collect_articles(data: Any, found: list[dict], seen: list[int]) -> None:
    stack = [data]
    while stack and seen[0] < _MAX_OBJECTS:
        item = stack.pop()
        seen[0] += 1
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            if _types(item) & ARTICLE_TYPES:
                found.append(item)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
                if isinstance(item.get(key), (list, dict)):
                    stack.append(item[key])


def _types(obj: dict) -> set[str]:
    kinds = obj.get("@type")
    values = kinds if isinstance(kinds, list) else [kinds]
    return {value.rsplit("/", 1)[-1] for value in values if isinstance(value, str)}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _meta_tags(tree: Any) -> dict[str, str]:
    """``<meta>`` values by lower-cased name, property or itemprop; the first of each wins."""
    tags: dict[str, str] = {}
    for element in tree.xpath("//meta[@content]"):
        for attribute in ("property", "name", "itemprop"):
            key = (element.get(attribute) or "").strip().lower()
            if key and key not in tags:
                tags[key] = element.get("content") or ""
    return tags


def _time_published(tree: Any) -> str | None:
    """The ``datetime`` of an element marked ``itemprop="datePublished"``."""
    for element in tree.xpath('//*[@itemprop="datePublished"]'):
        found = iso_date(element.get("datetime") or element.get("content"))
        if found:
            return found
    return None
