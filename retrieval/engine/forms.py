"""Answers a sentence gives by its form, whatever the judgement model reads.

Three kinds of question that news readers ask are answered by the shape of a sentence
more surely than by its words or the model's reading of them:

* "What did Katherine Maher say?": any sentence she is named as saying ("..., said
  Katherine Maher", "Maher told reporters that ...", or the quotation carried on in
  the next sentence);
* "Who is Di Li?": a sentence that names the person and then says who they are
  ("says Di Li, the chief scientist of FAST", "Di Li is an astronomer");
* "Who directed Parasite?": a sentence that names who did it by what they are ("“Parasite”
  director Bong Joon Ho", "Bong Joon Ho, the director of Parasite") or after "by" ("directed by
  Bong Joon Ho"), and holds what was done (at least half the words on it, the headline's too).

Such a sentence is quotable and counts as answering; it still has to be found by the
question's words (the name) like any other.
"""

from __future__ import annotations

import re

from retrieval.common.terms import terms
from retrieval.engine.claims import turned
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
_ROLES = frozenset("""attorney lawyer judge developer engineer scientist researcher professor analyst economist
quarterback striker goalkeeper midfielder defender pitcher coach captain player champion star athlete
actor actress singer rapper musician composer director producer designer architect artist photographer
writer author novelist poet journalist reporter correspondent columnist editor broadcaster presenter host
president minister secretary spokesman spokeswoman spokesperson chairman chairwoman chair chief ceo founder
owner investor manager leader official officer commander general governor senator mayor councillor mp
ambassador envoy adviser advisor aide deputy activist campaigner volunteer organiser organizer teacher
student doctor nurse surgeon pilot chef candidate nominee""".split())


def identifies(ev: Evidence, question: Question) -> bool:
    """Whether the sentence says who the person that "Who is X?" names is: after the name
    ("Di Li, the chief scientist of FAST") or by the role before it ("freelance developer
    Jill Binder")."""
    if question.identity is None:
        return False
    name = re.escape(question.identity)
    if re.search(rf"\b{name}{_SAYS_WHO}", ev.text):
        return True
    return any(m.group(1).lower() in _ROLES for m in re.finditer(rf"\b([A-Za-z][\w-]*)\s+{name}\b", ev.text))


_NAMED = r"[A-Z][\w'’.-]*"  # a capitalised word of a name


def names_doer(ev: Evidence, question: Question) -> bool:
    """Whether the sentence names who did what "Who VERBed X?" asks about: by the noun
    right after what was done ("“Parasite” director Bong Joon Ho"), by the noun "of" it
    after the name ("Bong Joon Ho, the acclaimed director of Parasite"), or after "by" in a
    clause about it ("Parasite, directed by Bong Joon Ho"); at least half the words on what
    was done in the sentence or its headline, and the name not one of them."""
    agent = question.agent
    lexicon = question.lexicon
    if agent is None or lexicon is None:
        return False
    held = agent.about & ev.terms
    if not held or len(held | (agent.about & set(terms(ev.meta.get("title", ""), lexicon)))) * 2 < len(agent.about):
        return False

    def about(text: str) -> bool:
        return bool(agent.about & set(terms(text, lexicon)))

    text = ev.text
    name = rf"(?P<name>{_NAMED}(?:\s+{_NAMED}){{0,3}})"
    if agent.nouns:
        noun = "(?i:" + "|".join(agent.nouns) + ")s?"
        for m in re.finditer(rf"\b{noun}\s+{name}", text):
            if about(" ".join(text[:m.start()].split()[-2:])) and not about(m.group("name")):
                return True
        for m in re.finditer(rf"{name},\s+(?:(?:the|a|an|its|his|her|their)\s+)?(?:[A-Za-z][\w’'-]*\s+){{0,2}}?"
                             rf"{noun}\s+of\s+(?P<what>[^,.;]{{1,80}})", text):
            if about(m.group("what")) and not about(m.group("name")):
                return True
    passive = "(?i:" + "|".join(agent.passive) + ")"
    for m in re.finditer(rf"\b{passive}\s+by\s+(?:[a-z][\w-]*\s+){{0,3}}?{name}", text):
        if about(text[max(0, m.start() - 120):m.start()]) and not about(m.group("name")):
            return True
    return False


_ASKS = re.compile(r"\?[”\"’')\]]*\s*$")
# a question quoted at the end of a statement: "... may wonder, “What’s the deal with Rust?”"
_QUOTED_QUESTION = re.compile(r"(\S.*?)[,:]\s*[“\"][^“”\"]*\?[”\"]\s*$")


def _asks(text: str) -> bool:
    """Whether the sentence is a question: it ends with a question mark, not one of a
    question it reports ("97% of respondents may wonder, “What’s the deal with Rust?”")."""
    if _ASKS.search(text) is None:
        return False
    frame = _QUOTED_QUESTION.match(text)
    return frame is None or len(frame.group(1).split()) < 3


def tells_nothing(ev: Evidence, question: Question) -> bool:
    """Whether a sentence answers nothing by itself: a question ("What does leadership mean
    to you?", an interview's; "Want to know more about Erin Spiceland?"; the sentence after
    it may answer), a lead-in to what follows that holds no answer itself ("... a virtual
    environment that looks something like below:"), a sentence about someone else than the
    person asked about, a claim told of as hearsay for a yes/no question ("When a report went
    viral that ..."), or a heading that holds only the question's words ("6. Michelle
    Beadle"; for a yes/no question, some of them: "Nam Nghi Phu Quoc" for "Does the Nam Nghi
    Phu Quoc resort have a spa?")."""
    if _asks(ev.text) or _about_someone_else(ev, question):
        return True
    if question.kind == "yesno" and question.focus is None and not ev.speaker and HEARSAY.search(ev.text) \
            and ev.stance != ("supports" if turned(question) else "denies"):  # (denying the claim itself)
        return True  # "When a report went viral that ...": it tells of the claim, not whether it is true
    if ev.text.rstrip().endswith(":") and not ev.has_answer_type and not answers_by_form(ev, question):
        return True  # a lead-in; not "Erin Spiceland is a software engineer at SpaceX:"
    if any(len(w) >= 4 and not w[:1].isupper() for w in re.findall(r"[^\W\d_]+", ev.text)):
        return False  # a sentence ("It is the first version of Mercurial that supports Python 3.")
    # a heading: only words asked (for a yes/no question, not all of them); a year dates
    # what it names ("A Life on Film (1967)"), a list's number does not ("6. Michelle Beadle")
    listed = re.match(r"\s*(\d{1,2})\.\s", ev.text)
    held = set(ev.terms) - ({listed.group(1)} if listed else set())
    asked = set(question.terms)
    if question.kind == "wh":
        return held <= asked
    return held < asked and not any(t[:1].isdigit() for t in held)


# A sentence that opens by telling of the claim as something said by nobody named ("When a report
# went viral that ...", "Rumours claiming ...", "Reports emerged that ..."), unless it says the
# report proved true
HEARSAY = re.compile(r"^\W*(?:(?:when|after|as|since|amid|following|despite)\s+)?"
                     r"(?:(?:an?|the|some|many|several|unconfirmed|online|viral|widespread)\s+)*"
                     r"(?:reports?|rumou?rs?|claims?)\s+"
                     r"(?:(?:went viral|spread|circulated|circulating|emerged|surfaced)\s+)?(?:online\s+)?"
                     r"(?:that|claiming|saying|suggesting|alleging)\b(?!.*\b(?:confirm\w*|true|verified|accurate)\b)",
                     re.IGNORECASE)


# A sentence (or a list's line) that opens with a person's name: "- Laura Frank Tacho, Director
# of Engineering at CloudBees", "Rachel White is ...".
_OPENS_WITH_NAME = re.compile(r"[\s\-–—•*“\"']*((?:[A-Z][\w'’-]+\s+){1,3}[A-Z][\w'’-]+)"
                              r"(?=,|\s+(?:is|was|has|had)\b|\s*\()")


_REFERS_BACK = re.compile(r"\b(?:she|he|her|his|hers|him|they|their|them)\b", re.IGNORECASE)
_NOT_A_FIRST_NAME = frozenset("in at on the a an for from with by of to as after before during since under "
                              "our my your its this that these those".split())


def _about_someone_else(ev: Evidence, question: Question) -> bool:
    """A sentence about another person than the one asked about: none of the question's
    words, and it opens with another full name ("- Laura Frank Tacho, Director of Engineering
    at CloudBees" for "Where does Erin Spiceland work?", a line of a list of leaders)."""
    if ev.own_coverage > 0 or question.lexicon is None or not any(len(n) >= 2 for n in question.names):
        return False
    m = _OPENS_WITH_NAME.match(ev.text)
    if m is None or _REFERS_BACK.search(ev.text):
        return False  # ("In Los Angeles, she rents a flat": about her)
    words = m.group(1).split()
    if words[0].lower() in _NOT_A_FIRST_NAME or any(w.lower() in _ROLES for w in words):
        return False  # "The Hawthorne Company, ...", "Software Engineer, SpaceX"
    named = set(terms(m.group(1), question.lexicon))
    return bool(named) and not named & {w for n in question.names for w in n}


def answers_by_form(ev: Evidence, question: Question) -> bool:
    """A sentence that answers its question by its form (above)."""
    return said_by(ev, question) or identifies(ev, question) or names_doer(ev, question)
