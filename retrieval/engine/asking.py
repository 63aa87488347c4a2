"""What a question asks: the part that asks, after what the asker tells first (:func:`asking_part`);
what kind of answer it wants (:func:`answer_type`: a date, a number, a person, a place); whether it
asks for a count (and of what) or for a measure."""

from __future__ import annotations

import re

from retrieval.common.terms import Lexicon, stem, terms, words

WH = ("who", "whom", "whose", "what", "when", "where", "which", "why", "how")
YESNO = ("did", "does", "do", "is", "are", "was", "were", "will", "would", "has", "have", "had",
         "can", "could", "should", "shall", "may", "might",
         "didn't", "doesn't", "don't", "isn't", "aren't", "wasn't", "weren't", "won't", "wouldn't",
         "hasn't", "haven't", "hadn't", "can't", "couldn't", "shouldn't")
ASKS = WH + YESNO
# how a claim is put as a question ("Is it true that ...", "Isn't it true that ...")
CLAIM_FRAME = re.compile(r"^\s*(?:is\s+it|isn['’]t\s+it|is\s+it\s+not)\s+true\s+that\s+", re.IGNORECASE)

# Where the asking starts after what the asker tells first: a sentence of its own, or a clause
# after an opening phrase ("In the 1840s, who ...", "As of 2023, has ...", "So, did ...", "Tell
# me: did ..."), past a clause of its own ("In 2016, when Trump won, how many ..."), or, after
# such a phrase with no comma, the verb that asks ("In the history of Bihar did the dynasty rule ...?"; not "In which
# year did ...": that asks from its first words)
_OPENERS = frozenset("""in on at during after before since as according considering given following
from for by of with without under over among between despite unlike like until while once apart
besides beyond except within throughout regarding concerning so well hi hey ok okay also and but now
then tell""".split())
_ASKS_FROM = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z])|[,:]\s+")
_SUBORDINATE = frozenset("when where who whom whose which".split())  # may open a clause of its own
_WORD = re.compile(r"[\"“(]?([\w'’]+)")
_SENTENCE_END = re.compile(r"[.!?]\s")


def asking_part(question: str) -> str:
    """The part of a question that asks (:attr:`Question.asking`)."""
    toks = words(question)
    if not toks or toks[0] in ASKS:
        return question
    ends = [m.start() for m in _SENTENCE_END.finditer(question)]
    found: list[tuple[int, str]] = []
    for m in _ASKS_FROM.finditer(question):
        w = _WORD.match(question, m.end())
        first = w.group(1).lower().replace("’", "'") if w else ""
        if first not in ASKS:
            continue
        mark = m.group().lstrip()[:1]
        if mark == ":" and any(t in ASKS for t in words(question[:m.start()])):
            continue  # a title's colon ("the film 'Star Wars: What Lies Beneath'")
        if mark in (",", ":") and (
                not question.rstrip().endswith("?") or (ends and ends[-1] > m.end())
                or toks[0] not in _OPENERS and first not in ("what", "how")):
            # ("Sir Charles D'Oyly, 7th Baronet, was a painter ...", "Tom, who ...": no asking there;
            # "2nd Duke of Newcastle, what year was he born?" asks)
            continue
        found.append((m.end(), first))
    # the first clause that asks, past a clause of its own ("In 2016, when Trump won, how many
    # ...": how many; "In November, did Trump call Putin, who denied it?": did)
    main = [at for at, first in found if first not in _SUBORDINATE]
    if found:
        return question[main[0] if main else found[0][0]:]
    if toks[0] in _OPENERS and not any(t in WH for t in toks):
        for i, w in enumerate(re.finditer(r"[\w'’]+", question)):
            if i >= 2 and w.group().lower() in YESNO:
                return question[w.start():]
    return question


def asks_count(toks: list[str], text: str) -> bool:
    """Whether a question asks how many of something there are ("How many jobs ...?",
    "What is the population of ...?"): its answer is a whole number of things, not a
    share, a sum of money, a measure or a year."""
    return bool(re.search(r"\bhow many\b", " ".join(toks[:3])) or re.search(
        r"\b(population|number of)\b", text.lower()))


_PEOPLE_TERMS = frozenset(stem(w) for w in "people person persons individuals".split())


def counted_term(toks: list[str], lexicon: Lexicon) -> str | None:
    """The term of the thing a "how many" question counts: the next word that is one."""
    for i in range(len(toks) - 2):
        if toks[i] == "how" and toks[i + 1] == "many":
            found = terms(" ".join(toks[i + 2:i + 4]), lexicon)
            if not found or found[0] in _PEOPLE_TERMS:
                return None  # "how many people": inhabitants, passengers, residents all count them
            return found[0]
    return None


_MEASURED = re.compile(r"\bhow (big|large|tall|high|long|far|wide|deep|heavy)\b|"
                       r"\b(size|length|height|area|distance|depth|width|weight) of\b", re.IGNORECASE)


def measures_asked(text: str) -> str | None:
    """Of a question that asks no count: "size" when it asks how far, tall, wide ...
    something is; "scale" for how big, large or high (which a share, a sum or a count may
    answer too: "How high is unemployment?"); "long" for how long."""
    m = _MEASURED.search(text)
    if m is None:
        return None
    asked = (m.group(1) or "").lower()
    return "long" if asked == "long" else "scale" if asked in ("big", "large", "high") else "size"


def answer_type(toks: list[str], text: str) -> str | None:
    """What a question's answer is: "date", "amount", "number", "person", "place" or None."""
    head = " ".join(toks[:3])
    if toks and toks[0] == "when" or re.search(r"\b(what|which) (year|date|day|month|decade|century)\b", head):
        return "date"
    if re.match(r"(what|which) (is|was|were|are) the (\w+ )?(date|year)\b", " ".join(toks[:6])):
        return "date"  # "What is the birth date of ...", "What was the founding year of ..."
    if toks and toks[0] not in ("who", "whom", "whose", "where") and re.search(
            r"\b(in|of|on|from|since|until|by) (what|which) (year|date|day|month|decade|century)\b|"
            r"^[^?]*, (what|which) (year|date)\b", text.lower()):
        return "date"  # "... was formed in which year?", "2nd Duke of Newcastle, what year was he born?"
    if re.search(r"\bhow much\b", head) and re.search(
        r"\b(cost|costs|spend|spent|pay|paid|price|worth|money|budget|funding|fund|raise)\b", text.lower()
    ):
        return "amount"
    if re.search(r"\bhow (many|much|long|far|old|big|large|tall|high)\b", head) or re.search(
        r"\b(population|number of|percentage|rate of|salinity|size of|length of|height of)\b",
        text.lower(),
    ):
        return "number"
    if toks and toks[0] in ("who", "whom", "whose"):
        return "person"
    if toks and toks[0] == "where":
        return "place"
    return None
