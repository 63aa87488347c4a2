"""News framing of FEVER claims for the judgement model's training: a claim reported,
denied or left open by a speaker (``framed_examples``), and a claim asked in the negative
as a fact check's headline asks it (``negated_examples``; an option, not in the shipped mix)."""

from __future__ import annotations

import random
from pathlib import Path

from retrieval.judge.pairs import CONTRADICTS, NEUTRAL, SUPPORTS, Example, as_question, detok, read_jsonl


# Who reports, confirms or denies in the framed examples (generic, invented names).
_OUTLETS = ("the Daily Ledger", "the Evening Courier", "a US newspaper", "state television", "the Northern Herald",
            "a news agency", "the Post", "local media")
_SPEAKERS = ("a government spokesman", "the company", "officials", "a spokeswoman for the ministry", "the minister",
             "the club", "police", "the embassy", "his lawyer", "the agency")
_SUPPORT_FRAMES = (
    "{outlet} reported on {day} that {claim}.",
    "According to {outlet}, {claim}.",
    "{Speaker} confirmed that {claim}.",
    "{claim_cap}, {outlet} reported, citing people familiar with the matter.",
    "{Speaker} said on {day} that {claim}.",
)
_DENY_FRAMES = (
    "{Speaker} denied reports that {claim}.",
    "{Speaker} called the report that {claim} “simply false information”.",
    "{Speaker} dismissed claims that {claim} as “completely untrue”.",
    "There is no truth to reports that {claim}, {speaker} said in a statement.",
    "{Speaker} rejected a report by {outlet} that {claim}, calling it fabricated.",
    "{outlet_cap} later retracted its report that {claim}.",
)
_NEUTRAL_FRAMES = (
    "{Speaker} declined to comment on reports that {claim}.",
    "{Speaker} has not said whether {claim}.",
    "It was not immediately clear whether {claim}.",
    "{outlet_cap} could not independently verify whether {claim}.",
)
_FUNCTION_STARTS = frozenset("A An The There It In On At He She They This That These Those One Some Most "
                             "Many Only No Every".split())
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def framed_examples(root: Path, rng: random.Random, n: int) -> list[Example]:
    """News framing of FEVER claims: a claim reported or confirmed supports it, a claim
    denied, called false or retracted contradicts it, a claim left open ("declined to
    comment", "not clear whether") does not address it; whatever the claim's truth.
    Teaches the model that attribution decides the side, not the words shared."""
    recs = read_jsonl(root / "fever" / "test.jsonl")
    rng.shuffle(recs)
    out = []
    for rec in recs[:n]:
        claim = rec["query"].strip().rstrip(".")
        if not claim:
            continue
        label = rng.choice((SUPPORTS, CONTRADICTS, NEUTRAL))
        passage = _frame(claim, label, rng)
        query = as_question(claim) if rng.random() < 0.5 else claim
        out.append(Example(query, passage, label, 0 if label == NEUTRAL else 1, "framed"))
    return out


def _lowered(claim: str) -> str:
    """The claim to go on after "reported that": "The film ..." -> "the film ..."."""
    return claim[0].lower() + claim[1:] if claim.split()[0] in _FUNCTION_STARTS else claim


def _frame(claim: str, label: int, rng: random.Random) -> str:
    """A news sentence that reports, denies or leaves open ``claim`` (``label``)."""
    frames = {SUPPORTS: _SUPPORT_FRAMES, CONTRADICTS: _DENY_FRAMES, NEUTRAL: _NEUTRAL_FRAMES}[label]
    speaker, outlet = rng.choice(_SPEAKERS), rng.choice(_OUTLETS)
    passage = rng.choice(frames).format(
        claim=_lowered(claim), claim_cap=claim[0].upper() + claim[1:], speaker=speaker,
        Speaker=speaker[0].upper() + speaker[1:], outlet=outlet,
        outlet_cap=outlet[0].upper() + outlet[1:], day=rng.choice(_DAYS))
    return passage[0].upper() + passage[1:]


# A claim asked about in the negative, as a fact check's or a rebuttal's headline puts it:
# what supports the claim contradicts these, and the other way round.
_NEGATED_QUERIES = (
    "Reports that {claim} are false",
    "Hoax: {claim}",
    "No, {claim}",
    "It is not true that {claim}",
    "{Claim}? That story is fake",
    "Officials debunk the claim that {claim}",
    "Fact check: the rumour that {claim} is false",
    "Internet hoax claims {claim}",
)


def negated_examples(root: Path, rng: random.Random, n: int) -> list[Example]:
    """FEVER claims asked in the negative ("Hoax: ...", "Reports that ... are false"), with
    their evidence or a news framing of the claim: the side flips (a report of the claim
    contradicts "Reports that X are false"), a passage that leaves it open stays neutral.
    Teaches the model to read a debunking headline, which restates the rumour it denies."""
    if n <= 0:
        return []
    recs = read_jsonl(root / "fever" / "dev.jsonl")
    rng.shuffle(recs)
    flip = {SUPPORTS: CONTRADICTS, CONTRADICTS: SUPPORTS, NEUTRAL: NEUTRAL}
    out = []
    for rec in recs[:n]:
        claim = rec["query"].strip().rstrip(".")
        ev = detok(" ".join(e["text"] for group in rec["evidences"] for e in group))
        if not claim or not ev:
            continue
        if rng.random() < 0.5:  # the claim's own evidence
            label = SUPPORTS if rec["classification"] == "SUPPORTS" else CONTRADICTS
            passage = ev
        else:  # a report, a denial or no word on it
            label = rng.choice((SUPPORTS, CONTRADICTS, NEUTRAL))
            passage = _frame(claim, label, rng)
        query = rng.choice(_NEGATED_QUERIES).format(claim=_lowered(claim), Claim=claim[0].upper() + claim[1:])
        # (half asked as newsbot's FNC-1 measure asks a headline: "Is it true that Hoax: ...?")
        query = as_question(query) if rng.random() < 0.5 else query
        out.append(Example(query, passage, flip[label], 0 if label == NEUTRAL else 1, "negated"))
    return out
