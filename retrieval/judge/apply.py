"""The judgement model in the answer engine: it reads the best candidate sentences
against the question and decides their stance and whether they answer it.

Only the few best sentences by the retrieval score are judged (``candidates``, at
most ``per_article`` of one article), in one batch.  A judged sentence's stance
becomes the model's (``supports``, ``denies`` or ``context``); its score is moved
toward the model's reading of how well it answers; sentences left unjudged are
not quoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..evidence import Evidence, Question


@dataclass(frozen=True)
class JudgeSettings:
    """How the engine uses the judgement model (``[judge]`` in the configuration)."""

    candidates: int = 24  # sentences judged per question
    per_article: int = 4  # ... at most this many from one article
    answers: float = 0.5  # p(answers) from which a sentence counts as answering
    stance: float = 0.5  # p(supports) or p(contradicts) from which it takes that side
    weight: float = 0.0  # share of a sentence's score that follows the judgement (0: order unchanged)
    context: str = "title"  # what the model reads: "sentence", or "title" (headline: sentence)
    sure: float = 0.7  # p(supports) or p(contradicts) from which the model's side overrides the cue words
    irrelevant: float = 0.15  # p(answers) under which (with "neutral" likeliest) a sentence is not quoted
    hybrid: bool = True  # the model overrides cue words and term overlap where it is sure of itself


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


def stance_of(j: Any, question: Question, settings: JudgeSettings) -> str:
    """``supports``, ``denies`` or ``context`` from a judgement."""
    if j.contradicts >= settings.stance and j.contradicts >= j.supports:
        return "denies"
    if question.kind == "yesno":
        return "supports" if j.supports >= settings.stance and j.supports >= j.contradicts else "context"
    # A wh-question has no claim to support: an answering sentence states an answer.
    return "supports" if j.answers >= settings.answers else "context"


def hybrid_stance(cue: str, j: Any, question: Question, settings: JudgeSettings) -> str:
    """The model's side where it is sure; else the side the cue words gave, unless the
    model reads the sentence as taking no side at all."""
    if j.contradicts >= settings.sure and j.contradicts > j.supports:
        return "denies"
    if j.supports >= settings.sure and j.supports > j.contradicts and question.kind == "yesno":
        return "supports"
    if j.neutral >= settings.sure and cue == "supports" and j.answers < settings.answers \
            and question.kind == "yesno":
        return "context"  # (a wh-question's "who denied it?" leaves the report a side)
    return cue


def relevance(j: Any, question: Question) -> float:
    """How much a judged sentence bears on the question, 0..1."""
    if question.kind == "yesno":
        return max(j.answers, j.supports, j.contradicts)
    return max(j.answers, j.contradicts if j.answers >= 0.3 else 0.0)


def judge_evidence(question: Question, evidence: Sequence[Evidence], judge: Any,
                   settings: JudgeSettings) -> list[Evidence]:
    """Judge the candidate sentences; returns only them, re-scored, best first."""
    picks = candidates(evidence, settings)
    if not picks:
        return []
    query = question.resolved
    if question.followup and question.focus and query.endswith(question.text):
        # "Who denied it?" after "Will the plant close?": sides are taken on the claim before
        query = query[: -len(question.text)].strip() or query
    if settings.context == "title":
        passages = [f"{e.meta.get('title', '')}: {e.text}" if e.meta.get("title") else e.text for e in picks]
    else:
        passages = [e.text for e in picks]
    for e, j in zip(picks, judge.judge(list(zip([query] * len(picks), passages)))):
        e.judgement = j
        e.stance = hybrid_stance(e.stance, j, question, settings) if settings.hybrid \
            else stance_of(j, question, settings)
        e.score = e.score * (1.0 - settings.weight + settings.weight * relevance(j, question))
    if settings.hybrid:  # sentences past the judged few keep their cue-word reading
        picked = {id(e) for e in picks}
        picks += [e for e in evidence if id(e) not in picked]
    picks.sort(key=lambda e: (-e.score, e.start))
    return picks


def bears(e: Evidence, question: Question, settings: JudgeSettings) -> bool:
    """Whether the model reads a judged sentence as bearing on the question (in hybrid
    mode: whether it does not read it as plainly beside the question)."""
    j = e.judgement
    if j is None:
        return settings.hybrid
    if settings.hybrid:
        if question.focus is not None:
            return True  # "Who denied it?" is answered beside the report it denies
        return not (j.answers < settings.irrelevant and j.neutral >= max(j.supports, j.contradicts))
    if j.answers >= settings.answers:
        return True
    if question.kind == "yesno":
        return max(j.supports, j.contradicts) >= settings.stance and j.neutral < 0.5
    return j.contradicts >= settings.stance and j.answers >= 0.3
