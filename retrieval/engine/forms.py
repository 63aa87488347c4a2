"""Answers a sentence gives by its form, whatever the judgement model reads.

Two kinds of question that news readers ask are answered by the shape of a sentence
more surely than by its words or the model's reading of them:

* "What did Katherine Maher say?": any sentence she is named as saying ("..., said
  Katherine Maher", "Maher told reporters that ...", or the quotation carried on in
  the next sentence);
* "Who is Di Li?": a sentence that names the person and then says who they are
  ("says Di Li, the chief scientist of FAST", "Di Li is an astronomer");
* "Who directed Parasite?": a sentence that names who did it by what they are ("“Parasite”
  director Bong Joon Ho", "Bong Joon Ho, the film's director") or after "by" ("directed by
  Bong Joon Ho"), and holds what was done (most of the words on it, the headline's too).

Such a sentence is quotable and counts as answering; it still has to be found by the
question's words (the name) like any other.
"""

from __future__ import annotations

import re

from retrieval.common.terms import terms
from retrieval.engine.evidence import Evidence, Question

# what follows a name that says who the person is: an apposition or "is a ..."
_SAYS_WHO = r"(?:,\s+(?:the|a|an|who|its|his|her|their)\b|\s+(?:is|was)\s+(?:the|a|an)\b|\s+\()"


def said_by(ev: Evidence, question: Question) -> bool:
    """Whether the sentence is said by the one a speech question asks about: its speaker
    holds the last word and most of the words of a name asked ("Kremlin spokesman Dmitry
    Peskov" for "What did Peskov say?", not "union leader Tomas Brandt" for "What does the
    University and College Union report say?"), or, where no name is asked, every word
    of who is asked ("union leader Tomas Brandt" for "What did the union say?")."""
    who = question.speech_of
    if not who or not ev.speaker or question.lexicon is None:
        return False
    topic = question.speech_about
    if topic and not topic & ev.terms and not topic & set(terms(ev.meta.get("title", ""), question.lexicon)):
        # "What did Ilse Marten say about the receivers?": her words on that (or under a
        # headline on it), not on the hotels
        return False
    # "Donald Trump's transition team" is the team, not Trump
    spoken = set(terms(re.sub(r"\b[\w-]+['’]s?(?=\s|$)", " ", ev.speaker), question.lexicon))
    asked = [g for g in question.names if set(g) <= who]
    if not asked:
        return who <= spoken
    # the name's last word and most of its words, or the family name alone ("..., Smith said")
    return any(g[-1] in spoken and (sum(t in spoken for t in g) * 2 > len(g) or spoken <= set(g))
               for g in asked)


def identifies(ev: Evidence, question: Question) -> bool:
    """Whether the sentence says who the person that "Who is X?" names is."""
    if question.identity is None:
        return False
    return re.search(rf"\b{re.escape(question.identity)}{_SAYS_WHO}", ev.text) is not None


_NAMED = r"[A-Z][\w'’.-]*"  # a capitalised word of a name


def names_doer(ev: Evidence, question: Question) -> bool:
    """Whether the sentence names who did what "Who VERBed X?" asks about."""
    agent = question.agent
    if agent is None or question.lexicon is None:
        return False
    held = agent.about & ev.terms
    if not held:
        return False
    if len(held | (agent.about & set(terms(ev.meta.get("title", ""), question.lexicon)))) * 2 < len(agent.about):
        return False
    forms = []
    if agent.nouns:
        noun = "(?i:" + "|".join(agent.nouns) + ")s?"
        forms.append(rf"\b{noun}\s+{_NAMED}")  # "director Bong Joon Ho"
        # "Bong Joon Ho, the director of", "Jill Binder, its founder"
        forms.append(rf"{_NAMED},\s+(?:the|a|an|its|his|her|their)\s+(?:[\w’'-]+\s+){{0,3}}?{noun}\b")
    forms.append(rf"\b(?i:{'|'.join(agent.passive)})\s+by\s+(?:[a-z][\w-]*\s+){{0,3}}?{_NAMED}")
    return any(re.search(f, ev.text) for f in forms)


_ASKS = re.compile(r"\?[”\"’')\]]*\s*$")


def asks(sentence: str) -> bool:
    """Whether a sentence is a question ("What does leadership mean to you?", an
    interview's; "Want to know more about Erin Spiceland?"): it answers nothing by itself."""
    return _ASKS.search(sentence) is not None


def answers_by_form(ev: Evidence, question: Question) -> bool:
    """A sentence that answers its question by its form (above)."""
    return said_by(ev, question) or identifies(ev, question) or names_doer(ev, question)
