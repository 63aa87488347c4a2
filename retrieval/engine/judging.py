"""The judgement model in the answer engine: it reads the best candidate sentences
against the question and overrides the cue words where it is sure.

Only the few best sentences by the retrieval score are judged (``candidates``, at most
``per_article`` of one article), in one batch, each with its article's headline before
it; a sentence opening with "He", "She", "His" or "Her" is read with the full name the
question asks about in its place when that person is the last one its article names
before it ("She died in Vienna in 1931." for "When did Maria Kessler die?", which the
model reads as beside the question). Where the model is sure a sentence contradicts
the claim it is the denying side; where it is sure a sentence supports a yes/no claim
it is the supporting side; where it reads a sentence as plainly beside the question,
that sentence is not quoted (:func:`bears`). In an article that denies a yes/no claim
in so many words, with the model sure of it, an unattributed restatement of the claim
is not a report of it. Everything else, and every sentence past the judged few, keeps
the cue-word reading; the order of the evidence is unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

from retrieval.common.defaults import JUDGE
from retrieval.common.terms import stem, terms, words
from retrieval.engine.claims import negated_claim, turn_round
from retrieval.engine.evidence import Evidence, Question


@dataclass(frozen=True)
class JudgeSettings:
    """How the engine uses the judgement model (``[judge]`` in the configuration)."""

    candidates: int = JUDGE["candidates"]  # sentences judged per question
    per_article: int = 4  # ... at most this many from one article
    answers: float = 0.5  # p(answers) from which a sentence counts as answering
    context: str = "title"  # what the model reads: "sentence", or "title" (headline: sentence)
    sure: float = 0.6  # p(supports) or p(contradicts) from which the model's side overrides the cue words
    irrelevant: float = 0.15  # p(answers) under which (with "neutral" likeliest) a sentence is not quoted
    min_answers: float = 0.5  # an answer whose quotes all read below this p(answers) is not given
    unknown_name: float = 0.99  # p(answers) of a quote that lets through a name no article holds
    cited_names: bool = True  # ... or that no article the answer cites holds
    partial_name: float = 0.97  # ... or holds only in part (its last word, not most of its words)
    reads_answering: float = 0.9  # p(answers) that makes a sentence quotable though it shares few of the question's words


def candidates(evidence: Sequence[Evidence], settings: JudgeSettings) -> list[Evidence]:
    """The sentences worth judging: the best first, a few per article."""
    per: dict[str, int] = {}
    out: list[Evidence] = []
    for e in evidence:
        if per.get(e.article_id, 0) >= settings.per_article:
            continue
        per[e.article_id] = per.get(e.article_id, 0) + 1
        out.append(e)
        if len(out) >= settings.candidates:
            break
    return out


def judged_stance(cue: str, j: Any, question: Question, settings: JudgeSettings) -> str:
    """The model's side where it is sure; else the side the cue words gave, unless the
    model reads a yes/no question's "supporting" sentence as taking no side at all."""
    if j.contradicts >= settings.sure and j.contradicts > j.supports:
        return "denies"
    if (j.supports >= settings.sure and j.supports > j.contradicts and question.kind == "yesno"
            and cue != "denies"):
        # (a denial in so many words, "denied a report that they had spoken", restates
        # the claim it denies: the model reads that as support, the words do not)
        return "supports"
    if j.neutral >= settings.sure and cue == "supports" and j.answers < settings.answers \
            and question.kind == "yesno":
        return "context"  # (a wh-question's "who denied it?" leaves the report a side)
    if cue == "supports" and question.kind == "yesno" and j.contradicts > j.supports:
        # the words found the claim's terms, the model leans against it, though not surely:
        # no report of it ("Zelensky warned there should be no concessions to Putin" for
        # "Was there really a phone conversation between the two presidents?")
        return "context"
    return cue


def judge_evidence(question: Question, evidence: Sequence[Evidence], judge: Any,
                   settings: JudgeSettings, known: dict[tuple[str, int], Any] | None = None,
                   texts: dict[str, str] | None = None) -> list[Evidence]:
    """Judge the candidate sentences in place (judgement and stance); returns the
    evidence, in its order.  ``known`` (article id and start -> judgement) holds the
    readings of an earlier pass over the same question: those sentences are not judged
    again, and the new readings are added to it.  ``texts`` (article id -> text) tells
    whether a "He"/"She" sentence follows the name asked in its article."""
    picks = candidates(evidence, settings)
    if not picks:
        return list(evidence)
    query = question.resolved
    if question.followup and question.focus and query.endswith(question.text):
        # "Who denied it?" after "Will the plant close?": sides are taken on the claim before
        query = query[: -len(question.text)].strip() or query
    core = negated_claim(question)
    query = core or query
    name = question.person
    read = [_named(e.text, name) if name and _introduced(name, e, texts) else e.text for e in picks]
    if settings.context == "title":
        passages = [f"{e.meta.get('title', '')}: {t}" if e.meta.get("title") else t for e, t in zip(picks, read)]
    else:
        passages = read
    known = {} if known is None else known
    todo = [(e, p) for e, p in zip(picks, passages) if (e.article_id, e.start) not in known]
    if todo:
        for (e, _), j in zip(todo, judge.judge([(query, p) for _, p in todo])):
            known[e.article_id, e.start] = j
    worded = {(e.article_id, e.start) for e in picks if e.stance == "denies"}  # denials in so many words
    for e in picks:
        e.judgement = j = known[e.article_id, e.start]
        e.stance = judged_stance(e.stance, j, question, settings)
    if question.kind == "yesno" and question.focus is None and (core is not None or not question.negated):
        _restatements_of_a_denial(picks, worded, settings)
        for e in evidence:
            if e.stance == "supports" and negates_claim(e.text, question):
                e.stance = "denies"  # "... was a detention centre, not a penitentiary": the claim's words denied
    if core is not None:
        # the claim asked in the negative ("... is not dead", "... death hoax"): the sides were
        # taken on the claim itself, and are turned round. "Reports of his death are false"
        # takes the question's side; "He was found dead in his home" is against it
        turn_round(evidence)
    return list(evidence)


# What is denied by a copula's "not" ("was not provisioned", "wasn't peeing"), by "not a ..." and
# ", not ..." ("a detention centre, not a penitentiary") and by "no" ("no nationwide recall"): the
# up to three words after it. Not a verb's "not" ("could not stop the riot" says nothing of where
# it was), nor "no doubt", "no denying", "not only ... but", "not until".
_NOT = re.compile(r"(?:\b(?:is|was|are|were|be|been)\s+not\s+|\b(?:is|was|are|were)n['’]t\s+|"
                  r"\bnot\s+(?=(?:an?|the)\s)|,\s*not\s+|\bno\s+(?!doubt\b|denying\b|question\b|longer\b))"
                  r"(?!only\b|just\b|merely\b|simply\b|until\b)((?:[\w'’-]+\s+){0,2}[\w'’-]+)", re.IGNORECASE)


def negates_claim(text: str, question: Question) -> bool:
    """Whether a sentence denies a yes/no claim in the claim's own words: a word the question
    asks about (not a name) negated ("a detention centre, not a penitentiary" for "Did the
    massacre take place in a penitentiary?"; "Seidel wasn't peeing" for "Was the weatherman
    peeing on camera?")."""
    asked = set(question.terms) - question.entity_terms
    lexicon = question.lexicon
    return any((set(terms(m.group(1), lexicon)) if lexicon else {stem(w) for w in words(m.group(1))}) & asked
               for m in _NOT.finditer(text))


def _restatements_of_a_denial(picks: Sequence[Evidence], worded: set[tuple[str, int]],
                              settings: JudgeSettings) -> None:
    """In an article with a denial of a yes/no claim in so many words ("This is false.")
    that the model is sure of too, a "supporting" sentence that names nobody as saying it
    ("Texas Turkey Farm Contaminated With Ebola", quoted by the story that debunks it) is
    the claim being denied: context, not a side.  A report with its reporter named stays
    a side ("The Washington Post reported ..." beside the Kremlin's denial in one
    article).  (The model alone is not enough: it reads encyclopedic sentences such as a
    birth date and a job as denials, and took WikiContradict sides away.)"""
    # (a denial in words stays "denies" whatever the model reads: judged_stance)
    denying = {e.article_id for e in picks
               if (e.article_id, e.start) in worded and e.judgement.contradicts >= settings.sure}
    for e in picks:
        if e.article_id in denying and e.stance == "supports" and not e.speaker:
            e.stance = "context"


FULL_COVERAGE = 0.9  # share of the question's terms a sentence holds for its words to count beside the model


def bears(e: Evidence, question: Question, settings: JudgeSettings) -> bool:
    """Whether a sentence may be quoted as far as the model is concerned: unless it
    was judged and read as plainly beside the question."""
    j = e.judgement
    if j is None or question.focus is not None:
        return True  # unjudged; or "Who denied it?", answered beside the report it denies
    if question.answer_type and e.has_answer_type and e.own_coverage >= FULL_COVERAGE:
        # "When did the call take place?": "... Trump talked by phone on Thursday with Putin"
        # holds every word asked and a day; the model's reading alone does not set it aside
        return True
    return not (j.answers < settings.irrelevant and j.neutral >= max(j.supports, j.contradicts))


_PRONOUN = re.compile(r"(He|She)\b(?=\s+[a-z])")
_POSSESSIVE = re.compile(r"(His|Her)\b(?=\s+[a-z])")
# two capitalised words in a row: maybe another person ("taught Anton Weber"; a place or a
# "The Post" too, which only makes the reading more careful)
_OTHER_NAME = re.compile(r"\b[A-Z][\w'’-]+\s+[A-Z][\w'’-]+")


def _introduced(name: str, e: Evidence, texts: dict[str, str] | None) -> bool:
    """Whether the person asked about is the one last named before the sentence in its
    article (by the last word of the name): "His father, ..." in an article about someone
    else, or "He died ..." after "Maria Kessler taught Anton Weber", is not about them."""
    before = (texts or {}).get(e.article_id, "")[:e.start]
    last = name.split()[-1]
    at = max((m.end() for m in re.finditer(rf"\b{re.escape(last)}\b", before, re.IGNORECASE)), default=-1)
    if at < 0:
        return False
    since = before[at:]
    return not any(last.casefold() not in m.group().casefold() for m in _OTHER_NAME.finditer(since))


def _named(text: str, name: str) -> str:
    """A sentence opening with "He", "She", "His" or "Her" ("He died in Taiwan in 1972.")
    read with the name asked in its place."""
    if _PRONOUN.match(text):
        return _PRONOUN.sub(name, text, count=1)
    if _POSSESSIVE.match(text):
        return _POSSESSIVE.sub(name + "'s", text, count=1)
    return text
