"""The answer engine over data/sample: conflict, one side, abstention, follow-ups,
verbatim quotes, the JSON schema, filters and the LangChain runnable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from importlib import resources

from retrieval.engine.answer import STANCES, STATUSES, Answer
from retrieval.common.errors import NewsbotError

CANONICAL = "Did the call happen?"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def cited_numbers_in_text(answer: Answer) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]


# -- the canonical conflict ---------------------------------------------------------
def test_canonical_question_reports_the_conflict(engine, stem_of):
    ans = engine.answer(CANONICAL)
    assert ans.status == "conflict"
    assert ans.answer.startswith("Sources conflict:")
    assert "Washington Post" in ans.answer
    assert "simply false information" in ans.answer
    assert "Peskov" in ans.answer
    assert "Sunday, 10 Nov 2024" in ans.answer  # the day the Post reported, from the weekday
    assert set(cited_numbers_in_text(ans)) == {1}
    assert {c.n for c in ans.citations} == {1}
    assert {stem_of[c.article_id] for c in ans.citations} == {"kremlin-denies-call"}
    stances = {c.stance: c for c in ans.citations}
    assert set(stances) == {"supports", "denies"}
    assert "Washington Post reported" in stances["supports"].quote
    assert "simply false information" in stances["denies"].quote
    assert all(c.source == "AFP" and c.published == "2024-11-11" for c in ans.citations)


def test_split_conflict_cites_each_publisher_numbered_by_first_use(engine, stem_of):
    ans = engine.answer("Will the Millbrook plant close?")
    assert ans.status == "conflict"
    numbers = cited_numbers_in_text(ans)
    assert list(dict.fromkeys(numbers)) == [1, 2]  # numbered by first use (the timeline repeats them)
    by_n = {c.n: c for c in ans.citations}
    assert stem_of[by_n[1].article_id] == "steel-plant-to-close" and by_n[1].stance == "supports"
    assert stem_of[by_n[2].article_id] == "steel-plant-denial" and by_n[2].stance == "denies"
    assert "Harbor Gazette" in ans.answer and "Valley Courier" in ans.answer
    assert [c.n for c in ans.sources()] == [1, 2]


# -- one side, abstention -------------------------------------------------------------
def test_one_side_is_attributed_not_stated_as_fact(engine, stem_of):
    ans = engine.answer("How much will the Riverside bike lanes cost?")
    assert ans.status == "answered"
    assert ans.answer.startswith("According to Riverside Daily (6 Nov 2024)")
    assert "4.5 million euros" in ans.answer
    assert [stem_of[c.article_id] for c in ans.citations] == ["riverside-bike-lanes"]
    assert ans.citations[0].n == 1


def test_unanswerable_question_abstains_and_names_the_closest_articles(engine):
    ans = engine.answer("Did Putin meet Xi Jinping?")
    assert ans.status == "not_found"
    assert ans.citations == []
    assert ans.answer.startswith("The stored articles do not answer this question.")
    assert ans.closest, "a not-found answer names the closest articles"
    for article in ans.closest:
        assert article.title in ans.answer
    assert "Kremlin denies Putin and Trump spoke on the phone" in ans.answer


def test_unrelated_question_abstains(engine):
    ans = engine.answer("Who won the Nobel Prize in Literature?")
    assert ans.status == "not_found"
    assert not ans.citations


# -- follow-ups -----------------------------------------------------------------------
def test_follow_up_who_denied_it_uses_the_history(engine):
    first = engine.answer(CANONICAL)
    ans = engine.answer("Who denied it?", [(CANONICAL, first)])
    assert ans.resolved_question == f"{CANONICAL} Who denied it?"
    assert ans.answer.startswith("Kremlin spokesman Dmitry Peskov denied it")
    assert ans.citations[0].stance == "denies"
    assert "simply false information" in ans.citations[0].quote
    assert ans.status == "conflict"


def test_follow_up_accepts_plain_questions_and_langchain_messages(engine):
    from langchain_core.messages import AIMessage, HumanMessage

    as_strings = engine.answer("Who denied it?", [CANONICAL])
    as_messages = engine.answer(
        "Who denied it?", [HumanMessage(CANONICAL), AIMessage("The sources conflict.")]
    )
    assert as_strings.to_dict()["answer"] == as_messages.to_dict()["answer"]
    assert "Peskov denied it" in as_strings.answer


def test_a_new_topic_is_not_merged_with_the_history(engine):
    ans = engine.answer("Who won the county cup final?", [CANONICAL])
    assert ans.resolved_question == "Who won the county cup final?"
    assert "Millbrook Rovers" in ans.answer


# -- quotes and schema ----------------------------------------------------------------
QUESTIONS = [
    CANONICAL,
    "Will the Millbrook plant close?",
    "Is Norden Steel cutting jobs at Millbrook?",
    "How much will the Riverside bike lanes cost?",
    "What did astronomers detect on Aurel-3b?",
    "How many homes lost power in Port Avell during Storm Bruna?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_quote_is_verbatim_stored_text(engine, sample_store, question):
    ans = engine.answer(question)
    assert ans.citations
    for c in ans.citations:
        text = sample_store.get_article(c.article_id).text
        assert text[c.start:c.end] == c.quote
        assert c.quote.strip() == c.quote and c.quote


def test_json_schema_is_exact(engine):
    data = engine.answer(CANONICAL).to_dict()
    json.dumps(data)
    assert list(data) == ["question", "status", "answer", "citations", "engine", "notice",
                          "verdict", "sides", "answers", "timeline"]
    assert data["verdict"] == data["answer"].splitlines()[0]
    for side in data["sides"]:
        assert list(side) == ["stance", "claim", "attributed_to", "citations", "independent_sources",
                              "outlets", "copies", "single_source"]
        assert side["stance"] in ("supports", "denies", "answer")
        assert set(side["citations"]) <= {c["n"] for c in data["citations"]}
        assert side["independent_sources"] >= 1 and side["outlets"]
    for entry in data["timeline"]:
        assert list(entry) == ["date", "who", "claim", "citation"]
        assert entry["citation"] in {c["n"] for c in data["citations"]}
    assert data["engine"] == "offline" and data["notice"] is None  # no language model configured
    assert isinstance(data["question"], str) and isinstance(data["answer"], str)
    assert data["status"] in STATUSES
    for c in data["citations"]:
        assert list(c) == ["n", "article_id", "title", "source", "published", "url", "quote",
                           "start", "end", "stance"]
        assert isinstance(c["n"], int) and isinstance(c["start"], int) and isinstance(c["end"], int)
        for key in ("article_id", "title", "quote"):
            assert isinstance(c[key], str)
        for key in ("source", "published", "url"):
            assert c[key] is None or isinstance(c[key], str)
        assert c["stance"] in STANCES
    assert engine.answer("What is the capital of Australia?").to_dict()["citations"] == []


# -- filters --------------------------------------------------------------------------
def test_source_filter_is_case_insensitive_and_keeps_one_side(engine, stem_of):
    ans = engine.answer("Will the Millbrook plant close?", source="valley courier")
    assert ans.status == "answered"
    assert {stem_of[c.article_id] for c in ans.citations} == {"steel-plant-denial"}
    assert ans.citations[0].stance == "denies"


def test_since_filter_drops_older_articles(engine, stem_of):
    ans = engine.answer("Will the Millbrook plant close?", since="2024-11-13")
    assert {stem_of[c.article_id] for c in ans.citations} == {"steel-plant-denial"}
    assert engine.answer(CANONICAL, since="2024-12-01").status == "not_found"


def test_bad_input_is_a_user_error(engine):
    with pytest.raises(NewsbotError):
        engine.answer("   ")
    with pytest.raises(NewsbotError, match="since"):
        engine.answer(CANONICAL, since="last week")


# -- the runnable and the cache ---------------------------------------------------------
def test_runnable_takes_question_and_history(engine):
    chain = engine.as_runnable()
    first = chain.invoke(CANONICAL)
    assert isinstance(first, Answer) and first.status == "conflict"
    follow = chain.invoke({"question": "Who denied it?", "chat_history": [(CANONICAL, first)]})
    assert "Peskov denied it" in follow.answer
    with pytest.raises(NewsbotError):
        chain.invoke({"text": "no question key"})


def test_lexical_index_is_cached_on_disk(sample_store, embedder, tmp_path, monkeypatch):
    from retrieval.engine.engine import AnswerEngine
    from retrieval.index.lexical import ShardPart

    first = AnswerEngine(sample_store, embedder, cache_dir=tmp_path)
    expected = first.answer(CANONICAL).to_dict()
    assert list(tmp_path.glob("lexical-*/shard0-*/header.json"))

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the cached index should have been loaded")

    monkeypatch.setattr(ShardPart, "build", no_rebuild)
    second = AnswerEngine(sample_store, embedder, cache_dir=tmp_path)
    assert second.answer(CANONICAL).to_dict() == expected



def test_a_changed_lexicon_rebuilds_the_cached_lexical_index(sample_store, embedder, tmp_path):
    """The cached lexical index holds the terms of the lexicon it was built under; a
    lexicon with another word group (here "storm" read as "hurricane") gets its own
    index, so a search for "hurricane" finds the storm article, which an index built
    under the packaged lexicon cannot."""
    from retrieval.common.terms import load_lexicon, terms
    from retrieval.engine.engine import AnswerEngine

    packaged = resources.files("retrieval.common").joinpath("lexicon.toml").read_text(encoding="utf-8")
    custom = tmp_path / "lexicon.toml"
    custom.write_text(packaged.replace("flood = [", 'hurricane = ["hurricane", "storm"]\nflood = ['),
                      encoding="utf-8")
    lexicon = load_lexicon(custom)
    assert lexicon.fingerprint != load_lexicon(None).fingerprint
    query = terms("hurricane", lexicon)

    cache = tmp_path / "cache"
    old = AnswerEngine(sample_store, embedder, cache_dir=cache).searcher.index()
    assert not old.top(query, 3)  # the packaged lexicon indexed "storm" as itself
    new = AnswerEngine(sample_store, embedder, cache_dir=cache, lexicon_path=custom).searcher.index()
    assert len(list(cache.glob("lexical-*/shard0-*/header.json"))) == 2  # its own, beside the old
    found = {part.chunk_id(pos) for part, pos, _ in new.top(query, 3)}
    assert found and all("storm" in sample_store.get_chunks({0: [cid]})[cid].text.lower() for cid in found)

# -- wire copies and empty stores ----------------------------------------------------------
def test_wire_copy_is_collapsed_onto_one_citation(embedder, eval_app, tmp_path, stem_of):
    from dataclasses import replace

    from retrieval.engine.engine import AnswerEngine
    from bot.eval_sets import build_store, read_sample_articles

    articles = read_sample_articles(SAMPLE)
    seed = next(a for a in articles if a.location.endswith("kremlin-denies-call.md"))
    copy = replace(seed, text=seed.text.replace("The Kremlin on Monday", "The Kremlin on Monday,"),
                   location="copy#1", source="Other Wire", path=None)
    store = build_store(tmp_path / "store", [seed, copy], eval_app)
    ans = AnswerEngine(store, embedder).answer(CANONICAL)
    assert ans.status == "conflict"
    # quoted once, and both outlets named as carrying one text: one independent source
    assert len({c.article_id for c in ans.citations}) == 1
    assert all(side.independent_sources == 1 and sorted(side.outlets) == ["AFP", "Other Wire"]
               for side in ans.sides)


def test_empty_store_is_a_user_error(embedder, tmp_path):
    from retrieval.engine.engine import AnswerEngine
    from retrieval.common.errors import StoreError
    from retrieval.index.store import Store, embedded_client

    store = Store(embedded_client(tmp_path / "empty"), "news", embedder.model_name)
    with pytest.raises(StoreError, match="newsbot ingest"):
        AnswerEngine(store, embedder).answer(CANONICAL)


def test_what_trump_told_putin_is_the_post_report_not_three_stories(engine):
    """ "What did Trump tell Putin?" is answered by the Post's report of the call ("telling
    him not to inflame the conflict"), the sentence of the AFP story the model reads as
    answering, not by Zelensky's warning beside it; and the transition-team and economic-forum
    stories, which do not name both men the AFP headline names, are no "different answers"."""
    ans = engine.answer("What did Trump tell Putin?")
    assert ans.status == "answered", ans.answer
    assert "telling him not to inflame the conflict" in ans.answer, ans.answer
    assert len({c.article_id for c in ans.citations}) == 1, ans.answer


def test_the_report_side_quotes_the_report_not_a_promise_to_talk(engine):
    """ "Did Trump and Putin speak on the phone?": of the AFP story's sentences the model
    reads alike, the supporting side quotes the Post's report that they talked by phone,
    not the campaign promise that he "would talk directly with Putin"."""
    ans = engine.answer("Did Trump and Putin speak on the phone?")
    assert ans.status == "conflict", ans.answer
    assert ans.verdict.startswith("Sources conflict: the Washington Post reports it"), ans.verdict
    assert "would talk directly" not in ans.answer



def test_when_the_call_took_place_is_the_day_the_post_reported_beside_the_denial(engine):
    """ "When did the call take place?": the Post's sentence holds every word asked and the
    day ("talked by phone on Thursday"), though the model reads it as beside the question;
    it is quoted, beside the Kremlin's denial that any call took place, not the denial alone."""
    ans = engine.answer("When did the call take place?")
    assert "talked by phone on Thursday" in ans.answer, ans.answer
    assert ans.status == "conflict" and "Peskov" in ans.answer, ans.answer


def test_a_short_question_of_common_words_is_answered_by_the_sentence_holding_them(engine):
    """ "Who said the plant will close?" is far in meaning from every passage (its words are
    common), so no sentence was quotable; the union leader's quote holds all its words and
    the model reads it as answering: the answer is Brandt's report against the company's
    denial."""
    ans = engine.answer("Who said the plant will close?")
    assert ans.status == "conflict", ans.answer
    assert "Brandt" in ans.verdict and "Karin Holm" in ans.verdict, ans.verdict



def test_a_chunk_only_the_words_found_keeps_its_similarity_to_the_question(sample_store, embedder, monkeypatch):
    """A passage the lexical search finds but the nearest-neighbour search does not reach
    (here it reaches nothing) is read with its own similarity to the question, from its
    stored vector, not as 0: the engine weighs a sentence's closeness in meaning before
    quoting it, and "Will the Millbrook plant close?" is still answered."""
    from retrieval.common.terms import load_lexicon, terms
    from retrieval.engine.engine import AnswerEngine
    from retrieval.engine.search import HybridSearcher

    lex = load_lexicon(None)
    question = "Will the Millbrook plant close?"
    reached = {h.chunk_id: h.dense for h in HybridSearcher(sample_store, embedder, lex).search(
        question, terms(question, lex), k=6)}
    monkeypatch.setattr(sample_store, "nearest_chunks", lambda *args, **kwargs: [])
    hits, _ = HybridSearcher(sample_store, embedder, lex).search_with_index(question, terms(question, lex), k=6)
    assert hits
    for hit in hits:  # the same similarity the nearest-neighbour search gives where it reaches
        assert hit.dense > 0.05, (hit.chunk_id, hit.dense)
        if hit.chunk_id in reached:
            assert abs(hit.dense - reached[hit.chunk_id]) < 1e-3, hit.chunk_id
    assert AnswerEngine(sample_store, embedder).answer(question).status != "not_found"
