"""The evaluation's material and scores: articles read into fresh stores, and answers
to the public dev sets scored (see :mod:`bot.evaluate` for what each measure means).

Stores are built the way ``newsbot ingest`` builds them, by the composition root
(:class:`bot.app.App`): the chunking settings, collection and embedding model are
the configuration's.
"""

from __future__ import annotations

import json
import re
import statistics
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from retrieval.common.errors import ConfigError
from retrieval.engine.answer import Answer


# -- reading articles -----------------------------------------------------------
def read_sample_articles(folder: Path) -> list[Any]:
    """The articles of a folder, read by the project's readers (as ``newsbot ingest`` does)."""
    from ingest.readers import ReaderOptions, iter_articles

    from retrieval.common.errors import SourceError

    out = []
    for item in iter_articles([str(folder)], ReaderOptions(allow_urls=False)):
        if isinstance(item, SourceError):
            raise ConfigError(f"cannot read the sample articles: {item}")
        out.append(item)
    return out


def build_store(folder: Path, articles: Iterable[Any], app: Any):
    """A fresh store in ``folder`` holding ``articles``, through ``app``'s ingest pipeline."""
    store = app.store_in(Path(folder))
    summary = app.ingestor(store).ingest(articles)
    if summary.failed:
        raise ConfigError(f"cannot build the evaluation store: {summary.failed[0].detail}")
    return store


def article_ids(store: Any, locations: Iterable[str]) -> dict[str, str]:
    """Location -> stored article id (aliases followed to the article they copy)."""
    from retrieval.index.store import Alias, location_id

    locations = list(locations)
    ids = {loc: location_id(loc) for loc in locations}
    records = store.records(list(ids.values()))
    out = {}
    for loc, id_ in ids.items():
        rec = records.get(id_)
        out[loc] = rec.target if isinstance(rec, Alias) else id_
    return out


# -- matching ---------------------------------------------------------------------
def fold(text: str) -> str:
    """Lower case, punctuation to spaces, spaces collapsed, padded: for word-boundary matching."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w]+", " ", text)
    return f" {' '.join(text.split())} "


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as whole words, case and punctuation aside."""
    n = fold(needle)
    return n.strip() != "" and n in fold(haystack)


_SCORER_STOPWORDS = frozenset(
    "a an the of in on at to for and or is are was were be been by with as from that this it its".split()
)


def _content_words(text: str) -> list[str]:
    return [w for w in fold(text).split() if w not in _SCORER_STOPWORDS]


def _recall(needle: str, haystack: str) -> float:
    want = _content_words(needle)
    if not want:
        return 0.0
    have = set(fold(haystack).split())
    return sum(1 for w in want if w in have) / len(want)


def carries(quote: str, answer: str, statement: str) -> bool:
    """A quote carries a side: it contains the side's answer, or at least half of
    the content words of the side's contradicting statement."""
    return contains(quote, answer) or _recall(statement, quote) >= 0.5


# -- the public dev sets ----------------------------------------------------------
def read_jsonl(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    return rows


def wikicontradict_articles(records: Sequence[dict[str, Any]]) -> Iterator[Any]:
    """Each passage of each record as an article: the fuller passage (``context1_info``,
    ``context2_info``) where the record has it, as a reader would meet it, not only
    the one contradicting sentence (``context1``, ``context2``)."""
    from ingest.types import RawArticle

    for i, rec in enumerate(records):
        for j in (1, 2):
            yield RawArticle(
                text=rec.get(f"context{j}_info") or rec[f"context{j}"],
                title=f"WikiContradict passage {i}.{j}",
                location=f"wikicontradict-dev#{i}.{j}", source="Wikipedia",
            )


def ramdocs_articles(records: Sequence[dict[str, Any]]) -> Iterator[Any]:
    """Each document of each record as an article."""
    from ingest.types import RawArticle

    for i, rec in enumerate(records):
        for j, doc in enumerate(rec["documents"]):
            yield RawArticle(
                text=doc["text"], title=f"RAMDocs document {i}.{j}",
                location=f"ramdocs-dev#{i}.{j}", source="RAMDocs",
            )


def score_wikicontradict(records: Sequence[dict[str, Any]], answers: Sequence[Answer],
                         ids: dict[str, str]) -> dict[str, Any]:
    both_cited = both_text = abstained = 0
    for i, (rec, ans) in enumerate(zip(records, answers)):
        presented = []
        for j in (1, 2):
            pid = ids[f"wikicontradict-dev#{i}.{j}"]
            own = [c for c in ans.citations if c.article_id == pid]
            presented.append(any(carries(c.quote, rec[f"answer{j}"], rec[f"context{j}"]) for c in own))
        both_cited += all(presented)
        both_text += contains(ans.answer, rec["answer1"]) and contains(ans.answer, rec["answer2"])
        abstained += ans.status == "not_found"
    n = len(records) or 1
    return {
        "questions": len(records),
        "both_sides_cited": both_cited / n,
        "both_answers_in_text": both_text / n,
        "conflict_status": sum(a.status == "conflict" for a in answers) / n,
        "wrongly_abstained": abstained / n,
        "median_chars": median_chars(answers),
    }


def score_ramdocs(records: Sequence[dict[str, Any]], answers: Sequence[Answer]) -> dict[str, Any]:
    all_gold = exact = wrong_fact = abstained = 0
    for rec, ans in zip(records, answers):
        gold = all(contains(ans.answer, g) for g in rec["gold_answers"])
        wrong = any(contains(ans.answer, w) for w in rec["wrong_answers"])
        all_gold += gold
        exact += gold and not wrong
        wrong_fact += wrong and ans.status != "conflict"
        abstained += ans.status == "not_found"
    n = len(records) or 1
    return {
        "questions": len(records),
        "all_gold": all_gold / n,
        "exact": exact / n,
        "wrong_as_fact": wrong_fact / n,
        "wrongly_abstained": abstained / n,
        "median_chars": median_chars(answers),
    }


def median_chars(answers: Sequence[Answer]) -> float:
    return float(statistics.median(len(a.answer) for a in answers)) if answers else 0.0
