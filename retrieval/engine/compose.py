"""Composition: from scored evidence to the answer text and its citations.

Three shapes, chosen from the evidence alone:

* **conflict**: relevant sentences both support and deny the claim, or several
  articles give different answers (names, numbers, wording; also an article close in
  meaning whose figures differ from the best answer's).  The answer says the sources
  conflict, then gives each side with its speaker, date, verbatim quote and citation:
  for different answers, each article's answer-bearing sentence, compactly (one
  attribution for quotes in a row from one publisher).
* **answered**: one side only.  Always attributed ("According to ..."), never stated as bare fact.
* **not_found**: nothing relevant enough.  The answer says so and names
  the closest articles, citing none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from retrieval.engine.claims import may_report, turned
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.forms import answers_by_form, tells_nothing
from retrieval.engine.judging import JudgeSettings, bears
from retrieval.engine.naming import names_missing, on_the_story
from retrieval.engine.prose import (Composition, Side, not_found, one_voice, write_answers, write_conflict,
                                    write_one_side, write_one_voice)
from retrieval.engine.values import fuller_date
from retrieval.engine.variants import answer_values, figures_differ, group_by_answer, holds_asked_figures, same_answer
from retrieval.engine.quotes import ArticleInfo, format_date, quoted  # noqa: F401 - callers import these from here


@dataclass(frozen=True)
class ComposeSettings:
    """Thresholds and sizes of composition."""

    min_coverage: float = 0.3  # weighted share of question terms a usable sentence carries
    min_dense: float = 0.25  # chunk similarity below which lexical matches alone do not count
    strong_dense: float = 0.55  # chunk similarity that makes a sentence usable by itself
    sure_coverage: float = 0.9  # own coverage that makes a sentence usable without the answer type
    side_ratio: float = 0.5  # a side's score relative to the best evidence
    max_sides: int = 6  # articles quoted in a conflict of answers
    dissent_dense: float = 0.75  # a differing answer counts from this share of the best's similarity
    dissent_score: float = 0.25  # ... and this share of the best evidence's score
    second_ratio: float = 0.75  # (0 turns second sentences off)
    second_floor: float = 0.6  # a second sentence of one article scores at least this share of the first
    max_quote: int = 250  # characters of one quote before it is windowed
    member_ratio: float = 0.8  # another article joins a side from this share of its best score ...
    conflict_member: float = 0.6  # ... of a report or a denial that another side disputes
    max_shown: int = 3  # answer groups quoted in the text (the rest are listed and in the JSON)


def usable(ev: Evidence, question: Question, settings: ComposeSettings,
           judge: JudgeSettings | None = None) -> bool:
    """Whether a sentence bears on the question strongly enough to be quoted.

    With the judgement model (``judge``), a sentence it reads as beside the question is
    not, and a denial it is sure of answers a number or date question without a number.
    A sentence that answers by its form ("..., said Katherine Maher" for "What did Katherine
    Maher say?") is usable whatever the model reads."""
    if tells_nothing(ev, question):
        return False
    if answers_by_form(ev, question):
        return True
    if judge is not None:
        if not bears(ev, question, judge):
            return False
        j = ev.judgement
        if (question.answer_type in ("number", "amount", "date") and j is not None
                and ev.stance == "denies" and ev.own_coverage > 0
                and j.contradicts >= judge.sure and j.answers >= judge.answers):
            return True  # a denial answers "how many were cut?" without a number
    if question.answer_type and not ev.has_answer_type and ev.own_coverage < settings.sure_coverage:
        return False  # "who"/"when"/"how many" wants a name, a date, a number
    if ev.own_coverage == 0 and not ev.has_answer_type:
        return False
    if ev.coverage >= settings.min_coverage and ev.dense >= settings.min_dense:
        return True
    if question.names and ev.entity_coverage >= 1.0 and ev.own_coverage >= settings.sure_coverage:
        # "Who is Tomas Brandt?": a question that is little but a name is far in meaning
        # from any passage; a sentence holding the name and nearly all its words answers it
        return True
    if (judge is not None and ev.judgement is not None and ev.own_coverage >= settings.sure_coverage
            and len(set(question.terms) & ev.terms) >= FULL_MATCH_TERMS
            and ev.judgement.answers >= judge.reads_answering and ev.dense >= FULL_MATCH_DENSE):
        # "Who said the plant will close?": a short question of common words is far in meaning
        # from every passage; a sentence holding all its words, read as answering, answers it
        return True
    return ev.dense >= settings.strong_dense


FULL_MATCH_TERMS = 3  # question words a sentence holds to be quoted by them alone ...
FULL_MATCH_DENSE = 0.1  # ... though its passage is this far in meaning from the question


def read_as_answering(ev: Evidence, question: Question, settings: ComposeSettings,
                      judge: JudgeSettings) -> bool:
    """A sentence the model reads as answering, though it shares too few of the
    question's words to be quoted by them ("Flowers are slaty blue." for "Is the color
    of its flowers pale pink?"): it names something asked about and is close in meaning."""
    j = ev.judgement
    if j is None or j.answers < judge.reads_answering or ev.own_coverage <= 0 or tells_nothing(ev, question):
        return False
    if question.answer_type and not ev.has_answer_type:
        return False
    return ev.dense >= settings.min_dense and bears(ev, question, judge)


def compose(
    question: Question,
    evidence: Sequence[Evidence],
    articles: dict[str, ArticleInfo],
    ranked_articles: Sequence[str],
    settings: ComposeSettings,
    *,
    unknown_entities: Sequence[tuple[str, ...]] = (),
    judge: JudgeSettings | None = None,
) -> Composition:
    """Build the answer for a question from its evidence (best first).

    ``ranked_articles`` (best first) are the candidates a not-found answer
    names; ``unknown_entities`` are names asked about that no stored article
    holds, which make the answer not-found whatever the evidence.
    """
    # Sentences the model reads as answering join an answer that the question's words
    # found (another side, in other words); they never make one by themselves.
    pool: list[Evidence] = []
    by_words: list[Evidence] = []
    for e in evidence:
        if e.article_id not in articles:
            continue
        if usable(e, question, settings, judge):
            by_words.append(e)
            pool.append(e)
        elif judge is not None and read_as_answering(e, question, settings, judge):
            pool.append(e)
    if not by_words or (unknown_entities and judge is None):
        return not_found(ranked_articles, articles)
    formed = {id(e) for e in pool if answers_by_form(e, question)}  # (read once per sentence)
    if any(id(e) in formed for e in by_words):
        # "What did Brad Smith say?" is answered by what he is named as saying, not by
        # other voices' sentences about the same things (nor by another Brad's); "Who is
        # Di Li?" by the sentence that says who he is
        pool = [e for e in pool if id(e) in formed]
        by_words = [e for e in by_words if id(e) in formed]
    comp = _shape(question, pool, articles, settings, judge)
    if judge is not None:
        # The model reads whether what the answer quotes answers the question: an answer
        # none of whose quotes (found by the question's words) it reads as answering is
        # no answer; and a name asked about that no stored article holds ("Liu Zhi" where
        # the article says "Liu") is let through only when the model is sure a quote answers.
        sure = answering(comp, pool, by_words, question)
        if sure < judge.min_answers or (unknown_entities and sure < judge.unknown_name):
            return not_found(ranked_articles, articles)
        if judge.cited_names and not unknown_entities and sure < judge.unknown_name:
            # (read only when it can decide: past unknown_name the answer stands anyway)
            missing, partly = names_missing(question, comp, articles)
            # A name whose last word the cited article holds ("Visser" for "Ingrid Visser")
            # is weaker evidence of a mismatch than one it lacks outright: a lower bar.
            if missing and sure < (judge.partial_name if partly else judge.unknown_name):
                return not_found(ranked_articles, articles)
    return comp


def answering(comp: Composition, pool: Sequence[Evidence], found: Sequence[Evidence],
              question: Question) -> float:
    """The model's highest p(answers) among the judged sentences an answer quotes that
    the question's words ``found`` (0 when it quotes none of them); 1.0 when none of
    its quotes was judged: nothing to go on; and 1.0 when one answers by its form (the
    sentence the person asked about is named as saying)."""
    cited = quoted(pool, comp.citations)  # (the citations' quotes, in part or whole)
    if any(answers_by_form(e, question) for e in cited):
        return 1.0
    cited = [e for e in cited if e.judgement is not None]
    if not cited:
        return 1.0
    by_words = {id(e) for e in found}
    return max((e.judgement.answers for e in cited if id(e) in by_words), default=0.0)


def _shape(question: Question, pool: list[Evidence], articles: dict[str, ArticleInfo],
           settings: ComposeSettings, judge: JudgeSettings | None) -> Composition:
    """The answer's shape (conflict, different answers, one side) from usable evidence."""
    pool = on_the_story(question, pool, articles)
    best = pool[0].score
    strong = [e for e in pool if e.score >= settings.side_ratio * best]
    # (a side asked for, "Who denied the call in November?": the sides set the bar, not a caption's date)
    bar = max((e.score for e in pool if e.stance in ("supports", "denies")), default=best) if question.focus else best
    # (the claim asked in the negative, "Did they not speak?": its reports are the denying side)
    claim, other = ("denies", "supports") if turned(question) else ("supports", "denies")
    against = [e for e in pool if e.stance == other and e.score >= 0.5 * bar]
    told = [e for e in pool if e.stance == claim and e.score >= 0.5 * bar and may_report(e, against, articles)]
    supports, denies = (against, told) if claim == "denies" else (told, against)
    # what a side says of the claim itself, as the answer words it ("Peskov denies it": the call)
    said = {"supports": claim, "denies": other}
    if supports and denies:
        sides = [
            Side(_pick(supports, settings.conflict_member), "supports", said["supports"]),
            Side(_pick(denies, settings.conflict_member), "denies", said["denies"]),
        ]
        if one_voice(sides):
            sides = _beside_one_voice(sides, denies, settings)
        if one_voice(sides):
            others = {e.article_id for e in pool} - {e.article_id for side in sides for e in side.evidence}
            return write_one_voice(question, sides, articles, settings.max_quote, alone=not others)
        if question.focus == "denies":
            sides.reverse()
        return write_conflict(question, _each_once(sides), articles, settings.max_quote)

    per_article = _best_per_article(strong, question)[: settings.max_sides]
    groups = group_by_answer(per_article, question)
    if len(groups) == 1:
        other = _dissent(pool, per_article, question, settings)
        if other is not None:
            per_article.append(other)
            groups.append([other])
    one = _pick([e for e in pool if e.stance == per_article[0].stance
                 and e.score >= settings.side_ratio * best], settings.member_ratio)
    one += [g[0] for g in groups if g[0].stance == one[0].stance and id(g[0]) not in map(id, one)
            and holds_asked_figures(g[0].text, question.resolved)]  # (a dissent on other figures)
    leaders = {g[0].article_id for g in groups}
    if (question.kind == "yesno" and len(groups) >= 2 and leaders <= {e.article_id for e in one}
            and not figures_differ((g[0].text for g in groups), question.resolved) and _sure_alike(one, judge)):
        # A yes/no question has two possible answers: sentences the judgement model is
        # sure all report it (in their own words) are one side, not "different answers".
        others = {e.article_id for e in pool} - {e.article_id for e in one}
        side = Side(one, per_article[0].stance, said.get(per_article[0].stance, per_article[0].stance))
        return write_one_side(question, side, articles, settings.max_quote, alone=not others)
    if len(groups) >= 2:
        extra = _second_sentences(per_article, strong, question, settings)
        # Each article speaks through its answering sentence: the one that says what the question
        # asks beside what it says happened, when that is not the best match (a date to the day).
        lead = {e.article_id: fuller_date(max((e, extra.get(e.article_id) or e), key=_answering), strong, question)
                for e in per_article}
        extra = {a: e for e in per_article if (a := e.article_id) in lead and lead[a] is not e}
        sides = [Side([lead[e.article_id] for e in g], g[0].stance, "answer") for g in groups[: settings.max_sides]]
        return write_answers(question, sides, articles, settings.max_quote, settings.max_shown, extra)
    others = {e.article_id for e in pool} - {e.article_id for e in groups[0]}
    stance = groups[0][0].stance
    side = Side(groups[0], stance, said.get(stance, stance) if question.kind == "yesno" else "answer")
    return write_one_side(question, side, articles, settings.max_quote, alone=not others)


# -- choosing evidence ------------------------------------------------------
def _dissent(pool: Sequence[Evidence], chosen: Sequence[Evidence], question: Question,
             settings: ComposeSettings) -> Evidence | None:
    """Another article that gives a different answer, though it matches the question
    less closely in words: its passage is nearly as close in meaning as the best
    one's (dense similarity), it holds what the question asks for, and its names,
    numbers or dates differ from the answer's ("born in 1213" against
    "(1211–1255)").  Wording differs most between sources that disagree."""
    if settings.dissent_dense <= 0 or not chosen:
        return None
    top = chosen[0]
    best = pool[0].score
    taken = {e.article_id for e in chosen}
    for e in pool:
        if e.article_id in taken or e.score < settings.dissent_score * best:
            continue
        if e.dense < settings.dissent_dense * top.dense:
            continue
        if question.answer_type and not e.has_answer_type:
            continue
        if not answer_values(e, question) or same_answer(top, e, question):
            continue
        return e
    return None


def _each_once(sides: list[Side]) -> list[Side]:
    """An article read both ways, in its own voice, is counted on one side only: the side it
    leads (the closer of two), else the side of its closer sentence; a side it alone holds keeps
    it. Voices it names are sides of their own ("The Post reported ..." and "Peskov denied ..."
    in one wire story)."""
    own = [(i, k, e) for i, side in enumerate(sides) for k, e in enumerate(side.evidence) if not e.speaker]
    home: dict[str, int] = {}
    for i, _, e in sorted(own, key=lambda t: (t[1] != 0, -t[2].score, t[0])):
        home.setdefault(e.article_id, i)
    return [Side([e for e in side.evidence if e.speaker or home[e.article_id] == i] or side.evidence[:1],
                 side.stance, side.kind) for i, side in enumerate(sides)]


def _beside_one_voice(sides: list[Side], denies: list[Evidence], settings: ComposeSettings) -> list[Side]:
    """An article read both ways, while another article denies the claim: the conflict is
    between the articles, the denial quoted from the others ("They exclusively live at the
    summits" against another article's "occur in arctic and high alpine regions"), not one
    article said to write both."""
    own = sides[0].evidence[0].article_id
    rest = [e for e in denies if e.article_id != own]
    if rest:  # (another article reporting it too leaves the one-article reading as it is)
        return [sides[0], Side(_pick(rest, settings.conflict_member), sides[1].stance, sides[1].kind)]
    return sides


def _pick(evs: Sequence[Evidence], ratio: float) -> list[Evidence]:
    """The best sentence of each article, best first: the outlets on the side, those
    whose sentence scores at least ``ratio`` of the side's best.  Of an article's
    sentences that match about as closely, the one the model reads as answering; where
    it reads them alike, the one that says what happened in the question's own words
    ("Trump talked by phone ... with Putin" for "Did Trump and Putin speak on the
    phone?", not "he would talk directly with Putin")."""
    out: dict[str, Evidence] = {}
    for e in evs:
        if e.score >= ratio * evs[0].score:
            have = out.setdefault(e.article_id, e)
            if have is not e and e.score >= PICK_NEAR * have.score and _reads_better(e, have, by_words=True):
                out[e.article_id] = e  # as close a match, and it reads more as the answer
    return list(out.values())


def _reads_better(e: Evidence, than: Evidence, *, by_words: bool) -> bool:
    """Whether the model reads ``e`` as answering more than ``than``; with ``by_words``,
    also where it reads them alike and ``e`` says more of what happened in the
    question's own words."""
    mine, theirs = _read_answers(e), _read_answers(than)
    return mine > theirs + PICK_MARGIN or (by_words and abs(mine - theirs) <= PICK_MARGIN
                                           and e.predicate_coverage > than.predicate_coverage)


PICK_NEAR = 0.9  # another sentence of an article, scoring this share of the one picked ...
PICK_MARGIN = 0.05  # ... and read as answering by this much more, is quoted instead
PICK_NEAR_YESNO = 0.85  # (a yes/no question: below)


def _read_answers(ev: Evidence) -> float:
    """The model's p(answers) for a sentence (-1 when it was not judged)."""
    return ev.judgement.answers if ev.judgement is not None else -1.0


def _second_sentences(chosen: Sequence[Evidence], strong: Sequence[Evidence], question: Question,
                      settings: ComposeSettings) -> dict[str, Evidence]:
    """A second sentence for an article, cited in the details (the JSON) beside the quoted
    one: among its other relevant sentences (at least
    ``second_floor`` of the first's score) that hold what the question asks for (a
    name, a date, a number), the one that answers best (what the question says
    happened, in its own words, beside the answer).  An article often names its
    subject in one sentence and gives the answer in another."""
    out: dict[str, Evidence] = {}
    if settings.second_ratio <= 0:
        return out
    for best in chosen:
        cands = [e for e in strong if e.article_id == best.article_id and e is not best
                 and e.score >= settings.second_floor * best.score
                 and (e.has_answer_type or not question.answer_type)]
        if cands:
            out[best.article_id] = max(cands, key=_answering)
    return out


def _best_per_article(evs: Sequence[Evidence], question: Question, bearing_ratio: float = 0.6) -> list[Evidence]:
    """The best sentence of each article, skipping sentences another article already
    gave word for word (copies of one text differ where it matters).

    When the question asks for a name, a date or a number and an article's best
    sentence holds none, a sentence of the same article that holds one beside what
    the question says happened (and scores at least ``bearing_ratio`` of the best)
    is taken instead: it is the one that answers.
    """
    out: dict[str, Evidence] = {}
    taken: set[str] = set()
    for e in evs:
        key = " ".join(e.text.lower().split())
        if e.article_id not in out and key not in taken:
            out[e.article_id] = e
            taken.add(key)
    for e in evs:  # an article with nothing of its own keeps its best sentence
        out.setdefault(e.article_id, e)
    if question.answer_type:
        for art, best in list(out.items()):
            if best.bears or best.has_answer_type:
                continue
            for e in evs:
                if (e.article_id == art and e.bears and e.score >= bearing_ratio * best.score
                        and " ".join(e.text.lower().split()) not in taken):
                    out[art] = e
                    break
    yesno = question.kind == "yesno"
    near = PICK_NEAR_YESNO if yesno else PICK_NEAR
    for art, chosen in list(out.items()):
        # of its sentences that match about as closely, the one the model reads as answering
        # ("What did Trump tell Putin?": "... telling him not to inflame the conflict"); for a
        # yes/no question, of those read alike, the one that says more of what the claim says
        # ("An Mai Spa offers ..." for "Does the resort have a spa?", not the manager's welcome)
        for e in evs:
            if (e.article_id == art and e.score >= near * chosen.score
                    and (e.has_answer_type or not chosen.has_answer_type)
                    and _reads_better(e, out[art], by_words=yesno)):
                out[art] = e
        out[art] = fuller_date(out[art], evs, question)  # a when-question's answer to the day, not the year
    order = {a: i for i, a in enumerate(dict.fromkeys(e.article_id for e in evs))}
    return sorted(out.values(), key=lambda e: order[e.article_id])


def _answering(ev: Evidence) -> float:
    """How well a sentence answers, within its article: its score, plus what the
    question says happened ("released", "founded") in its own words, plus what
    the question asks for beside it (a date, a number, a name)."""
    return ev.score + 0.3 * ev.predicate_coverage + (0.1 if ev.bears else 0.0)


def _sure_alike(evs: Sequence[Evidence], judge: JudgeSettings | None) -> bool:
    """The judgement model is sure every sentence supports the claim (denials that differ may
    name different alternatives: "Tomas Brandt won" and "Karin Holm won")."""
    return judge is not None and all(e.judgement is not None and e.judgement.supports >= judge.sure
                                     for e in evs)


# -- writing ------------------------------------------------------------------
