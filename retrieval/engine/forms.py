"""Answers a sentence gives by its form, whatever the judgement model reads.

Two kinds of question that news readers ask are answered by the shape of a sentence
more surely than by its words or the model's reading of them:

* "What did Katherine Maher say?": any sentence she is named as saying ("..., said
  Katherine Maher", "Maher told reporters that ...", or the quotation carried on in
  the next sentence);
* "Who is Di Li?": a sentence that names the person and then says who they are
  ("says Di Li, the chief scientist of FAST", "Di Li is an astronomer").

Such a sentence is quotable and counts as answering; it still has to be found by the
question's words (the name) like any other.
"""

from __future__ import annotations

import re

from retrieval.common.terms import terms
from retrieval.engine.evidence import Evidence, Question

_SPEECH = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had|will|would)\s+(?P<who>.+?)\s+"
    r"(?:say|said|tell|told|write|wrote|claim|claimed|argue|argued|warn|warned|announce|announced)\b",
    re.IGNORECASE)
_ABOUT = re.compile(r"\b(?:say|said|tell|told|write|wrote|claim|claimed|argue|argued|warn|warned|announce|"
                    r"announced)\b.*?\babout\s+(.+?)\s*\??\s*$", re.IGNORECASE)
_IDENTITY = re.compile(r"^\s*(?i:who)\s+(?i:is|was)\s+(?P<who>[A-Z][^?]*?)\s*\??\s*$")
# what follows a name that says who the person is: an apposition or "is a ..."
_SAYS_WHO = r"(?:,\s+(?:the|a|an|who|its|his|her|their)\b|\s+(?:is|was)\s+(?:the|a|an)\b|\s+\()"


def asks_speech(question: Question) -> bool:
    """ "What did X say (about Y)?"."""
    return _SPEECH.match(question.text) is not None


def said_by(ev: Evidence, question: Question) -> bool:
    """Whether the sentence is said by the one a speech question asks about: its speaker
    holds the last word and most of the words of a name asked ("Kremlin spokesman Dmitry
    Peskov" for "What did Peskov say?", not "union leader Tomas Brandt" for "What does the
    University and College Union report say?"), or, where no name is asked, every word
    of who is asked ("union leader Tomas Brandt" for "What did the union say?")."""
    if not ev.speaker or question.lexicon is None:
        return False
    m = _SPEECH.match(question.text)
    if m is None:
        return False
    about = _ABOUT.search(question.text)
    if about is not None:
        # "What did Ilse Marten say about the receivers?": her words on that, not on the hotels
        topic = set(terms(about.group(1), question.lexicon))
        if topic and not topic & (ev.terms | set(terms(ev.meta.get("title", ""), question.lexicon))):
            return False  # (its article's headline may say what the words are about)
    who = set(terms(m.group("who"), question.lexicon))
    # "Donald Trump's transition team" is the team, not Trump
    spoken = set(terms(re.sub(r"\b[\w-]+['’]s?(?=\s|$)", " ", ev.speaker), question.lexicon))
    asked = [g for g in question.names if set(g) <= who]
    if not asked:
        return bool(who) and who <= spoken
    # the name's last word and most of its words, or the family name alone ("..., Smith said")
    return any(g[-1] in spoken and (sum(t in spoken for t in g) * 2 > len(g) or spoken <= set(g))
               for g in asked)


def identifies(ev: Evidence, question: Question) -> bool:
    """Whether the sentence says who the person that "Who is X?" names is."""
    m = _IDENTITY.match(question.text)
    if m is None:
        return False
    name = re.escape(m.group("who").strip())
    return re.search(rf"\b{name}{_SAYS_WHO}", ev.text) is not None


def answers_by_form(ev: Evidence, question: Question) -> bool:
    """A sentence that answers its question by its form (above)."""
    return said_by(ev, question) or identifies(ev, question)
