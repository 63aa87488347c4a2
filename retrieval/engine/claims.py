"""The claim inside a claim asked in the negative.

"Is it true that Cesar Millan is not dead?" and "Willie Nelson dead? Another celebrity death
hoax makes the rounds" ask about a claim by denying it. The judgement model reads a sentence
against the words it is given, so "Willie Nelson was found dead in his home" reads as support
for the hoax headline, which names his death. :func:`claim_core` gives the claim itself, "Is it
true that Cesar Millan is dead?", "Willie Nelson dead?", so that the model reads each sentence
against it and the engine turns the reading round: what supports the claim denies the question.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from retrieval.common.terms import words
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.quotes import ArticleInfo

# words that call what they name untrue ("... is a hoax", "Fake News Story Goes Viral")
_FRAMING = re.compile(r"\b(?:hoax\w*|fake\w*|bogus|debunk\w*|false|untrue|misinformation|satir\w*|myth)\b",
                      re.IGNORECASE)
# "X is a hoax", "X Is Totally Bogus", "X is all an elaborate hoax": X
_IS_FRAMED = re.compile(r"\s*(?:,?\s*\bbut\s+(?:it|this|that)\s+)?\b(?:is|was|are|were)\s+(?:(?:a|an|all|just|"
                        r"totally|entirely|completely|100%|elaborate|another|the|same|simply|also|utterly|actually|"
                        r"goddamn)\s+)*(?:hoax|fake|false|bogus|untrue|myth)\b.*$", re.IGNORECASE)
# where a headline or a question splits into parts: "Willie Nelson Dead? Internet Freaks Out ...",
# "NASA: ...", "... ; NASA Confirmed ...", "... — But It's Awesome", "Sorry, Fido. Pope Francis ..."
# what tells of the claim before it: "(Viral) news on ...", "Report that ...", "The story of ..."
_TOLD = re.compile(r"^\s*(?:the\s+)?(?:viral\s+|latest\s+)?(?:news|reports?|stor(?:y|ies)|claims?|rumou?rs?|articles?)"
                   r"\s+(?:on|of|that|about|saying)\s+", re.IGNORECASE)
_PARTS = re.compile(r"(?<=[?!:;…])\s+|\s+[-–—]\s+|(?<=[a-z]{2}\.)\s+(?=[A-Z])")
# the negation of a claim's own verb ("is not dead", "didn't poop", "Not Blurred", "won't play")
_NOT = re.compile(r"\s+(?:not|never)\b(?=\s)", re.IGNORECASE)
_NT = re.compile(r"(?i:\b(ca|wo|do|does|did|is|are|was|were|has|have|had|would|could|should|must|need))n['’]t\b")
_AUX = {"ca": "can", "wo": "will"}
_NO = re.compile(r"^\s*(?:no|nope|sorry)\s*,\s*", re.IGNORECASE)
# a negation after one of these belongs to a clause of its own ("a friend who never showed up",
# "sacked after not turning up for work"), not to the claim
_CLAUSE = re.compile(r"\b(?:who|which|after|before|because|when|while|despite|if|until|without)\b",
                     re.IGNORECASE)
_FRAME = re.compile(r"^\s*is\s+it\s+true\s+that\s+", re.IGNORECASE)  # how a claim is put as a question
MIN_WORDS = 3  # words a part keeps to be part of the claim ("Nope", "NASA" are not)


@lru_cache(maxsize=256)
def claim_core(text: str) -> str | None:
    """The claim a question or headline asks about in the negative, in its own words with
    the negation and the words that call it untrue taken out; None when it asks about a
    claim plainly (nothing to take out) or nothing of the claim is left."""
    frame = _FRAME.match(text)
    kept: list[str] = []
    changed = False
    for part in _PARTS.split(text[frame.end() if frame else 0:].strip()):
        if _FRAMING.search(part):
            stripped = _IS_FRAMED.sub("", part)
            changed = True
            if _FRAMING.search(stripped):
                continue  # "USDA debunks the hoax", "Death Hoax Makes The Rounds": no part of the claim
            part = _TOLD.sub("", stripped)  # "Viral news on days of darkness" is the darkness
        if (no := _NO.match(part)) is not None:
            part, changed = part[no.end():], True
        first = re.split(r",\s+", part, maxsplit=1)
        head = first[0]
        cut = _CLAUSE.search(head)
        own, rest = (head[:cut.start()], head[cut.start():]) if cut else (head, "")
        if _NOT.search(own) or _NT.search(own):
            own = _NT.sub(lambda m: _AUX.get(m.group(1).lower(), m.group(1)), _NOT.sub("", own))
            changed = True
        part = own + rest + (", " + first[1] if len(first) > 1 else "")
        if len(words(part)) >= MIN_WORDS:
            kept.append(part.strip().rstrip(":;,"))
    if not changed or not kept:
        return None
    core = (frame.group() if frame else "") + " ".join(kept)
    return core if core.endswith("?") or not text.rstrip().endswith("?") else core.rstrip(" .!") + "?"


def turned(question: Question) -> bool:
    """Whether the sides of a yes/no question are taken on the claim inside it and turned round
    (:func:`claim_core`): it asks in the negative and for no one side."""
    return (question.kind == "yesno" and question.negated and not question.focus
            and claim_core(question.resolved) is not None)


def may_report(ev: Evidence, denies: Sequence[Evidence], articles: dict[str, ArticleInfo]) -> bool:
    """Whether a sentence may report the claim: unless its speaker is one who denies it, or it
    is unattributed in an article whose own headline is a denial."""
    if ev.speaker:
        mine = name_words(ev.speaker)
        return not any(d.speaker and mine & name_words(d.speaker) for d in denies)
    title = articles[ev.article_id].title.lower()
    denied = re.search(r"\b(denies|denied|rejects|dismisses|refutes)\b", title)
    return not denied or not any(d.article_id == ev.article_id for d in denies)


def name_words(name: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\b[A-Z][\w'’-]+", name)} - {"the"}
