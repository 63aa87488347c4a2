"""Article metadata as data: titles, publishers and authors cleaned and told apart.

Metadata fields come from whoever wrote the source (a page's markup, a feed,
a JSON record) and end up in answers beside quoted text, so they are treated
as data, never as prose: :func:`clean_field` makes any field one plain line
of bounded length.  :func:`split_people` keeps people in ``author`` and moves
organizations (the publisher named as author) to ``source``;
:func:`strip_site_name` takes the site's name off a page title.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# Longest title, author or source kept; longer values are cut at a word.
MAX_FIELD_CHARS = 300

_TAG = re.compile(r"<[^<>]{0,2000}>")
# Separators between a headline and the site, section or date a page appends.
_TITLE_SEPARATOR = re.compile(r"\s*(?:\s[-–—·•»]|\|)\s*")
_DATE_LIKE = re.compile(r"^[\d\s./:-]{6,}$")
_PERSON_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*(?:[-'’][^\W\d_]+)*\.?$")
# Words that make a name an organization rather than a person.
_ORG_WORDS = frozenset(
    "online news media press presse redaktion redaction rédaction newsroom staff team desk agency agentur "
    "foundation stiftung gmbh inc inc. ltd ltd. llc corp corporation company group verlag zeitung times post "
    "journal herald tribune magazine magazin welle radio tv television broadcasting network blog editors "
    "editorial reuters afp dpa ap ansa efe kyodo xinhua associated".split()
)

# Lower-case words a person's name may hold ("Ursula von der Leyen").
_PARTICLES = frozenset("von van der den de da di du le la del della bin al ter zu y".split())


def clean_field(value: object, limit: int = MAX_FIELD_CHARS) -> str | None:
    """``value`` as one line of plain text, or ``None`` when nothing is left.

    Lists are joined with ", " and ``{"name": ...}`` objects unwrapped; markup
    is removed (also markup written as entities), control and invisible
    format characters are dropped, white space is collapsed, and the result
    is cut at a word boundary to about ``limit`` characters (ending in "…").
    """
    if isinstance(value, dict):
        return clean_field(value.get("name"), limit)
    if isinstance(value, (list, tuple)):
        parts = [part for part in (clean_field(item, limit) for item in value) if part]
        return clean_field(", ".join(dict.fromkeys(parts)), limit) if parts else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = _TAG.sub(" ", html.unescape(_TAG.sub(" ", value)))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
        text = cut.rstrip(" ,;:") + "…"
    return text or None


def strip_site_name(title: str, sites: Iterable[str | None]) -> str:
    """``title`` without the site name, section or date a page appends to it.

    "Meta outage hits Facebook | Kulu Media" -> "Meta outage hits Facebook";
    "Berlin confronts … | Germany| News … | DW | 19.01.2020" -> "Berlin
    confronts …".  After a ``|`` everything goes (pages put labels there);
    after a dash only a part that names the site or is a date.  The headline
    part itself is always kept.
    """
    names = {_key(site) for site in sites if site and _key(site)}
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    if "|" in title and len(parts[0].split()) >= 2:
        head = title.split("|", 1)[0]
        return strip_site_name(head.strip(), names) if head.strip() else title
    kept = parts
    while len(kept) > 1 and _is_site_part(kept[-1], names):
        kept = kept[:-1]
    if len(kept) > 1 and _is_site_part(kept[0], names) and len(kept[1].split()) >= 3:
        kept = kept[1:]  # "Site - Headline"
    if kept == parts:
        return title
    head_len = len(" ".join(kept))
    cut = _cut_at(title, kept)
    return cut if len(cut) >= min(head_len, 4) else title


def _cut_at(title: str, kept: list[str]) -> str:
    """The span of ``title`` from its first kept part to its last."""
    start = title.find(kept[0])
    end = title.find(kept[-1], start) + len(kept[-1])
    return title[start:end].strip()


def _is_site_part(part: str, names: set[str]) -> bool:
    key = _key(part)
    if not key:
        return True
    if _DATE_LIKE.match(part.strip()):
        return True
    return any(key == name or (len(key) >= 3 and (name.startswith(key) or key.startswith(name))) for name in names)


def _key(name: str) -> str:
    """A name reduced to lower-case letters and digits ("DW.COM" -> "dwcom")."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def split_people(names: Iterable[str | None], organizations: Iterable[str | None] = ()) -> tuple[str | None, str | None]:
    """(author, organization): the people among ``names``, and the first name that is an organization.

    A name is an organization when it is one of ``organizations`` (the
    publisher, the site), holds a web address, a ``;`` list ("SPIEGEL
    ONLINE; Hamburg; Germany") or a word like "Online", "News", "Press",
    "Foundation", or is too long to be a name.
    """
    known = {_key(org) for org in organizations if org and _key(org)}
    people: list[str] = []
    found_org: str | None = None
    for raw in names:
        for name in _split_names(raw):
            if is_person(name, known):
                if name not in people:
                    people.append(name)
            elif found_org is None:
                found_org = name.split(";")[0].strip() or name
    return (", ".join(people) or None), found_org


def _split_names(raw: str | None) -> list[str]:
    if not raw:
        return []
    if ";" in raw and not any(is_person(part.strip(), set()) for part in raw.split(";")[1:]):
        return [raw]  # "SPIEGEL ONLINE; Hamburg; Germany": one organization with its place
    parts = re.split(r"\s*(?:,|;|\band\b|\bund\b|&)\s*", raw)
    if any(not part for part in parts) or not all(len(part.split()) >= 2 for part in parts):
        return [raw]  # "Smith, John" or a single word after a comma: keep whole
    return parts


def is_person(name: str, organizations: set[str] | None = None) -> bool:
    """Whether ``name`` reads as a person's name (1-5 words, no organization marks)."""
    name = name.strip()
    if not name or len(name) > 60 or any(mark in name for mark in ("www.", "http", "@", ";", "(", "/")):
        return False
    key = _key(name)
    if organizations and any(key == org or (len(key) >= 4 and (org.startswith(key) or key.startswith(org)))
                             for org in organizations):
        return False
    words = name.replace(".", ". ").split()
    if not 1 <= len(words) <= 5:
        return False
    if any(word.casefold().strip(".") in _ORG_WORDS for word in words):
        return False
    if len(words) > 1 and all(word.isupper() and len(word) > 2 for word in words):
        return False  # "SPIEGEL ONLINE"
    if not all(_PERSON_WORD.match(word) for word in words):
        return False
    capitalized = [word for word in words if word[0].isupper()]
    return len(capitalized) >= 1 and all(word[0].isupper() or word.casefold() in _PARTICLES for word in words)


def as_data(article):
    """``article`` with its title, source and author made plain single lines (any reader's:
    a JSON record or a feed supplies them as freely as a page does).  The title is not
    cut here: ``[ingest] max_title_chars`` does that, with a warning."""
    article.title = clean_field(article.title, limit=10**9) or "(untitled)"
    article.source = clean_field(article.source)
    article.author = clean_field(article.author)
    return article
