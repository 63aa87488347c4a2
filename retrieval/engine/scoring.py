"""Scoring the sentences of the retrieved chunks against a question: :func:`gather`.

A sentence's score is a weighted sum of the question terms it carries (weighted by
their rarity in the store; terms found only in its headline or in the sentence
before it count for less) and of its chunk's dense similarity, plus bonuses for
holding what the question asks for, for opening its article and for a quoted
speaker, scaled down when it misses names the question asks about or reads like
a list.  Every weight and threshold lives in :class:`EvidenceWeights`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from retrieval.common.terms import Lexicon, stem, terms, words
from retrieval.common.text import Span, is_embed_byline, is_instruction, sentence_spans
from retrieval.engine.evidence import (_WEEKDAYS, QUOTE_VERBS, Evidence, Question, claim_date, classify_stance,
                                       find_speaker)
from retrieval.engine.search import Hit, LexicalIndex
from retrieval.engine.values import MONTH, NUMBER_WORDS, RELATIVE_TIME, YEAR, count_values, measured, placed

_ERA = re.compile(r"\b\d{1,4}\s*(?:BC|BCE|AD|CE)\b|\b(?:century|dynasty|decade)\b|\b\d{1,4}(?:st|nd|rd|th)\b")
_CALENDAR = frozenset(
    stem(w) for w in "monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december".split()
)
_NUMBER = re.compile(r"\d")
_NUMBER_WORD = re.compile(rf"\b(?:{NUMBER_WORDS})\b", re.IGNORECASE)
_ANY_NUMBER = re.compile(r"\d[\d,.]*|" + _NUMBER_WORD.pattern, re.IGNORECASE)
_AMOUNT = re.compile(
    r"[$€£¥]\s?\d|\d[\d,.]*\s*(?:%|percent|per cent|(?:million|billion|thousand|trillion)?\s*"
    r"(?:euros?|dollars?|pounds?|yen|yuan|roubles?|rubles?|francs?))", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+)*")
_QUOTE_MARKS = re.compile(r"[“”\"«»]")
# A sentence that is all quotation, with no speaker of its own ("“That is false,” the board
# replied." is not)
_ALL_QUOTED = re.compile(r"^[“\"][^“”\"]*[”\"]\W*$|^[“\"][^“”\"]*[.!?]$")
# A quotation closed and its speaker named by a verb of saying ("...,” said Trevor Houser",
# "...,” Houser said"); "according to Time" names a source, not who speaks
_ATTRIBUTED_QUOTE = re.compile(rf"[”\"],?\s+(?:(?:{QUOTE_VERBS})\s+[A-Z]|"
                               r"(?:[A-Z][\w’'.-]*\s+){1,4}(?:said|says|added|told|wrote|writes)\b)")


@dataclass(frozen=True)
class EvidenceWeights:
    """How :func:`gather` scores a sentence (score = coverage * covered share + dense *
    chunk similarity, then the bonuses and factors below)."""

    coverage: float = 0.65  # weight of the share of the question's terms a sentence carries
    dense: float = 0.35  # weight of its chunk's dense similarity to the question (floored at 0)
    answer_bonus: float = 0.1  # added when it holds what the question asks for (a year for "when")
    weak_answer_bonus: float = 0.04  # ... only weakly (a weekday for "when")
    entity_base: float = 0.6  # the score is scaled by entity_base + entity_share * share of the
    entity_share: float = 0.4  # names and numbers asked about that it (or its headline) names
    lede_bonus: float = 0.1  # added to an article's first sentence
    title_weight: float = 0.8  # how much a question term in the headline counts for a sentence
    context_weight: float = 0.6  # ... and one in the sentence before it
    quote_bonus: float = 0.03  # added to a quoted sentence whose speaker is named
    list_penalty: float = 0.6  # factor for a run of names or menu items rather than a sentence
    list_min_words: int = 15  # ... which has at least this many words
    list_function_share: float = 0.1  # ... and fewer function words than this share
    edge_margin: int = 600  # characters of the article read past a chunk's edges


EVIDENCE_WEIGHTS = EvidenceWeights()


@dataclass(frozen=True)
class _Asked:
    """What one question's sentences are scored against (weighed once per question)."""

    question: Question
    lexicon: Lexicon
    weights: EvidenceWeights
    idf: dict[str, float]  # question term -> its rarity in the store
    predicate: list[str]  # what the question says happened: its terms past the names
    total: float
    pred_total: float


def gather(
    question: Question,
    hits: Sequence[Hit],
    index: LexicalIndex,
    lexicon: Lexicon,
    *,
    weights: EvidenceWeights = EVIDENCE_WEIGHTS,
    texts: dict[str, str] | None = None,
) -> list[Evidence]:
    """Every sentence of the retrieved chunks, scored, best first (one per span).

    With ``texts`` (article id -> stored text), sentences are cut from the whole
    article, so a sentence that runs across a chunk's edge is kept whole
    ("... confirmed by the Senate on August 10," + "1966.").
    """
    asked = _weigh(question, index, lexicon, weights)
    seen: set[tuple[str, int]] = set()
    out: list[Evidence] = []
    for hit in hits:
        full = texts.get(hit.article_id) if texts else None
        out.extend(_hit_evidence(asked, hit, full, seen))
    out.sort(key=lambda e: (-e.score, e.start))
    return out


def _weigh(question: Question, index: LexicalIndex, lexicon: Lexicon, weights: EvidenceWeights) -> _Asked:
    """The question's terms weighed by rarity (kept on ``question.weights`` for the composer)."""
    idf = {t: index.idf(t) for t in question.terms}
    question.weights = idf
    # What the question says happened (its terms past the names): a sentence
    # supports the claim only when it carries one of them itself.
    predicate = [t for t in question.terms if t not in question.entity_terms
                 and t not in lexicon.stance_question_words]
    total = sum(idf.values()) or 1.0
    pred_total = sum(idf[t] for t in predicate) or 0.0
    return _Asked(question, lexicon, weights, idf, predicate, total, pred_total)


def _chunk_sentences(hit: Hit, full: str | None,
                     margin: int) -> tuple[list[Span], int, int, Span | None, str, int]:
    """The sentences of a chunk (offsets relative to the chunk), the offset of its
    article's first sentence when the chunk opens the article, the chunk's base
    (0 when it opens the article, -1 when not, its start when the article is unknown),
    the sentence of the margin just before the first one (None when unknown), and the
    text the offsets index with where the chunk starts in it."""
    if full is not None and full[hit.start:hit.end] == hit.text:
        # The chunk with a margin of its article on either side, cut into
        # sentences; those that overlap the chunk are kept, whole.
        lo = max(0, hit.start - margin)
        around = [Span(lo + sp.start - hit.start, lo + sp.end - hit.start, sp.piece)
                  for sp in _lines(sentence_spans(full[lo:hit.end + margin]))]
        if lo > 0 and around:
            around = around[1:]  # it may begin mid-sentence
        spans = [sp for sp in around if sp.end > 0 and sp.start < hit.end - hit.start]
        lead = next((sp for sp in reversed(around) if sp.end <= 0), None)
        first_start = around[0].start if around and lo == 0 else 0
        return spans, first_start, 0 if hit.start == 0 else -1, lead, full, hit.start
    spans = list(_lines(sentence_spans(hit.text)))
    return spans, spans[0].start if spans else 0, hit.start, None, hit.text, 0


def _hit_evidence(asked: _Asked, hit: Hit, full: str | None, seen: set[tuple[str, int]]) -> Iterator[Evidence]:
    """The scored sentences of one chunk not seen before (in another chunk)."""
    title_terms = set(terms(hit.meta.get("title", ""), asked.lexicon))
    spans, first_start, base, last, text, origin = _chunk_sentences(hit, full, asked.weights.edge_margin)
    previous: frozenset[str] = frozenset()
    quoting: str | None = None  # who speaks in the quotation the sentence before ends
    for span in spans:
        start = hit.start + span.start
        key = (hit.article_id, start)
        sent_terms = frozenset(terms(span.piece, asked.lexicon))
        before, previous = previous, sent_terms
        # the sentence before, on the same line (what dates "Shortly after, ...")
        gap = "\n" if last is None else text[origin + last.end:origin + span.start]
        before_text = last.piece if "\n" not in gap else ""
        last = span
        # A quotation carried on in the next sentence is the same speaker's: "“It’s a
        # good-news bad-news story,” said Trevor Houser. “In the electricity sector we had a
        # banner year ...”"
        speaker = find_speaker(span.piece, asked.lexicon) or (
            quoting if _ALL_QUOTED.match(span.piece) else None)
        quoting = speaker if speaker and _ATTRIBUTED_QUOTE.search(span.piece) else None
        if key in seen or is_instruction(span.piece) or is_embed_byline(span.piece):
            if key not in seen:
                last = None  # (a byline dates nothing after it)
            continue
        seen.add(key)
        lede = start == 0 or (base == 0 and span.start == first_start)
        yield _scored(asked, hit, span, sent_terms, title_terms, before, lede, speaker, before_text)


def _scored(asked: _Asked, hit: Hit, span: Span, sent_terms: frozenset[str], title_terms: set[str],
            before: frozenset[str], lede: bool, speaker: str | None, before_text: str = "") -> Evidence:
    """One sentence as evidence, with its score, stance and speaker."""
    w, idf, total, predicate, question = asked.weights, asked.idf, asked.total, asked.predicate, asked.question
    # A sentence also counts what its headline and the sentence before it name
    # ("It was released on ..." after "X is an album ...").
    matched = sum(
        v if t in sent_terms else w.title_weight * v if t in title_terms else w.context_weight * v
        for t, v in idf.items() if t in sent_terms or t in title_terms or t in before
    )
    coverage = matched / total
    own = sum(v for t, v in idf.items() if t in sent_terms) / total
    asserts = own > 0 if not predicate else any(t in sent_terms for t in predicate)
    typed = _carries_type(question, span.piece, asked.lexicon)
    if (not typed and question.answer_type == "date" and RELATIVE_TIME.match(span.piece)
            and _carries_type(question, before_text, asked.lexicon) is True):
        typed = "weak"  # "Shortly after, ..." is dated by the sentence before ("Released in 1987, ...")
    score = w.coverage * coverage + w.dense * max(hit.dense, 0.0)
    if typed:
        score += w.answer_bonus if typed is True else w.weak_answer_bonus
    named = 1.0
    if question.entities:
        present = sum(1 for group in question.entities
                      if any(t in sent_terms or t in title_terms or t in before for t in group))
        named = present / len(question.entities)
        score *= w.entity_base + w.entity_share * named
    if lede:
        score += w.lede_bonus
    stance = classify_stance(span.piece, asked.lexicon, relevant=asserts)
    if speaker and _QUOTE_MARKS.search(span.piece):
        score += w.quote_bonus
    if _is_list_like(span.piece, asked.lexicon, w):
        score *= w.list_penalty
    return Evidence(
        article_id=hit.article_id,
        start=hit.start + span.start,
        end=hit.start + span.end,
        text=span.piece,
        meta=hit.meta,
        coverage=coverage,
        own_coverage=own,
        dense=hit.dense,
        score=score,
        stance=stance,
        speaker=speaker,
        when=claim_date(span.piece, hit.meta.get("published")),
        terms=sent_terms,
        has_answer_type=bool(typed),
        bears=typed is True and (asserts or not predicate),
        predicate_coverage=(sum(idf[t] for t in set(predicate) if t in sent_terms) / asked.pred_total
                            if asked.pred_total else 0.0),
        entity_coverage=named,
    )


def _counts(sentence: str, counted: str, lexicon: Lexicon) -> bool:
    """Whether a number (figures or words) in a sentence counts ``counted``: the term is
    among the three words after it."""
    for m in _ANY_NUMBER.finditer(sentence):
        if counted in terms(" ".join(words(sentence[m.end():m.end() + 60])[:3]), lexicon):
            return True
    return False


def _is_list_like(sentence: str, lexicon: Lexicon, weights: EvidenceWeights) -> bool:
    """A run of names or menu items rather than a sentence: long, with almost no
    function words ("Sports NFL College Football MLB NASCAR ...")."""
    toks = words(sentence)
    if len(toks) < weights.list_min_words:
        return False
    function = sum(1 for t in toks if t in lexicon.stopwords)
    return function / len(toks) < weights.list_function_share


def _lines(spans: Iterable[Span]) -> Iterable[Span]:
    """Sentences cut once more at line breaks (captions run into the next line)."""
    for span in spans:
        if "\n" not in span.piece:
            yield span
            continue
        offset = 0
        for line in span.piece.split("\n"):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                s = span.start + offset + lead
                yield Span(s, s + len(stripped), stripped)
            offset += len(line) + 1


def _carries_type(question: Question, sentence: str, lexicon: Lexicon) -> bool | str:
    """Whether a sentence holds what the question asks for (``"weak"``: a weekday for "when")."""
    kind = question.answer_type
    if kind == "amount":
        return bool(_AMOUNT.search(sentence))
    if kind == "date":
        if YEAR.search(sentence) or MONTH.search(sentence) or _ERA.search(sentence):
            return True
        return "weak" if any(w in sentence.lower() for w in _WEEKDAYS) else False
    if kind == "number":
        if question.measures:  # "How big is the telescope?": a number with its unit
            if measured(sentence, question.measures) is not None:
                return True
            # a share, a sum or a count may say how big or how high, less surely
            scaled = question.measures == "scale" and (_AMOUNT.search(sentence) or count_values(sentence))
            return "weak" if scaled else False
        if question.counts:  # "how many": a whole number of things, not "9.62%" or "the 2010 census"
            if not (count_values(sentence) or _NUMBER_WORD.search(sentence)):
                return False
            # a count of what is asked about ("60 wild goats" for "How many goats ...?")
            # holds the answer; a count of something else ("a 20-minute flight") only may
            return "weak" if question.counted and not _counts(sentence, question.counted, lexicon) else True
        return bool(_NUMBER.search(sentence) or _NUMBER_WORD.search(sentence))
    if kind in ("person", "place"):
        asked = set(question.terms)
        for m in _NAME.finditer(sentence):
            name = set(terms(m.group(), lexicon)) - _CALENDAR
            if name and not name & asked:  # a name the question does not hold ...
                # ... and for "where", one a preposition of place introduces ("met in Warsaw";
                # not "The Russian president", "European ministers")
                if kind == "person" or placed(sentence, m.start(), question.resolved):
                    return True
    return False
