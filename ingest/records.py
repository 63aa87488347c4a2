"""JSON and JSON Lines records as articles.

A JSON file holds one record, a list of them, or ``{"articles": [...]}``; a
JSON Lines file one record per line.  A bad record is an error of its own,
but many records failing the same way are one error line with a count.  At
most ``max_records`` records of a file are read; the cut is a warning.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.dates import normalize_date
from ingest.decoding import normalize_newlines
from ingest.reading import Origin, ReadLog
from ingest.text import title_from_body
from ingest.types import RawArticle
from retrieval.common.errors import SourceError


@dataclass(frozen=True)
class _Problem:
    """Why a record failed: said of one record, and of several."""

    one: str
    many: str


_NOT_AN_OBJECT = _Problem("record is not a JSON object", "records are not JSON objects")
_NO_TEXT = _Problem("record has no text (expected text, body or content)",
                    "records have no text (expected text, body or content)")
@dataclass(frozen=True)
class _LineError:
    """A JSON Lines line that does not parse: its number and why."""

    number: int
    reason: str


# Records named in an error line about many, before "and N more".
_NAMED = 3


def json_reason(error: ValueError | RecursionError, line: bool = False) -> str:
    """Why a JSON text does not parse, whole: ``Expecting value at line 1, column 5``."""
    if isinstance(error, RecursionError):
        return "nested too deeply"
    if not isinstance(error, json.JSONDecodeError):
        return " ".join(str(error).split())[:200]
    message = error.msg.removesuffix(" at")
    return f"{message} at column {error.colno}" if line else f"{message} at line {error.lineno}, column {error.colno}"


def load_json(text: str, origin: Origin) -> Any:
    """The parsed JSON document, or a SourceError naming the file."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise SourceError(origin.location, f"not valid JSON ({json_reason(error)})") from None


def document_records(data: Any, origin: Origin) -> list[Any]:
    """The records of a JSON document: an object, a list, or ``{"articles": [...]}``."""
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        return data["articles"]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list):
        return data
    raise SourceError(origin.location, 'JSON must be an object, a list of objects or {"articles": [...]}')


def line_records(text: str, origin: Origin, max_records: int, log: ReadLog) -> list[Any]:
    """The records of a JSON Lines text; a line that does not parse is a :class:`_LineError`."""
    records: list[Any] = []
    lines = [(number, line) for number, line in enumerate(text.split("\n"), start=1) if line.strip()]
    for number, line in capped(lines, max_records, origin, log, "lines"):
        try:
            records.append(json.loads(line))
        except (ValueError, RecursionError) as error:
            records.append(_LineError(number, json_reason(error, line=True)))
    return records


def capped(items: list, limit: int, origin: Origin, log: ReadLog, what: str = "records") -> list:
    """The first ``limit`` of ``items``; a warning in ``log`` when there were more."""
    if len(items) > limit:
        log.warn(origin.location, f"holds {len(items):,} {what}; only the first {limit:,} were read "
                                  "([ingest] max_records)")
        return items[:limit]
    return items


def json_articles(records: list[Any], origin: Origin, warnings: list[str]) -> Iterator[RawArticle | SourceError]:
    """One article per record, in order; failures alike in one line (see :func:`_failures`)."""
    if not records:
        raise SourceError(origin.location, "holds no articles")
    results: list[RawArticle | tuple[int, Any]] = []
    for index, record in enumerate(records):
        if isinstance(record, _LineError):
            results.append((index, record))
        elif not isinstance(record, dict):
            results.append((index, _NOT_AN_OBJECT))
        elif (article := _json_article(record, index, origin, warnings)) is None:
            results.append((index, _NO_TEXT))
        else:
            results.append(article)
    failures = _failures([r for r in results if isinstance(r, tuple)], origin)
    for result in results:
        if isinstance(result, RawArticle):
            yield result
        elif result[0] in failures:
            yield failures[result[0]]


def _failures(failed: list[tuple[int, Any]], origin: Origin) -> dict[int, SourceError]:
    """The error line to show at each failed record's place, by record index.

    A problem of a single record is named by the record (``file#3``); one
    shared by several becomes one line naming the file, with a count, at the
    place of the first of them.
    """
    by_kind: dict[Any, list[tuple[int, Any]]] = {}
    for index, problem in failed:
        by_kind.setdefault(_LineError if isinstance(problem, _LineError) else problem, []).append((index, problem))
    errors: dict[int, SourceError] = {}
    for kind, group in by_kind.items():
        first, problem = group[0]
        if len(group) == 1 and kind is _LineError:
            errors[first] = SourceError(f"{origin.location}#{first}", f"line {problem.number} is not valid JSON ({problem.reason})")
        elif len(group) == 1:
            errors[first] = SourceError(f"{origin.location}#{first}", problem.one)
        elif kind is _LineError:
            errors[first] = SourceError(origin.location, f"{len(group):,} lines are not valid JSON (line "
                                        f"{problem.number}: {problem.reason}{_more(len(group))})")
        else:
            named = ", ".join(f"#{index}" for index, _ in group[:_NAMED])
            errors[first] = SourceError(origin.location, f"{len(group):,} {problem.many} ({named}{_more(len(group))})")
    return errors


def _more(count: int) -> str:
    return f" and {count - _NAMED:,} more" if count > _NAMED else ""


def _json_article(record: dict, index: int, origin: Origin, warnings: list[str]) -> RawArticle | None:
    """One JSON record as an article (``None`` without text); located by its url, else ``source#index``."""
    text = _first_text(record, ("text", "body", "content"))
    if not text:
        return None
    url = field(record, ("url", "link"))
    return RawArticle(
        text=text,
        title=field(record, ("title", "headline")) or title_from_body(text)[0],
        location=url or f"{origin.location}#{index}",
        source=field(record, ("source", "publisher")),
        published=normalize_date(first(record, ("published", "date", "published_at"))),
        author=field(record, ("author", "authors")),
        url=url or origin.url,
        path=origin.path,
        warnings=list(warnings),
    )


def first(record: dict, keys: Sequence[str]) -> Any:
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
            return normalize_newlines(value).strip()
    return None


def field(record: dict, keys: Sequence[str]) -> str | None:
    """A metadata field as one string (lists joined, ``{"name": ...}`` unwrapped)."""
    return as_text(first(record, keys))


def as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return as_text(value.get("name"))
    if isinstance(value, list):
        names = [name for name in map(as_text, value) if name]
        return ", ".join(names) or None
    return None
