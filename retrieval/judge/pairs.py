"""What every training pair of the judgement model is, and the small readers the data
modules share (``retrieval.judge.data``, ``retrieval.judge.framing``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from retrieval.common.text import sentence_spans

SUPPORTS, CONTRADICTS, NEUTRAL, UNKNOWN = 0, 1, 2, -1
STANCE_NAMES = ("supports", "contradicts", "neutral")

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the of to in on at for and or but is are was were be been by with from as that this it its "
    "he she they his her their has have had not no will would can could says said say".split()
)


@dataclass(frozen=True)
class Example:
    query: str
    passage: str
    stance: int
    answers: int
    source: str  # which data set it came from


def sentences(text: str) -> list[str]:
    """The sentences of a text, split the way the answer engine splits an article."""
    return [s for s in (text[sp.start:sp.end].strip() for sp in sentence_spans(text)) if len(s) > 20]


def content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def as_question(claim: str) -> str:
    """"X did Y." -> "Is it true that X did Y?" (how newsbot's FNC measure asks)."""
    claim = claim.strip().rstrip(".!?")
    return f"Is it true that {claim}?"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def detok(text: str) -> str:
    text = text.replace("-LRB-", "(").replace("-RRB-", ")").replace("-LSB-", "[").replace("-RSB-", "]")
    text = re.sub(r"\s+([.,;:!?')\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    return text.replace(" 's", "'s").replace("`` ", '"').replace(" ''", '"').strip()
