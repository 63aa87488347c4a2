"""Whether articles are about what a question names: the names no cited article holds
(an answer about "Crazy World" from an article that never names it), and the articles
on the best one's story (an article that never names what its headline names speaks of
something else)."""

from __future__ import annotations

from retrieval.common.terms import Lexicon, terms
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.prose import Composition
from retrieval.engine.quotes import ArticleInfo


def names_missing(question: Question, comp: Composition,
                  articles: dict[str, ArticleInfo]) -> tuple[list[tuple[str, ...]], bool]:
    """The names asked about (not numbers) that no article the answer cites holds, when
    they are most of them: an answer about "Crazy World" from an article that
    never names it is about something else (none, when a quote names the person asked
    about in full).  Also whether every missing name has its last word held (it is only
    partly missing)."""
    names = question.names
    if not names or question.lexicon is None:
        return [], False
    # a quote that itself names the person asked about in full ("In 1987, Tomas Brandt became
    # the museum's director") is about them, whatever else the question names
    whole = set(terms(question.person, question.lexicon)) if question.person else set()
    if whole and any(whole <= set(terms(c.quote, question.lexicon)) for c in comp.citations):
        return [], False
    held: set[str] = set()
    for a in {c.article_id for c in comp.citations}:
        held |= _article_terms(articles[a], question.lexicon)
    # A name counts as held when its last word is (the family name, the head of
    # "Kate Chopin House") and most of its words are ("county cup" is not "World Cup").
    missing = [g for g in names if g[-1] not in held or sum(t in held for t in g) * 2 <= len(g)]
    if len(missing) * 2 <= len(names):
        return [], False
    return missing, all(g[-1] in held for g in missing)


def on_the_story(question: Question, pool: list[Evidence],
                 articles: dict[str, ArticleInfo]) -> list[Evidence]:
    """The evidence of articles on the best one's story: when its headline names some of
    the names asked about ("Meta Outage Hits Facebook ..."), an article that never names
    them all is about something else ("the sky above São Paulo went dark" is no answer to
    "Which country went dark during the Meta outage?").  Else nothing is dropped."""
    if not question.names or question.lexicon is None:
        return pool
    lexicon = question.lexicon
    headline = set(terms(articles[pool[0].article_id].title, lexicon))
    story = [g for g in question.names if g[-1] in headline]
    if not story:
        return pool
    about: dict[str, bool] = {}
    for a in dict.fromkeys(e.article_id for e in pool):
        held = _article_terms(articles[a], lexicon)
        about[a] = all(g[-1] in held for g in story)
    return [e for e in pool if about[e.article_id]]


def _article_terms(info: ArticleInfo, lexicon: Lexicon) -> set[str]:
    """The terms of an article's headline and text (what names it holds)."""
    return set(terms(f"{info.title} {info.text}", lexicon))
