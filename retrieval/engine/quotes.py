"""Quotes and who says them: the article view a citation shows (:class:`ArticleInfo`),
citation numbering, attribution ("Kremlin spokesman Dmitry Peskov (via AFP, 11 Nov
2024)"), and the span of an article to quote for a sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from retrieval.common.terms import terms
from retrieval.common.text import sentence_spans
from retrieval.engine.answer import Citation
from retrieval.engine.evidence import Evidence, Question, find_speaker
from retrieval.engine.values import MEASURE, MONTH, RELATIVE_TIME, YEAR


@dataclass
class ArticleInfo:
    """What a citation shows about an article."""

    id: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    path: str | None
    text: str
    alias_sources: tuple[str, ...] = ()  # outlets of other addresses that carry this same text


class Numbering:
    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.citations: list[Citation] = []

    def cite(self, ev: Evidence, quote: tuple[int, int], info: ArticleInfo, stance: str) -> int:
        n = self.numbers.setdefault(ev.article_id, len(self.numbers) + 1)
        start, end = quote
        if not any(c.n == n and c.start == start and c.end == end for c in self.citations):
            self.citations.append(Citation(
                n=n, article_id=info.id, title=info.title, source=info.source,
                published=info.published, url=info.url, quote=info.text[start:end],
                start=start, end=end, stance=stance, path=info.path,
            ))
        return n


def quoted(evidence: Iterable[Evidence], citations: Iterable[Citation]) -> list[Evidence]:
    """The sentences of ``evidence`` that the ``citations`` quote (in part or whole)."""
    cites = list(citations)
    return [e for e in evidence
            if any(c.article_id == e.article_id and c.start < e.end and e.start < c.end for c in cites)]


def format_date(value: str | date | None) -> str | None:
    """``10 Nov 2024`` from an ISO date (or None)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {value:%b %Y}"


def attribution(ev: Evidence, info: ArticleInfo) -> tuple[str, str]:
    """Who says it, and a parenthesis with the day and the publisher.

    ``("Kremlin spokesman Dmitry Peskov", " (via AFP, 11 Nov 2024)")`` or
    ``("Harbor Gazette", " (12 Nov 2024)")``; the day of the claim, when the
    sentence names one, replaces the publication date.
    """
    publisher = info.source or f"“{info.title}”"
    day = (f"{ev.when:%A}, {format_date(ev.when)}" if ev.when is not None
           else format_date(info.published))
    speaker = ev.speaker
    if speaker:
        first, _, rest = speaker.partition(" ")
        if first.lower() in ("the", "a", "an") or first.lower() in _COMMON_HEADS:
            speaker = f"{first.lower()} {rest}".strip()
    if speaker and not same_name(speaker, publisher):
        bits = [day, f"via {publisher}"] if ev.when is not None else [f"via {publisher}", day]
        return speaker, f" ({', '.join(b for b in bits if b)})"
    return publisher, f" ({day})" if day else ""


_COMMON_HEADS = frozenset("""astronomers scientists researchers engineers doctors residents witnesses
investigators authorities officials people sources workers analysts economists experts police
prosecutors company union government ministry""".split())


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def same_name(a: str, b: str) -> bool:
    def fold(x: str) -> str:
        return x.lower().strip("“”\"").removeprefix("the ")
    return fold(a) == fold(b)


def _sentence_before(text: str, lo_abs: int, hi_abs: int, max_chars: int, ev: Evidence,
                     question: Question) -> tuple[int, str] | None:
    """The start and text of the sentence before ``lo_abs`` on the same line, when the quote
    still fits with it and it is not in another voice."""
    window_lo = max(0, lo_abs - max_chars - 1)
    before = sentence_spans(text[window_lo:lo_abs])
    if not before or (window_lo > 0 and len(before) < 2):
        return None  # (the first span of a cut window may be part of a sentence)
    start = window_lo + before[-1].start
    gap = text[start:lo_abs]
    if "\n" in gap[len(gap.rstrip()):]:
        return None  # the sentence before ends its line: another paragraph or a caption
    if "\n" in gap:  # a line break inside ends what came before ("View Comments\nMercurial 5.2 ...")
        start += gap.rindex("\n") + 1
    piece = text[start:lo_abs].strip()
    if not piece or hi_abs - start > max_chars or _other_voice(piece, ev, question):
        return None
    return start, piece


_PRONOUN_SUBJECT = re.compile(r"(?:It|He|She|They)\s+(?:is|was|are|were|has|had|will|would)\b")


def quote_span(ev: Evidence, question: Question, max_chars: int, text: str,
                extend: bool = False, around: bool = False,
                focus: tuple[int, int] | None = None) -> tuple[int, int, bool, bool]:
    """The span of the article ``text`` to quote for a sentence.

    The sentence itself when it fits; with ``extend``, the sentence and the one
    after it when both fit (an answer often follows the sentence that names
    the subject: "X is a town in Y. As of 2010 it had 3,559 people.").  A
    longer sentence is cut to the window that holds most of the question's
    terms, rarest first, and of what the question asks for (names, dates,
    numbers), reaching as far past them as it can; a ``focus`` span of the article
    (the words that tell this copy of a sentence from another) is held first.
    Returns the span in the article text and whether it was cut on the left and on
    the right.
    """
    lo_abs, hi_abs = ev.start, ev.end
    # the writer's question a sentence answers comes first ("The reason for that decline?
    # The U.S. is burning less coal."); and a wh-answer whose sentence begins "It is ..." or
    # "He was ..." takes in the sentence before, which names who or what it is ("Mercurial
    # 5.2 was released on November 5, 2019. It is the first version of Mercurial that
    # supports Python 3."); and the answer to a when-question dated by the sentence before
    # ("Shortly after, Rode renamed himself ...") takes in that sentence's date; when both fit
    prev = _sentence_before(text, lo_abs, hi_abs, max_chars, ev, question)
    if prev is not None and (prev[1].rstrip().endswith("?") or extend and _PRONOUN_SUBJECT.match(ev.text)
                             or question.answer_type == "date" and RELATIVE_TIME.match(ev.text) and _dated(prev[1])):
        lo_abs = prev[0]
    # A quote runs on into a neighbouring sentence of the same paragraph and line
    # only (a line break ends a caption or a paragraph).
    if extend and hi_abs - lo_abs < max_chars:
        following = sentence_spans(text[hi_abs:hi_abs + max_chars + 1])
        if following and hi_abs + following[0].end - lo_abs <= max_chars \
                and "\n" not in text[hi_abs:hi_abs + following[0].end] \
                and not _other_voice(following[0].piece, ev, question):
            hi_abs += following[0].end
            # a question the writer asks is answered by the next sentence ("The reason
            # for that decline? The U.S. is burning less coal."): it comes along when it fits
            if text[:hi_abs].rstrip().endswith("?") and len(following) > 1 \
                    and following[1].end - following[0].end + hi_abs - lo_abs <= max_chars \
                    and "\n" not in text[hi_abs:hi_abs + following[1].end - following[0].end] \
                    and not _other_voice(following[1].piece, ev, question):
                hi_abs += following[1].end - following[0].end
    while around and hi_abs - lo_abs < max_chars:
        # The passage around the sentence, as far as it fits: the next sentence,
        # then the one before; never a sentence in another voice ("Local councillors
        # said ..." after the director's words, quoted as hers).
        grown = False
        following = sentence_spans(text[hi_abs:hi_abs + max_chars + 1])
        if following and hi_abs + following[0].end - lo_abs <= max_chars \
                and "\n" not in text[hi_abs:hi_abs + following[0].end] \
                and not _other_voice(following[0].piece, ev, question):
            hi_abs += following[0].end
            grown = True
        prev = _sentence_before(text, lo_abs, hi_abs, max_chars, ev, question)
        if prev is not None:
            lo_abs = prev[0]
            grown = True
        if not grown:
            break
    if hi_abs - lo_abs <= max_chars:
        return lo_abs, hi_abs, False, False
    piece_text = text[lo_abs:hi_abs]
    top = max(question.weights.values(), default=1.0) or 1.0
    rarity = {t: question.weights.get(t, top) / top for t in question.terms}
    toks = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", piece_text)]
    weights = []
    keys: list[str | None] = []  # a question term counts once in a window, whatever its repeats
    for t_lo, t_hi, tok in toks:
        core = tok.strip("“”\"'()[],.;:!?")
        found = terms(core, question.lexicon) if core and question.lexicon else []
        w = 0.0
        keys.append(found[0] if found and found[0] in rarity else None)
        if found and found[0] in rarity:
            w += 0.5 + rarity[found[0]]
        elif core[:1].isdigit() and question.answer_type in ("date", "number", "amount"):
            w += 0.7
        elif question.measures and MEASURE.match(core):  # "Five-hundred-meter"
            w += 0.7
        elif question.answer_type == "date" and core.lower() in _MONTHS:
            w += 0.7
        elif core[:1].isupper() and question.answer_type in ("person", "place", None):
            w += 0.3
        if focus and lo_abs + t_lo < focus[1] and lo_abs + t_hi > focus[0]:
            w += FOCUS
        weights.append(w)
    # What follows a question's words is where an answer stands ("was an American
    # football quarterback", "her husband Cleombrotus II"): a few words after each
    # count too.
    if FOLLOW:
        after = 0
        for i, key in enumerate(keys):
            if key is not None:
                after = FOLLOW_WORDS
            elif after:
                weights[i] += FOLLOW
                after -= 1
    best, best_lo, best_hi = -1.0, 0, len(toks)
    hi, total = 0, 0.0
    counts: dict[str, int] = {}

    def step(i: int, sign: int) -> float:
        key = keys[i]
        if key is None:
            return sign * weights[i]
        counts[key] = counts.get(key, 0) + sign
        first = counts[key] == (1 if sign > 0 else 0)
        return sign * weights[i] if first else 0.0

    for lo in range(len(toks)):
        while hi < len(toks) and toks[hi][1] - toks[lo][0] <= max_chars:
            total += step(hi, 1)
            hi += 1
        # Among windows holding as much, the later one: answers follow their cue.
        if total > best + 1e-9 or (abs(total - best) <= 1e-9 and weights[lo] > 0):
            best, best_lo, best_hi = total, lo, hi
        if hi > lo:
            total += step(lo, -1)
        else:
            hi = lo + 1
    # A window that ends the sentence with room to spare reaches back as far as it fits
    # ("…were named best actors, cementing their roles as frontrunners at the Oscars next
    # month", not "…Oscars next month").
    while best_lo > 0 and best_hi > best_lo and toks[best_hi - 1][1] - toks[best_lo - 1][0] <= max_chars:
        best_lo -= 1
    a = toks[best_lo][0]
    b = toks[best_hi - 1][1] if best_hi > best_lo else toks[best_lo][1]
    piece = piece_text[a:b]
    a += len(piece) - len(piece.lstrip(" ,;:"))
    b -= len(piece) - len(piece.rstrip(" ,;:"))
    return lo_abs + a, lo_abs + b, a > 0, b < len(piece_text)


def _dated(sentence: str) -> bool:
    """Whether a sentence holds a year or a month."""
    return bool(YEAR.search(sentence) or MONTH.search(sentence))


def _other_voice(sentence: str, ev: Evidence, question: Question) -> bool:
    """Whether a neighbouring sentence names a speaker other than the one the quoted
    sentence is attributed to ("Kremlin spokesman Dmitry Peskov" and "Peskov" are one)."""
    if question.lexicon is None or not ev.speaker:
        return False
    speaker = find_speaker(sentence, question.lexicon)
    if speaker is None:
        return False
    mine, theirs = set(terms(ev.speaker, question.lexicon)), set(terms(speaker, question.lexicon))
    return not (mine & theirs)


FOCUS = 100.0  # weight of each word of a quote's focus: more than all a window's other words
FOLLOW = 0.6  # weight of each of the FOLLOW_WORDS words after a question's word in a window
FOLLOW_WORDS = 3

_MONTHS = frozenset("""january february march april may june july august september october november
december jan feb mar apr jun jul aug sep sept oct nov dec""".split())


def cite_quote(ev: Evidence, question: Question, info: ArticleInfo, numbering: Numbering,
            stance: str, max_chars: int, extend: bool = False, around: bool = False,
            focus: tuple[int, int] | None = None) -> str:
    start, end, cut_l, cut_r = quote_span(ev, question, max_chars, info.text, extend, around, focus)
    n = numbering.cite(ev, (start, end), info, stance)
    body = info.text[start:end]
    return f"“{'…' if cut_l else ''}{body}{'…' if cut_r else ''}” [{n}]"


def end_sentence(part: str) -> str:
    part = part.strip()
    return part if part.endswith((".", "!", "?", "]")) else part + "."
