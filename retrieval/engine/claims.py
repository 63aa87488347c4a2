"""The claim inside a claim asked in the negative.

"Is it true that Cesar Millan is not dead?", "Did Trump and Putin not speak?" and "Is it true
that Willie Nelson dead? Another celebrity death hoax makes the rounds" ask about a claim by
denying it. The judgement model reads a sentence against the words it is given, so "Willie Nelson was
found dead in his home" reads as support for the hoax headline, which names his death.
:func:`claim_core` gives the claim itself ("Is it true that Cesar Millan is dead?", "Is it true
that Willie Nelson dead?"); the sides are taken on it and turned round (:func:`turn_round`):
what reports the claim is against the question.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Sequence

from retrieval.common.terms import words
from retrieval.engine.asking import CLAIM_FRAME
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.quotes import ArticleInfo

# words that call what they name untrue ("... is a hoax", "Fake News Story Goes Viral")
_FRAMING = re.compile(r"\b(?:hoax\w*|fake\w*|bogus|debunk\w*|false|untrue|misinformation|satir\w*|myth)\b",
                      re.IGNORECASE)
_CALLED = (r"(?:(?:a|an|all|just|totally|entirely|completely|100%|elaborate|another|the|same|simply|also|"
           r"utterly|actually|goddamn)\s+)*(?:hoax|fake|false|bogus|untrue|myth)\b")
# "X is a hoax", "X Is Totally Bogus", "... But It Was A Hoax": X
_IS_FRAMED = re.compile(rf"\s*(?:,?\s*\bbut\s+(?:it|this|that)\s+)?\b(?:is|was|are|were)\s+{_CALLED}.*$",
                        re.IGNORECASE)
# "Is the Willie Nelson death story a hoax?", "Are reports of her death false?"
_ASKED_FRAMED = re.compile(rf"^\s*(?:is|are|was|were)\s+(.+?)\s+{_CALLED}\W*$", re.IGNORECASE)
# someone calling it untrue is what is asked ("Did Musk say the story is false?", "... found the
# photo was fake"): no claim asked in the negative
_SAYS = re.compile(r"\b(?:say|says|said|claim|claimed|rule|rules|ruled|found|find|finds|believes?|believed|"
                   r"thinks?|thought|argued|argues|called|deem\w*|declared|declares|reported|confirmed|confirms|"
                   r"showed|shows|shown|proved|proven|proves|insist\w*|admit\w*)\b", re.IGNORECASE)
# what tells of the claim: "(Viral) news on ...", "Report that ...", "... death story"
_TOLD = re.compile(r"^\s*(?:the\s+)?(?:viral\s+|latest\s+)?(?:news|reports?|stor(?:y|ies)|claims?|rumou?rs?|articles?)"
                   r"\s+(?:on|of|that|about|saying)\s+", re.IGNORECASE)
_TOLD_AFTER = re.compile(r"\s+(?:news|reports?|stor(?:y|ies)|claims?|rumou?rs?)\s*$", re.IGNORECASE)
# where a headline or a question splits into parts: "Willie Nelson Dead? Internet Freaks Out ...",
# "NASA: ...", "... ; NASA Confirmed ...", "... — But It's Awesome", "Sorry, Fido. Pope Francis ..."
_PARTS = re.compile(r"(?<=[?!:;…])\s+|\s+[-–—]\s+|(?<=[a-z]{2}\.)\s+(?=[A-Z])")
_ALTERNATIVE = re.compile(r"^\W*or\b", re.IGNORECASE)  # "Did he die? Or is it another hoax?"
# the negation of a claim's own verb ("is not dead", "didn't poop", "Not Blurred", "won't play");
# not "not only", "not just", "not long ago", "whether or not", "not an accident but arson" (below)
_NOT = re.compile(r"(?<!\bor)\s+(?:not|never)\b(?!\s+(?:only|just|merely|simply|until|long|far|least|yet|even|"
                  r"sure)\b)(?=\s)", re.IGNORECASE)
_NT = re.compile(r"(?i:\b(ca|wo|do|does|did|is|are|was|were|has|have|had|would|could|should|must|need))n['’]t\b")
_AUX = {"ca": "can", "wo": "will"}
_NO = re.compile(r"^\s*(?:no|nope|sorry)\s*,\s*", re.IGNORECASE)
# a negation after one of these belongs to a clause of its own ("a friend who never showed up",
# "sacked after not turning up for work"), not to the claim
_CLAUSE = re.compile(r"\b(?:who|which|after|before|because|when|while|despite|if|until|without|but)\b",
                     re.IGNORECASE)
TURNED = {"supports": "denies", "denies": "supports"}  # a side on the claim, as a side on its negation
MIN_WORDS = 3  # words a part keeps to be part of the claim ("Nope", "NASA" are not)


@lru_cache(maxsize=256)
def claim_core(text: str) -> str | None:
    """The claim a question or headline asks about in the negative, in its own words with
    the negation and the words that call it untrue taken out; None when it asks about a
    claim plainly (nothing to take out) or nothing of the claim is left."""
    frame = CLAIM_FRAME.match(text)
    asked = None if frame else _ASKED_FRAMED.match(text)
    if asked and not _SAYS.search(asked.group(1)):  # "Is the Willie Nelson death story a hoax?"
        told = _TOLD_AFTER.sub("", _TOLD.sub("", asked.group(1)))
        return f"Is it true that {told}?" if len(words(told)) >= MIN_WORDS - 1 else None
    kept: list[str] = []
    changed = False
    # "Didn't Trump call Putin?" asks for the claim to be confirmed: no negation of it
    body = _NT.sub(lambda m: _AUX.get(m.group(1).lower(), m.group(1)), text.strip(), count=1) \
        if not frame and _NT.match(text.strip()) else text[frame.end() if frame else 0:].strip()
    for part in _PARTS.split(body):
        if _ALTERNATIVE.match(part):
            continue  # another possibility offered, not the claim denied
        framing = _FRAMING.search(part)
        if framing and not _SAYS.search(part[:framing.start()]):
            stripped = _IS_FRAMED.sub("", part)
            changed = True
            if _FRAMING.search(stripped):
                continue  # "USDA debunks the hoax", "Death Hoax Makes The Rounds": no part of the claim
            part = _TOLD_AFTER.sub("", _TOLD.sub("", stripped))  # "Viral news on days of darkness": the darkness
        if (no := _NO.match(part)) is not None:
            part, changed = part[no.end():], True
        first = re.split(r",\s+", part, maxsplit=1)
        head = first[0]
        cut = _CLAUSE.search(head)
        own, rest = (head[:cut.start()], head[cut.start():]) if cut else (head, "")
        if (_NOT.search(own) or _NT.search(own)) and not re.search(r"\bnot\b.*\bbut\b", head, re.IGNORECASE):
            own = _NT.sub(lambda m: _AUX.get(m.group(1).lower(), m.group(1)), _NOT.sub("", own))
            changed = True
        part = own + rest + (", " + first[1] if len(first) > 1 else "")
        if len(words(part)) >= MIN_WORDS:
            kept.append(part.strip().rstrip(":;,"))
    if not changed or not kept:
        return None
    core = (frame.group() if frame else "") + " ".join(kept)
    return core if core.endswith("?") or not text.rstrip().endswith("?") else core.rstrip(" .!") + "?"


def claim_text(question: Question) -> str:
    """Where the claim asked about is: after "Is it true that", all of it (a headline of several
    parts); else the sentence that asks ("Did the Fed cut rates?" of "Did the Fed cut rates? I
    don't know.")."""
    asking = question.asking or question.text
    if CLAIM_FRAME.match(asking):
        # (a remark of the asker's own after it is no part of the claim: "... ? I heard they didn't.")
        remark = re.search(r"(?<=[?!.])\s+(?=(?:I|I'm|I've|We|You|My|Our|Please|Thanks)\b)", asking)
        return asking[:remark.start()] if remark else asking
    end = re.search(r"[?!.](?=\s|$)", asking)
    return asking[:end.end()] if end else asking


def negated_claim(question: Question) -> str | None:
    """The claim a yes/no question asks about in the negative (:func:`claim_core`), when its sides
    are taken on that claim and turned round: it asks in the negative (a negation or a word calling
    it untrue: :attr:`Question.negated`), for no one side, and is not a follow-up ("'Wild
    misinformation': Brian Williams explains the liveshot" calls something else untrue)."""
    if question.kind != "yesno" or not question.negated or question.focus or question.followup:
        return None
    return claim_core(claim_text(question))


def turned(question: Question) -> bool:
    """Whether a question's sides are turned round (:func:`negated_claim`)."""
    return negated_claim(question) is not None


def turn_round(evidence: Sequence[Evidence]) -> None:
    """Sides taken on the claim itself, made sides on the question asked in the negative (in
    place): a report of the claim denies the question, a denial of it supports the question."""
    for e in evidence:
        e.stance = TURNED.get(e.stance, e.stance)
        if e.judgement is not None:
            e.judgement = replace(e.judgement, supports=e.judgement.contradicts, contradicts=e.judgement.supports)


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
