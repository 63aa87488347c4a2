"""The FNC-1 stance measure: real news bodies, some reporting a claim, some disputing it.

The stories held out from the judgement model's training (``retrieval.judge.data.fnc_split``)
are stored, every body an article, in one fresh store.  For each held-out headline that
some bodies agree with and others dispute, the engine is asked "Is it true that
HEADLINE?".  Every cited body with an agree or disagree label for that headline is
scored: agree should be cited as ``supports``, disagree as ``denies`` (a body's
first citation counts).  Reported: balanced accuracy over those bodies (the mean of
the two recalls: a model that calls everything ``supports`` scores 0.5) and the share
of answers that cite an agreeing body as ``supports`` and a disputing one as
``denies``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from retrieval.judge.data import as_question, fnc_split, fnc_stories

from bot.eval_sets import article_ids, build_store


def fnc_dev(root: Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Bodies of the held-out stories (id -> text) and each held-out headline's labels
    (headline -> body id -> agree/disagree/discuss/unrelated)."""
    bodies, rows, story_of_body = fnc_stories(root)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    keep: set[str] = set()
    for r in rows:
        bid = r["Body ID"]
        if fnc_split(story_of_body[int(bid)]) == "dev":
            labels[r["Headline"]][bid] = r["Stance"]
            keep.add(bid)
    return {b: bodies[b] for b in sorted(keep, key=int)}, dict(labels)


def fnc_articles(bodies: dict[str, str]):
    from ingest.types import RawArticle

    for bid, text in bodies.items():
        yield RawArticle(text=text, title=f"FNC-1 body {bid}", location=f"fnc1-dev#{bid}",
                         source=f"Outlet {bid}")


def score_fnc(labels: dict[str, dict[str, str]], questions: list[str], answers: list[Any],
              body_of: dict[str, str]) -> dict[str, Any]:
    agree_hits = agree_n = disagree_hits = disagree_n = both = 0
    for headline, ans in zip(questions, answers):
        seen: set[str] = set()
        got_agree = got_disagree = False
        for c in ans.citations:
            bid = body_of.get(c.article_id)
            if bid is None or bid in seen:
                continue
            seen.add(bid)
            label = labels[headline].get(bid)
            if label == "agree":
                agree_n += 1
                agree_hits += c.stance == "supports"
                got_agree |= c.stance == "supports"
            elif label == "disagree":
                disagree_n += 1
                disagree_hits += c.stance == "denies"
                got_disagree |= c.stance == "denies"
        both += got_agree and got_disagree
    recalls = [h / n for h, n in ((agree_hits, agree_n), (disagree_hits, disagree_n)) if n]
    return {
        "questions": len(questions),
        "cited_agree": agree_n,
        "cited_disagree": disagree_n,
        "agree_recall": agree_hits / agree_n if agree_n else 0.0,
        "disagree_recall": disagree_hits / disagree_n if disagree_n else 0.0,
        "balanced_stance": sum(recalls) / 2 if recalls else 0.0,
        "both_sides": both / len(questions) if questions else 0.0,
        "not_found": sum(a.status == "not_found" for a in answers) / max(len(answers), 1),
    }


def run_fnc(root: Path, app: Any, folder: Path, limit: int | None = None) -> dict[str, Any]:
    """Build the held-out store under ``folder`` (``app`` builds stores and engines), ask,
    and score."""
    bodies, labels = fnc_dev(root)
    disputed = [h for h, by in labels.items()
                if "agree" in by.values() and "disagree" in by.values()]
    if limit is not None:
        disputed = disputed[:limit]
    arts = list(fnc_articles(bodies))
    store = build_store(folder, arts, app)
    engine = app.engine_for(store)
    ids = article_ids(store, [a.location for a in arts])
    body_of = {aid: loc.split("#", 1)[1] for loc, aid in ids.items()}
    answers = [engine.answer(as_question(h)) for h in disputed]
    scores = score_fnc(labels, disputed, answers, body_of)
    scores["answers"] = answers
    return scores
