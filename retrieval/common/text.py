"""Sentence segmentation with exact character spans.

Both sides of newsbot use it: ingest packs sentences into chunks, the answer
engine quotes sentences.  Spans always index into the original text, so that
``text[start:end]`` is the sentence verbatim.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr inc ltd co corp
    no vs etc e.g i.e u.s u.k u.n a.m p.m jan feb mar apr jun jul aug sep sept oct
    nov dec mt ft approx dept est fig""".split()
)

# A candidate boundary: terminal punctuation, optional closing quotes or
# brackets, then whitespace (CJK full stops need none).  Paragraph breaks
# always end a sentence.
_BOUNDARY = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s)|[。！？]+[」』”’）]*|\n\s*\n|\n(?=\s*[-*•])""")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


@dataclass(frozen=True)
class Span:
    """A piece of a text: ``text[start:end]`` is exactly ``piece``."""

    start: int
    end: int
    piece: str


def sentence_spans(text: str) -> list[Span]:
    """Split ``text`` into sentences, trimmed of surrounding whitespace.

    The spans cover every non-blank character of ``text`` and never overlap.
    """
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group().strip() and _is_abbreviation(text, match.start()):
            continue
        if match.group().strip() and _next_starts_lowercase(text, end):
            continue
        _append(spans, text, start, end)
        start = end
    _append(spans, text, start, len(text))
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = _WORD_BEFORE.search(text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower()
    if token in _ABBREVIATIONS:
        return True
    # Single capital letters ("J. Smith") and dotted initialisms ("U.S.").
    return len(token) == 1 or ("." in token and len(token) <= 5)


def _next_starts_lowercase(text: str, end: int) -> bool:
    rest = text[end:end + 3].lstrip()
    return bool(rest) and rest[0].islower()


def _append(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    s = start + lead
    e = s + len(stripped)
    spans.append(Span(s, e, text[s:e]))


def normalize_for_hash(text: str) -> str:
    """Text folded for duplicate detection: NFKC, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def content_hash(text: str) -> str:
    """A stable hash of the article body, insensitive to whitespace layout."""
    return hashlib.sha256(normalize_for_hash(text).encode("utf-8")).hexdigest()


# Text addressed to a language model rather than to a reader.  Stored articles
# are data: such a sentence is never quoted as evidence nor accepted as support.
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.]{0,40}\b(?:instructions?|prompts?|rules|guidelines)\b"
    r"|\bsystem prompt\b|\byou are (?:an? )?(?:ai|assistant|language model|chatbot)\b"
    r"|\b(?:as an ai|language model,)\b"
    r"|^\W*(?:please\s+)?(?:say|respond|reply|answer|output|print|write)\b(?:\s+(?:that|with|only))?",
    re.IGNORECASE,
)


def is_instruction(sentence: str) -> bool:
    """Whether a stored sentence talks to a model ("ignore previous instructions ...")."""
    return bool(_INSTRUCTION.search(sentence))


# The signature line under an embedded post: "— Dave Schukin (@schukin) July 3, 2019".
_EMBED_BYLINE = re.compile(
    r"^\s*[—–-]+\s*[^\n()]{0,80}\(@\w{1,30}\)\s*(?:on\s+)?"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4})\.?\s*$")


def is_embed_byline(sentence: str) -> bool:
    """Whether a sentence is the signature line of an embedded social media post: page
    furniture, not something an article says (quoted, its date would answer "when")."""
    return bool(_EMBED_BYLINE.match(sentence))


# Terminal escape sequences (colours, cursor moves) and other control characters.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def clean_question(question: str | None) -> str:
    """A question without terminal escapes and control characters, whitespace collapsed.

    ``"Did\\x01 the\\x1b[31m call\\x7f happen?"`` becomes ``"Did the call happen?"``.
    """
    text = _CONTROLS.sub("", _ESCAPES.sub("", question or ""))
    return " ".join(text.split())
