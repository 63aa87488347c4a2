"""Sentence-level evidence: which sentences bear on a question, who says so, and how.

This module reads the question (:func:`analyze`) and a sentence's speaker, stance and
date; :mod:`retrieval.engine.scoring` scores the sentences (:func:`~retrieval.engine.scoring.gather`).
No model runs here: a sentence is scored by the question terms it carries
(weighted by their rarity in the store), the dense similarity of its chunk,
and whether it holds the kind of thing the question asks for (a year for
"when", a number for "how many", a name for "who").  Its speaker comes from
reporting-verb patterns ("Kremlin spokesman Dmitry Peskov told", "according
to ...", "..., Brandt said"), falling back to the publisher; its stance from
cue phrases ("denied", "false", "no plans" against "reported", "confirmed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Sequence

from retrieval.common.terms import Lexicon, full_name, stem, terms, words
from retrieval.engine.asking import (
    CLAIM_FRAME, WH, YESNO, answer_type, asking_part, asks_count, counted_term, measures_asked,
)

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass
class Question:
    """A question as the engine understands it."""

    text: str
    resolved: str
    terms: list[str]
    kind: str  # "yesno" or "wh"
    answer_type: str | None  # "date", "number", "person", "place" or None
    focus: str | None  # "supports"/"denies" when the question asks for one side
    # Names and numbers asked about, each as the terms of one name ("Donald Trump"
    # -> ("donald", "trump")): a sentence mentions the name when it has any of them.
    entities: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def entity_terms(self) -> set[str]:
        return {t for group in self.entities for t in group}

    @property
    def names(self) -> list[tuple[str, ...]]:
        """The names asked about: the entities that are not numbers alone."""
        return [g for g in self.entities if not all(t[:1].isdigit() for t in g)]
    followup: bool = False
    # The claim asked about is itself a denial ("... did not pee in the snow", "USDA debunks
    # the hoax"): a sentence restating it is no report of something the others deny.
    negated: bool = False
    counts: bool = False  # "how many", "population", "number of": a whole number of things
    counted: str | None = None  # the term of what "how many" counts ("goat" for "How many goats ...?")
    # "how far", "the length of": a measure (a number with its unit), not any number; "scale" for
    # how big, large or high; "long" for how long, which a duration or a year ("since 1951") answers
    measures: str | None = None
    # "What did X say (about Y)?": the terms of who is asked about, and of Y
    speech_of: frozenset[str] = frozenset()
    speech_about: frozenset[str] = frozenset()
    identity: str | None = None  # "Who is Di Li?": the name as written ("Di Li")
    person: str | None = None  # the full name of two or more words asked about, as written ("Liu Zhi")
    # "Who directed Parasite?": the nouns of who does it ("director"), the verb's forms that
    # take "by" ("directed by"), and the terms of what is asked about ("parasite")
    agent: Agent | None = None
    # the part that asks, after what the asker tells first ("who built the hut?" of "In the
    # 1840s, who built the hut?"; "When was he married?" of "Sir Charles ... was a painter.
    # When was he married?"); the whole text when it opens by asking
    asking: str = ""
    weights: dict[str, float] = field(default_factory=dict)  # term -> rarity in the store (set by gather)
    lexicon: Lexicon | None = field(default=None, repr=False)


def analyze(question: str, previous: Sequence[str], lexicon: Lexicon) -> Question:
    """Read a question; merge it with the previous one when it is a follow-up."""
    ask = asking_part(question)
    toks = words(ask)
    first = toks[0] if toks else ""
    kind = "yesno" if first in YESNO else "wh"
    own = terms(question, lexicon)
    focus = None
    # (not "The Post reported a call. Did it happen?"; nor "Is it true that NASA confirms ...?", whose
    # claim holds the word: it asks whether the claim is true, not who confirms it; a denial asked
    # about, "Is it true that the Kremlin denied the report?", is asked for)
    framed = bool(CLAIM_FRAME.match(ask))
    for t in terms(ask, lexicon) if ask != question else own:
        stance = lexicon.stance_question_words.get(t)
        if stance and not (framed and stance == "supports"):
            focus = stance
            break
    plain = [t for t in own if t not in lexicon.stance_question_words]
    refers = any(w in lexicon.followup_pronouns for w in toks)
    followup = bool(previous) and (not plain or (refers and len(plain) <= 1))
    resolved = question
    all_terms = list(dict.fromkeys(own))
    entities = _entities(question, lexicon)
    if followup:
        before = previous[-1]
        resolved = f"{before} {question}"
        all_terms = list(dict.fromkeys(own + terms(before, lexicon)))
        entities = list(dict.fromkeys(entities + _entities(before, lexicon)))
    counts = asks_count(toks, ask)
    speech = _SPEECH.match(ask)
    about = _ABOUT.search(ask) if speech else None
    identity = _IDENTITY.match(ask)
    agent = _agent(question, lexicon) if kind == "wh" else None  # not "Did X, who founded Y, ...?"
    return Question(
        text=question,
        resolved=resolved,
        terms=all_terms,
        kind=kind,
        answer_type=answer_type(toks, ask),
        focus=focus,
        entities=entities,
        followup=followup,
        negated=bool(_NEGATION.search(resolved.replace("’", "'"))),
        counts=counts,
        counted=counted_term(toks, lexicon),
        measures=None if counts else measures_asked(ask),
        speech_of=frozenset(terms(speech.group("who"), lexicon)) if speech else frozenset(),
        speech_about=frozenset(terms(about.group(1), lexicon)) if about else frozenset(),
        identity=identity.group("who").strip() if identity else None,
        person=full_name(question, entities, lexicon, WH + YESNO),  # (numbers are no capitalised words)
        agent=agent,
        asking=ask,
        lexicon=lexicon,
    )


# "What did X say (about Y)?" and "Who is X?": answered by a sentence's form (:mod:`forms`)
_SAYING_ASKED = r"(?:say|said|tell|told|write|wrote|claim|claimed|argue|argued|warn|warned|announce|announced)"
_SPEECH = re.compile(rf"^\s*what\s+(?:did|does|do|has|have|had|will|would)\s+(?P<who>.+?)\s+{_SAYING_ASKED}\b",
                     re.IGNORECASE)
_ABOUT = re.compile(rf"\b{_SAYING_ASKED}\b.*?\babout\s+(.+?)\s*\??\s*$", re.IGNORECASE)
_IDENTITY = re.compile(r"^\s*(?i:who)\s+(?i:is|was)\s+(?P<who>[A-Z][^?]*?)\s*\??\s*$")


@dataclass(frozen=True)
class Agent:
    """What "Who VERBed X?" asks: who does it is named by a noun ("“Parasite” director Bong
    Joon Ho", "Jill Binder, the group's leader") or after "by" ("led by Jill Binder")."""

    nouns: tuple[str, ...]
    passive: tuple[str, ...]
    about: frozenset[str]


# (after a clause of its own: "In the 1840s, who built the hut?")
_AGENT_ASKED = re.compile(r"^\s*(?:[^?,]*,\s*)?who\s+(?P<verb>[a-z]+)\s+(?P<what>[^?]+?)\s*\??\s*$", re.IGNORECASE)
# who leads or heads something: "Katherine Maher, Executive Director of the Wikimedia Foundation"
_LEADERS = ("leader", "head", "director", "chief", "president", "chair", "chairman", "chairwoman", "boss")
# verbs whose doer is not named by "-er"/"-or" alone: (nouns, the form before "by")
_IRREGULAR_AGENTS = {
    "wrote": (("writer", "author"), "written"), "writes": (("writer", "author"), "written"),
    "led": (_LEADERS, "led"), "leads": (_LEADERS, "led"), "heads": (_LEADERS, "headed"), "headed": (_LEADERS, "headed"),
    "won": (("winner",), "won"), "wins": (("winner",), "won"),
    "built": (("builder", "architect"), "built"), "builds": (("builder", "architect"), "built"),
    "made": (("maker", "creator"), "made"), "makes": (("maker", "creator"), "made"),
    "sang": (("singer",), "sung"), "sings": (("singer",), "sung"),
    "ran": ((), "run"), "runs": ((), "run"),
    "coaches": (("coach",), "coached"), "coached": (("coach",), "coached"),
    "hosts": (("host",), "hosted"), "hosted": (("host",), "hosted"),
    "chairs": (("chair", "chairman", "chairwoman"), "chaired"),
    "chaired": (("chair", "chairman", "chairwoman"), "chaired"),
}
# "Who is ...?", "Who said ...?" and the like are other questions
_NOT_AGENT_VERBS = frozenset("""is was are were be been did does do has have had will would can could
should shall may might must said says say told tells denied denies claimed claims reported reports
confirmed confirms""".split())


# A claim that is itself a denial or a debunking: "did not", "isn't", "never", "a hoax", "debunks"
_NEGATION = re.compile(r"n't\b|\b(?:not|never|no|nor|none|hoax\w*|fake|false|debunk\w*|den(?:y|ies|ied)|refut\w*)\b",
                       re.IGNORECASE)


def _agent(question: str, lexicon: Lexicon) -> Agent | None:
    """Read "Who directed Parasite?" (a past or present verb and what it was done to)."""
    m = _AGENT_ASKED.match(question)
    if m is None:
        return None
    verb = m.group("verb").lower()
    if verb in _NOT_AGENT_VERBS:
        return None
    about = frozenset(terms(m.group("what"), lexicon))
    if not about:
        return None
    if verb in _IRREGULAR_AGENTS:
        nouns, passive = _IRREGULAR_AGENTS[verb]
        return Agent(nouns=nouns, passive=(passive,), about=about)
    if verb.endswith("ed") and len(verb) > 4:
        stem = verb[:-2]
        if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
            stem = stem[:-1]  # a doubled last letter: "stopped" -> "stop"
        past = verb
    elif verb.endswith("s") and not verb.endswith("ss") and len(verb) > 3:
        stem = verb[:-1]
        past = stem + "d" if stem.endswith("e") else stem + "ed"
    else:
        return None
    base = stem[:-1] if stem.endswith("e") else stem  # "create" -> "creat"
    nouns = tuple(dict.fromkeys((base + "or", base + "er")))  # "director", "founder", "creator"
    if stem.endswith(("or", "er")):
        nouns += (stem,)  # "sponsors": the sponsor
    return Agent(nouns=nouns, passive=(past,), about=about)


def _entities(text: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """The names (runs of capitalized words past the first word) and numbers of a question."""
    found: list[tuple[str, ...]] = []
    for m in re.finditer(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w'’-]*)*|\b\d[\d,.]*", text):
        if m.start() == 0:
            rest = m.group().split(None, 1)
            if len(rest) < 2:
                continue
            group = terms(rest[1], lexicon)
        else:
            group = terms(m.group(), lexicon)
        if group:
            found.append(tuple(dict.fromkeys(group)))
    return list(dict.fromkeys(found))


@dataclass
class Evidence:
    """One sentence of one article, scored against a question."""

    article_id: str
    start: int  # in the article text
    end: int
    text: str
    meta: dict
    coverage: float  # weighted share of the question's terms it (or its article's title) carries
    own_coverage: float  # the same, counting the sentence's own words only
    dense: float  # similarity of its chunk to the question
    score: float
    stance: str
    speaker: str | None
    when: date | None  # the day the speaker made the claim, when the sentence names it
    terms: frozenset[str]
    has_answer_type: bool = False
    # It holds what the question asks for next to what the question says happened
    # ("The population was 681" for "What is the population of X?").
    bears: bool = False
    predicate_coverage: float = 0.0  # weighted share of the question's predicate terms it holds itself
    entity_coverage: float = 1.0  # share of the names and numbers asked about it carries
    # The judgement model's reading of the sentence against the question (None: not judged).
    judgement: Any = None

    @property
    def source(self) -> str | None:
        return self.meta.get("source")


def _has_cue(text: str, cues: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", text) for c in cues)


def classify_stance(sentence: str, lexicon: Lexicon, *, relevant: bool) -> str:
    """``denies`` on a denial cue; ``supports`` for a relevant claim; else ``context``."""
    low = sentence.lower().replace("’", "'")
    if _has_cue(low, lexicon.deny_cues):
        return "denies"
    if relevant:
        return "supports"
    return "context"


# A speaker: up to six words ending right before a reporting verb, optionally
# followed by a time phrase ("The Kremlin on Monday denied").
_TIME = r"(?:\s+(?:on|last|this|late|early)\s+\w+|\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday))?"


def find_speaker(sentence: str, lexicon: Lexicon) -> str | None:
    """Who makes the claim in a sentence, if the sentence says."""
    m = re.search(r"\baccording to ((?:the )?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})", sentence)
    if m:
        return m.group(1).rstrip(".") if not re.search(r"\b[A-Z]\.$", m.group(1)) else m.group(1)
    m = re.search(r"[”\"],?\s+((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*)\s+(?:said|says|added|told)\b", sentence)
    if m:
        return m.group(1)
    # a name, who the person is, then the verb: "Councillor Maria Delgado, who proposed the
    # plan, said ...", "Chi Onwurah, the Labour MP ..., who is supporting the report, said ..."
    m = re.search(r"\b((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*),\s+(?:who|the|a|an)\b[^.;“”\"]{0,120}?,\s+"
                  r"(?:said|says|told|added)\b", sentence)
    if (m and m.group(1).split()[0].lower() not in _NOT_SPEAKERS
            and not _OBJECT_OF.search(sentence[:m.start()]) and not _PLACE_BEFORE.search(sentence[:m.start()])):
        return m.group(1)
    # the verb before the name: "“We are thrilled ...,” said Katherine Maher, Executive Director"
    m = re.search(rf"[”\"],?\s+(?:{QUOTE_VERBS})\s+"
                  r"((?:[A-Z][\w’'.-]*|[a-z]+)(?:\s+(?:[A-Z][\w’'.-]*|[a-z]+)){0,5})", sentence)
    if m and m.group(1).split()[0].lower() not in _NOT_SPEAKERS:
        # capitalised words and the titles between them ("Kremlin spokesman Dmitry Peskov",
        # "Apple chief executive Tim Cook"), up to the last capitalised word
        toks = m.group(1).split()
        keep: list[str] = []
        for i, tok in enumerate(toks):
            if tok[0].isupper():
                keep = toks[: i + 1]
            elif not (tok in lexicon.speaker_nouns or tok in _TITLE_WORDS):
                break
        if keep:
            return " ".join(keep).rstrip(".")
    m = re.search(r"\b((?:people|sources|officials)\s+(?:familiar|close)\s+with\s+[^,]{3,40}?)\s+(?:said|say)\b", sentence)
    if m:
        return m.group(1)
    verbs = "|".join(sorted(lexicon.speech_verbs, key=len, reverse=True))
    for vm in re.finditer(rf"\b({verbs})\b", sentence):
        before = sentence[: vm.start()]
        before = re.sub(_TIME + r"\s*$", "", before)
        name = _trailing_name(before, lexicon)
        if name and not _OBJECT_OF.search(_before_name(before, name)):
            return name
    return None


# The verbs that name who speaks after a closed quotation ("...,” said Katherine Maher",
# "...,” remembers Shanna Challenger").
QUOTE_VERBS = ("said|says|added|adds|wrote|writes|told|recalls|recalled|remembers|remembered|explains|explained|"
               "notes|noted|continued|continues|insisted|insists")
# Capitalised words after "said" that begin no speaker's name ("...,” said On Monday ...").
_NOT_SPEAKERS = frozenset("on in at by it he she they we i this that the a an monday tuesday wednesday thursday "
                          "friday saturday sunday meanwhile however still also yet instead earlier later "
                          "separately today yesterday but and so then now".split())
_TITLE_WORDS = frozenset("chief executive economist analyst adviser advisor professor researcher scientist editor "
                         "founder coordinator head deputy senior foreign prime vice general press".split())
# "People in Kyiv, the Ukrainian capital, said": Kyiv is where they are, not who speaks
_PLACE_BEFORE = re.compile(r"\b(?:in|of|at|from|near)\s+$", re.IGNORECASE)


# A name right after one of these is the object of a preposition, not the speaker of the
# verb that follows ("during FaceTime calls": "calls" is a noun there).  ("after", "before"
# and "by" are left out: "after the Federal Reserve said", "released by the Kremlin said".)
_OBJECT_OF = re.compile(r"\b(?:during|in|on|at|for|with|of|from|about|via|through|over|under|"
                        r"into|onto|between|among|against)\s+(?:the\s+|a\s+|an\s+)?$", re.IGNORECASE)


def _before_name(before: str, name: str) -> str:
    """The text before a name that ends ``before`` (the name is its last words)."""
    toks = before.rstrip(" ,").split()
    return " ".join(toks[: max(0, len(toks) - len(name.split()))]) + " "


def _trailing_name(before: str, lexicon: Lexicon) -> str | None:
    """The name that ends a text: capitalized words, speaker nouns, and up to two
    lower-case modifiers between them ("Trump's transition team")."""
    toks = before.rstrip(" ,").split()
    picked: list[str] = []
    pending: list[str] = []
    for tok in reversed(toks[-8:]):
        clean = tok.strip("“”\"'(),")
        if not clean or (picked and tok.endswith(",")):
            break
        low = clean.lower()
        if clean[0].isupper() or low in lexicon.speaker_nouns:
            picked.extend(pending)
            pending = []
            picked.append(clean)
        elif picked and (low in ("the", "of") or (clean.isalpha() and len(pending) < 2)):
            pending.append(clean)
        else:
            break
    while picked and picked[-1].lower() in ("of",):
        picked.pop()
    if picked and pending and pending[0].lower() == "the":
        picked.append(pending[0])
    if not picked:
        return None
    name = " ".join(reversed(picked))
    if name.lower() in ("it", "he", "she", "they", "the", "we", "i"):
        return None
    if not any(w[0].isupper() for w in picked) and not any(
        w.lower() in lexicon.speaker_nouns for w in picked
    ):
        return None
    return name


def claim_date(sentence: str, published: str | None) -> date | None:
    """The day a weekday in the sentence points to, counted back from publication."""
    if not published:
        return None
    try:
        pub = date.fromisoformat(published[:10])
    except ValueError:
        return None
    low = sentence.lower()
    m = re.search(r"\b(?:reported|said|denied|confirmed|announced|told)\s+(?:on\s+)?(" + "|".join(_WEEKDAYS) + r")\b", low) or re.search(
        r"\bon (" + "|".join(_WEEKDAYS) + r")\s+(?:reported|said|denied|confirmed|announced|told)\b", low
    )
    if not m:
        return None
    target = _WEEKDAYS.index(m.group(1))
    back = (pub.weekday() - target) % 7
    return pub - timedelta(days=back)
