"""Pieces of the answer engine that need no model: speakers, stances, dates,
duplicate collapse, follow-up detection and the evaluation scorers."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.answer import Answer, Citation
from retrieval.evidence import analyze, claim_date, classify_stance, find_speaker
from retrieval.search import Hit, HybridSearcher
from retrieval.terms import load_lexicon, terms

LEX = load_lexicon()


@pytest.mark.parametrize("sentence, speaker", [
    ("Kremlin spokesman Dmitry Peskov told journalists that the report was false.",
     "Kremlin spokesman Dmitry Peskov"),
    ("The Washington Post reported Sunday that Trump talked by phone on Thursday with Putin.",
     "The Washington Post"),
    ("The Kremlin on Monday denied a US media report.", "The Kremlin"),
    ('"They told us the plant will close in March," Brandt said.', "Brandt"),
    ("The Post reported that people familiar with Thursday's call said Trump raised land.",
     "people familiar with Thursday's call"),
    ("The ministers agreed to set aside 2 billion euros, the Polish foreign ministry said.",
     "the Polish foreign ministry"),
    ("The plan will cost 4.5 million euros.", None),
])
def test_find_speaker(sentence, speaker):
    assert find_speaker(sentence, LEX) == speaker


@pytest.mark.parametrize("sentence, stance", [
    ("Peskov said the report was “simply false information”.", "denies"),
    ("Norden Steel has no plans to close the plant.", "denies"),
    ("The company called the report entirely unfounded.", "denies"),
    ("The Washington Post reported that the two leaders spoke.", "supports"),
])
def test_classify_stance(sentence, stance):
    assert classify_stance(sentence, LEX, relevant=True) == stance


def test_irrelevant_sentence_is_context():
    assert classify_stance("No injuries were reported.", LEX, relevant=False) == "context"


def test_claim_date_counts_back_from_publication():
    assert claim_date("The Washington Post reported Sunday that ...", "2024-11-11") == date(2024, 11, 10)
    assert claim_date("The Kremlin on Monday denied it.", "2024-11-11") == date(2024, 11, 11)
    assert claim_date("No weekday here.", "2024-11-11") is None
    assert claim_date("It reported Sunday.", None) is None


def test_word_groups_and_stems():
    assert terms("phoned", LEX) == terms("call", LEX) == ["call"]
    assert terms("closure", LEX) == terms("shut", LEX)
    assert terms("The lanes", LEX) == terms("lane", LEX)


def test_follow_up_detection():
    prev = ["Did the call happen?"]
    assert analyze("Who denied it?", prev, LEX).followup
    assert analyze("Who denied it?", prev, LEX).focus == "denies"
    assert analyze("Who reported it?", prev, LEX).focus == "supports"
    assert not analyze("Who won the county cup final?", prev, LEX).followup
    assert not analyze("Who denied it?", [], LEX).followup


def _hit(article: str, text: str, score: float) -> Hit:
    return Hit(f"{article}:0", article, text, 0, len(text), {"source": article}, score=score)


def test_wire_copies_collapse_but_edited_copies_stay():
    searcher = HybridSearcher(store=None, embedder=None, lexicon=LEX)
    story = "Norden Steel will close its Millbrook plant by the end of March, cutting about 800 jobs."
    edited = story.replace("800", "1,200")
    hits = [_hit("a", story, 3), _hit("b", story, 2), _hit("c", edited, 1)]
    kept = searcher._collapse(hits)
    assert [h.article_id for h in kept] == ["a", "c"]
    assert kept[0].duplicates == ["b"]


def test_diversify_caps_articles_per_publisher():
    searcher = HybridSearcher(store=None, embedder=None, lexicon=LEX, per_article=1)
    hits = [_hit(f"x{i}", f"text {i}", 10 - i) for i in range(4)]
    for h in hits:
        h.meta["source"] = "Same Wire"
    hits.append(_hit("other", "other text", 1))
    chosen = [h.article_id for h in searcher._diversify(hits, k=4)]
    assert "other" in chosen and len(chosen) == 4


# -- scorers --------------------------------------------------------------------------
def _answer(text: str, status: str = "answered", quotes=()) -> Answer:
    cites = [Citation(n=i + 1, article_id=a, title="t", source=None, published=None, url=None,
                      quote=q, start=0, end=len(q), stance="supports")
             for i, (a, q) in enumerate(quotes)]
    return Answer(question="q", status=status, answer=text, citations=cites)


def test_contains_folds_case_and_punctuation():
    from retrieval.evaluate import contains

    assert contains("there were 3,559 people, 1,575 households", "3,559 people")
    assert contains("Born February 8, 1900 in", "february 8 1900")
    assert not contains("in 19000", "1900")


def test_ramdocs_scoring():
    from retrieval.evaluate import score_ramdocs

    recs = [{"gold_answers": ["1902"], "wrong_answers": ["1885"]}] * 3
    answers = [
        _answer("According to X: built in 1902."),
        _answer("The sources give different answers: 1902 and 1885.", status="conflict"),
        _answer("According to X: built in 1885."),
    ]
    got = score_ramdocs(recs, answers)
    assert got["all_gold"] == pytest.approx(2 / 3)
    assert got["exact"] == pytest.approx(1 / 3)
    assert got["wrong_as_fact"] == pytest.approx(1 / 3)


def test_wikicontradict_scoring():
    from retrieval.evaluate import score_wikicontradict

    rec = {"question": "When was the base established?", "answer1": "1934", "answer2": "1933",
           "context1": "The base was established in 1934.", "context2": "A plant was installed in 1933."}
    ids = {"wikicontradict-dev#0.1": "p1", "wikicontradict-dev#0.2": "p2",
           "wikicontradict-dev#1.1": "p1", "wikicontradict-dev#1.2": "p2"}
    both = _answer("… 1934 [1] … 1933 [2]", "conflict",
                   [("p1", "The base was established in 1934."), ("p2", "A plant was installed in 1933.")])
    one = _answer("… 1934 [1]", "answered", [("p1", "The base was established in 1934.")])
    got = score_wikicontradict([rec, rec], [both, one], ids)
    assert got["both_sides_cited"] == 0.5
    assert got["both_answers_in_text"] == 0.5
