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
_SAYS_WHO = r"(?:,\s+(?:the|a|an|who|its|his|her|their|one\s+of)\b|\s+(?:is|was)\s+(?:the|a|an)\b|\s+\()"


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


# a word before a name that says what the person is: "freelance developer Jill Binder",
# "NFL quarterback Christian Ponder", "District Attorney Pamela Price"
_ROLE_SUFFIX = re.compile(r"(?:er|or|ist|ian|ant|ent|ess|man|woman|person|back|ee)$")
_ROLES = frozenset("attorney chief head judge coach star host chair ceo general captain actor "
                   "actress envoy mp senator governor".split())
_NOT_ROLES = frozenset("after under over other never ever either neither whether together later rather "
                       "her per former however for nor or major minor sooner earlier another whatever "
                       "present recent current different important silent patient ancient urgent "
                       "decent frequent independent".split())


def identifies(ev: Evidence, question: Question) -> bool:
    """Whether the sentence says who the person that "Who is X?" names is: after the name
    ("Di Li, the chief scientist of FAST") or by the role before it ("freelance developer
    Jill Binder")."""
    if question.identity is None:
        return False
    name = re.escape(question.identity)
    if re.search(rf"\b{name}{_SAYS_WHO}", ev.text):
        return True
    nouns = question.lexicon.speaker_nouns if question.lexicon is not None else frozenset()
    for m in re.finditer(rf"\b([A-Za-z][\w-]*)\s+{name}\b", ev.text):
        role = m.group(1).lower()
        if role in _NOT_ROLES or len(role) < 3:
            continue
        if role in _ROLES or role in nouns:
            return True
        # "-er", "-ist" ... in lower case only: "Peter Binder", "Christian Ponder" are names
        if m.group(1).islower() and _ROLE_SUFFIX.search(role):
            return True
    return False


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
        # "Bong Joon Ho, the director of", "Jill Binder, its founder", "Katherine Maher,
        # Executive Director of"
        forms.append(rf"{_NAMED},\s+(?:(?:the|a|an|its|his|her|their)\s+)?(?:[\w’'-]+\s+){{0,3}}?{noun}\b")
    forms.append(rf"\b(?i:{'|'.join(agent.passive)})\s+by\s+(?:[a-z][\w-]*\s+){{0,3}}?{_NAMED}")
    return any(re.search(f, ev.text) for f in forms)


_ASKS = re.compile(r"\?[”\"’')\]]*\s*$")
_PROSE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # Kana, Han, Hangul: no capitals to read


def tells_nothing(ev: Evidence, question: Question) -> bool:
    """Whether a sentence answers nothing by itself: a question ("What does leadership mean
    to you?", an interview's; "Want to know more about Erin Spiceland?"; the sentence after
    it may answer), or a heading that holds only the question's words ("6. Michelle Beadle";
    for a yes/no question, some of them: "Nam Nghi Phu Quoc" for "Does the Nam Nghi Phu Quoc
    resort have a spa?")."""
    if _ASKS.search(ev.text) is not None:
        return True
    if _PROSE.search(ev.text) or any(len(w) >= 4 and w.islower() for w in re.findall(r"[^\W\d_]+", ev.text)):
        return False  # a sentence ("It is the first version of Mercurial that supports Python 3.")
    # a heading: only words asked (for a yes/no question, not all of them); a year dates
    # what it names ("A Life on Film (1967)"), a list's number does not ("6. Michelle Beadle")
    listed = re.match(r"\s*(\d{1,2})\.\s", ev.text)
    held = set(ev.terms) - ({listed.group(1)} if listed else set())
    asked = set(question.terms)
    if question.kind == "wh":
        return held <= asked
    return held < asked and not any(t[:1].isdigit() for t in held)


def answers_by_form(ev: Evidence, question: Question) -> bool:
    """A sentence that answers its question by its form (above)."""
    return said_by(ev, question) or identifies(ev, question) or names_doer(ev, question)
