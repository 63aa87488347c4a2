"""The sample suite over data/sample runs in `make test` and must pass in full;
a small smoke run of the public dev sets runs when they are present."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from bot.config import load_config
from bot.eval_sets import read_jsonl
from bot.evaluate import load_sample_suite, run_sample_suite

REPO = Path(__file__).resolve().parent.parent
# Where `newsbot eval` looks with the repository's config.toml: [eval] dir, or $NEWSBOT_EVAL_DIR.
EVAL_DIR = load_config(REPO / "config.toml",
                       environ={k: v for k, v in os.environ.items() if k == "NEWSBOT_EVAL_DIR"}).eval.dir


def test_sample_suite_covers_every_kind_of_question():
    cases = load_sample_suite()
    assert len(cases) >= 26
    assert len({c.id for c in cases}) == len(cases)
    kinds = Counter(c.id.split("-")[0] for c in cases)
    for kind in ("paraphrase", "split", "one", "unanswerable", "followup", "filter"):
        assert kinds[kind] >= 2, kind
    assert any(c.question == "Did the call happen?" and not c.history for c in cases)


def test_sample_suite_passes_in_full(engine, sample_store):
    result = run_sample_suite(engine, sample_store)
    details = "\n".join(f"{case}: {'; '.join(p)}" for case, p in result["failures"].items())
    assert result["passed"] == result["cases"], details


@pytest.mark.skipif(not (EVAL_DIR / "wikicontradict-dev.jsonl").exists(),
                    reason="the public dev sets ([eval] dir or $NEWSBOT_EVAL_DIR) are absent")
def test_dev_set_smoke(embedder, eval_app, tmp_path):
    """Ten WikiContradict records end to end: store, answers, verbatim quotes, scores."""
    from retrieval.engine.engine import AnswerEngine
    from bot.eval_sets import article_ids, build_store, score_wikicontradict, wikicontradict_articles

    recs = read_jsonl(EVAL_DIR / "wikicontradict-dev.jsonl", limit=10)
    arts = list(wikicontradict_articles(recs))
    store = build_store(tmp_path / "wiki", arts, eval_app)
    engine = AnswerEngine(store, embedder)
    answers = [engine.answer(r["question"]) for r in recs]
    for ans in answers:
        for c in ans.citations:
            assert store.get_article(c.article_id).text[c.start:c.end] == c.quote
    scores = score_wikicontradict(recs, answers, article_ids(store, [a.location for a in arts]))
    assert 0.0 <= scores["both_sides_cited"] <= 1.0
    assert scores["median_chars"] > 0
