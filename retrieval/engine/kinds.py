"""What kind of thing a sentence says something is: the short answer to "What is the genre
of ...?", "What is Jon Hill's profession?", "What type of aircraft ...?", "What does RSJ refer
to?" ("... is a novel by Muriel Spark": novel; "... was an Australian politician who ...":
Australian politician).
"""

from __future__ import annotations

import re

from retrieval.common.terms import words
from retrieval.engine.evidence import Question


def asks_kind(question: Question) -> bool:
    """Whether a question asks what kind of thing something is ("What is the genre of ...?")."""
    return question.kind == "wh" and not question.answer_type and bool(_ASKS_WHAT.search(question.asking or question.text))


# "What is the genre of ...?", "What is X known for?", "What is Jon Hill's profession?", "What type
# of aircraft ...?", "What does RSJ refer to?", "What is "The 1975"?"
_KINDS = r"(?:profession|occupation|job|career|genre|medium|type|kind|form|function|category)"
_ASKS_WHAT = re.compile(
    rf"^\s*(?i:what\s+(?:is|was|are|were))\s+(?:(?i:(?:the\s+)?(?:primary\s+|main\s+)?{_KINDS}\s+of)\b|"
    rf"[^?]*\b(?i:known\s+for)\b|[^?]*['’]s\s+(?i:{_KINDS})\s*\?|"
    r"(?:\"[^\"?]+\"|“[^”?]+”|(?:the\s+)?(?:[A-Z0-9][\w.'’-]*\s*){1,4})\s*\?\s*$)|"
    r"^\s*(?i:what\s+(?:type|kind|sort|genre|form)\s+of)\b|"
    r"^\s*(?i:what\s+does\b.*\b(?:refer\s+to|stand\s+for|mean\s*\?))")
_IS_A = re.compile(r"\b(?:is|was|are|were|refers\s+to|referred\s+to)\s+(?:(?:an?|the)\s+)", re.IGNORECASE)
# where what a thing is ends: a clause, a place, a maker ("a novel by ...", "a film directed by ...")
_DEFINED_ENDS = frozenset("""who which that whose where when while in at on from by for with to as and or but
since during after before between under near than known born of made written built held led run shown""".split())
_FUNCTION = _DEFINED_ENDS | {"a", "an", "the"}
MAX_DEFINED_WORDS = 3
_KIND_OF = frozenset("type kind sort form species variety".split())
# "the seventh in a string of flops", "a member of the party", "the daughter of a miner": no kind of thing
_NO_KIND = re.compile(r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th)|"
                      r"member|part|one|daughter|son|wife|husband|brother|sister|father|mother|result|chance)",
                      re.IGNORECASE)


def defined(text: str, asked: set[str]) -> str | None:
    """What a sentence says something is, in its own words: the words after "is a", "was an",
    "refers to a" up to where a clause, a place or a maker begins ("a novel by Muriel Spark",
    "a band formed in 2002", "a film starring ..."), a year before them left out ("a 1989
    action-comedy film"), when they say more than the question does."""
    for m in _IS_A.finditer(text):
        kept: list[str] = []
        tokens = re.findall(r"[\w'’-]+|[^\w\s]", text[m.end():])
        if len(tokens) > 2 and tokens[0].lower() in _KIND_OF and tokens[1].lower() == "of":
            tokens = tokens[2:]  # "a type of traditional dance": traditional dance
        for i, w in enumerate(tokens):
            after = tokens[i + 1] if i + 1 < len(tokens) else "."
            if (not re.match(r"[\w'’-]", w) or w.lower() in _DEFINED_ENDS or len(kept) >= MAX_DEFINED_WORDS
                    or kept and re.fullmatch(r"[a-z]{4,}(?:ed|ing)", w)
                    and (after.lower() in _FUNCTION or not after[:1].islower())):
                break  # (a clause begins: "formed in 1993", "starring Matthew Perry"; not "hunting dog")
            if kept or not re.fullmatch(r"\d[\d–-]*s?", w):
                kept.append(w)
        value = " ".join(kept)
        if kept and not set(words(value)) <= asked and not _NO_KIND.fullmatch(value):
            return value
    return None


# "What political party is X affiliated with?", "Which party does X belong to?"
_ASKS_PARTY = re.compile(r"^\s*(?:what|which)\s+(?:political\s+)?part(?:y|ies)\b", re.IGNORECASE)
_PARTY_NAME = re.compile(r"\b((?:[A-Z][\w'’.-]*\s+){1,2}Party)\b")
# a party named by its family's word ("elected as a Republican", "a member of the Liberal-Progressives")
_PARTY_WORD = re.compile(r"\b(?:a|an|as|the)\s+((?:[A-Z][\w'’.-]*\s+)?(?:Republican|Democrat|Democratic|Labour|"
                         r"Labor|Liberal|Conservative|Green|Socialist|Communist|Progressive|Libertarian|"
                         r"Liberal-Progressive)s?)\b")


def asks_party(question: Question) -> bool:
    """Whether a question asks which political party someone belongs to."""
    return question.kind == "wh" and bool(_ASKS_PARTY.search(question.asking or question.text))


def party(text: str, asked: set[str]) -> str | None:
    """The party a sentence names: a name ending in "Party" ("Quebec Liberal Party"), else a
    party family's word after "a", "as" or "the" ("elected as a Republican", "a member of the
    Liberal-Progressives")."""
    for pattern in (_PARTY_NAME, _PARTY_WORD):
        for m in pattern.finditer(text):
            name = re.sub(r"^The\s+", "", m.group(1))
            if not set(words(name)) <= asked:
                return name
    return None


# "Who is the husband of Chilonis?", "Who was Jingzong's father?": a relative of someone
_RELATIONS = ("husband", "wife", "spouse", "father", "mother", "son", "daughter", "brother", "sister")
_ASKS_RELATIVE = re.compile(rf"\b({'|'.join(_RELATIONS)})\s+of\b|['’]s\s+({'|'.join(_RELATIONS)})\b", re.IGNORECASE)
# how a sentence about the person asked names that relative: the relation itself ("her husband
# Cleonymus", "father Wang Shenzhi"), the person's side of it ("wife of Cleonymus", "the eldest son
# of the Tangut ruler Li Deming"), or a marriage
_SAID_AS = {"husband": ("husband", "wife of", "married"), "wife": ("wife", "husband of", "married"),
            "spouse": ("husband", "wife", "husband of", "wife of", "married"),
            "father": ("father", "son of", "daughter of", "child of"),
            "mother": ("mother", "son of", "daughter of", "child of"),
            "son": ("son",), "daughter": ("daughter",), "brother": ("brother",), "sister": ("sister",)}
_RELATIVE_AFTER = re.compile(r"\s*,?\s*(?:to\s+)?([^,;.()]*?)(?=[,;.()]|\s+and\s|\s+who\s|\s+which\s|$)")
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|of|de|van|von))*")


def asks_relative(question: Question) -> str | None:
    """The relative a who-question asks for ("husband", "father"), if it asks for one."""
    if question.answer_type != "person":
        return None
    m = _ASKS_RELATIVE.search(question.asking or question.text)
    return (m.group(1) or m.group(2)).lower() if m else None


def relative(text: str, relation: str, asked: set[str]) -> str | None:
    """The name a sentence gives the relative asked for (:data:`_SAID_AS`), not the person asked
    about: the first name of two or more words in the phrase after the cue ("son of the Tangut
    ruler Li Deming": Li Deming), else its first name ("wife of Cleonymus and mother of ...")."""
    asked = asked | {w.removesuffix("'s") for w in asked}  # ("Jingzong's father")
    for cue in _SAID_AS[relation]:
        for m in re.finditer(rf"\b{cue}\b(?!\s+of\b)" if " " not in cue else rf"\b{cue}\b", text, re.IGNORECASE):
            # ("Father of Jingzong" names the child: the relation the other way round)
            after = _RELATIVE_AFTER.match(text, m.end())
            names = [re.sub(r"['’]s$", "", n.group()) for n in _CAPITALISED.finditer(after.group(1))] if after else []
            names = [n for n in names if not {w.removesuffix("'s") for w in words(n)} <= asked]
            if names:
                return next((n for n in names if len(n.split()) > 1), names[0])
    return None
