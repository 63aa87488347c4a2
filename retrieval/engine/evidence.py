"""Sentence-level evidence: which sentences bear on a question, who says so, and how.

No model runs here: a sentence is scored by the question terms it carries
(weighted by their rarity in the store), the dense similarity of its chunk,
and whether it holds the kind of thing the question asks for (a year for
"when", a number for "how many", a name for "who").  Its speaker comes from
reporting-verb patterns ("Kremlin spokesman Dmitry Peskov told", "according
to ...", "..., Brandt said"), falling back to the publisher; its stance from
cue phrases ("denied", "false", "no plans" against "reported", "confirmed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Sequence

from retrieval.engine.search import Hit, LexicalIndex
from retrieval.common.terms import Lexicon, stem, terms, words
from retrieval.common.text import Span, is_instruction, sentence_spans

_WH = ("who", "whom", "whose", "what", "when", "where", "which", "why", "how")
_YESNO = ("did", "does", "do", "is", "are", "was", "were", "will", "would", "has", "have", "had",
          "can", "could", "should", "shall", "may", "might")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
_MONTH = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_ERA = re.compile(r"\b\d{1,4}\s*(?:BC|BCE|AD|CE)\b|\b(?:century|dynasty|decade)\b|\b\d{1,4}(?:st|nd|rd|th)\b")
_CALENDAR = frozenset(
    stem(w) for w in "monday tuesday wednesday thursday friday saturday sunday january february "
    "march april may june july august september october november december".split()
)
_NUMBER = re.compile(r"\d")
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|dozen|dozens|half)\b", re.IGNORECASE)
_AMOUNT = re.compile(
    r"[$€£¥]\s?\d|\d[\d,.]*\s*(?:%|percent|per cent|(?:million|billion|thousand|trillion)?\s*"
    r"(?:euros?|dollars?|pounds?|yen|yuan|roubles?|rubles?|francs?))", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ'’-]+(?:\s+[A-Z][a-zà-ÿ'’-]+)*")
_QUOTE_MARKS = re.compile(r"[“”\"«»]")
_EDGE_MARGIN = 600  # characters of the article read past a chunk's edges


@dataclass
class Question:
    """A question as the engine understands it."""

    text: str
    resolved: str
    terms: list[str]
    kind: str  # "yesno" or "wh"
    answer_type: str | None  # "date", "number", "person", "place" or None
    focus: str | None  # "supports"/"denies" when the question asks for one side
    # Names and numbers asked about, each as the terms of one name ("Donald Trump"
    # -> ("donald", "trump")): a sentence mentions the name when it has any of them.
    entities: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def entity_terms(self) -> set[str]:
        return {t for group in self.entities for t in group}
    followup: bool = False
    weights: dict[str, float] = field(default_factory=dict)  # term -> rarity in the store (set by gather)
    lexicon: Lexicon | None = field(default=None, repr=False)


def analyze(question: str, previous: Sequence[str], lexicon: Lexicon) -> Question:
    """Read a question; merge it with the previous one when it is a follow-up."""
    toks = words(question)
    first = toks[0] if toks else ""
    kind = "yesno" if first in _YESNO else "wh"
    own = terms(question, lexicon)
    focus = None
    for t in own:
        stance = lexicon.stance_question_words.get(t)
        if stance:
            focus = stance
            break
    plain = [t for t in own if t not in lexicon.stance_question_words]
    refers = any(w in lexicon.followup_pronouns for w in toks)
    followup = bool(previous) and (not plain or (refers and len(plain) <= 1))
    resolved = question
    all_terms = list(dict.fromkeys(own))
    entities = _entities(question, lexicon)
    if followup:
        before = previous[-1]
        resolved = f"{before} {question}"
        all_terms = list(dict.fromkeys(own + terms(before, lexicon)))
        entities = list(dict.fromkeys(entities + _entities(before, lexicon)))
    return Question(
        text=question,
        resolved=resolved,
        terms=all_terms,
        kind=kind,
        answer_type=_answer_type(toks, question),
        focus=focus,
        entities=entities,
        followup=followup,
        lexicon=lexicon,
    )


def _answer_type(toks: list[str], text: str) -> str | None:
    head = " ".join(toks[:3])
    if toks and toks[0] == "when" or re.search(r"\b(what|which) (year|date|day|month|decade|century)\b", head):
        return "date"
    if re.search(r"\bhow much\b", head) and re.search(
        r"\b(cost|costs|spend|spent|pay|paid|price|worth|money|budget|funding|fund|raise)\b", text.lower()
    ):
        return "amount"
    if re.search(r"\bhow (many|much|long|far|old|big|large|tall|high)\b", head) or re.search(
        r"\b(population|number of|percentage|rate of|salinity|size of|length of|height of)\b",
        text.lower(),
    ):
        return "number"
    if toks and toks[0] in ("who", "whom", "whose"):
        return "person"
    if toks and toks[0] == "where":
        return "place"
    return None


def _entities(text: str, lexicon: Lexicon) -> list[tuple[str, ...]]:
    """The names (runs of capitalized words past the first word) and numbers of a question."""
    found: list[tuple[str, ...]] = []
    for m in re.finditer(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w'’-]*)*|\b\d[\d,.]*", text):
        if m.start() == 0:
            rest = m.group().split(None, 1)
            if len(rest) < 2:
                continue
            group = terms(rest[1], lexicon)
        else:
            group = terms(m.group(), lexicon)
        if group:
            found.append(tuple(dict.fromkeys(group)))
    return list(dict.fromkeys(found))


@dataclass
class Evidence:
    """One sentence of one article, scored against a question."""

    article_id: str
    start: int  # in the article text
    end: int
    text: str
    meta: dict
    coverage: float  # weighted share of the question's terms it (or its article's title) carries
    own_coverage: float  # the same, counting the sentence's own words only
    dense: float  # similarity of its chunk to the question
    score: float
    stance: str
    speaker: str | None
    when: date | None  # the day the speaker made the claim, when the sentence names it
    terms: frozenset[str]
    has_answer_type: bool = False
    # It holds what the question asks for next to what the question says happened
    # ("The population was 681" for "What is the population of X?").
    bears: bool = False
    predicate_coverage: float = 0.0  # weighted share of the question's predicate terms it holds itself
    entity_coverage: float = 1.0  # share of the names and numbers asked about it carries
    # The judgement model's reading of the sentence against the question (None: not judged).
    judgement: Any = None

    @property
    def source(self) -> str | None:
        return self.meta.get("source")


def gather(
    question: Question,
    hits: Sequence[Hit],
    index: LexicalIndex,
    lexicon: Lexicon,
    *,
    lede_bonus: float = 0.1,
    title_weight: float = 0.8,
    context_weight: float = 0.6,
    list_penalty: float = 0.6,
    texts: dict[str, str] | None = None,
) -> list[Evidence]:
    """Every sentence of the retrieved chunks, scored, best first (one per span).

    With ``texts`` (article id -> stored text), sentences are cut from the whole
    article, so a sentence that runs across a chunk's edge is kept whole
    ("... confirmed by the Senate on August 10," + "1966.").
    """
    weights = {t: index.idf(t) for t in question.terms}
    question.weights = weights
    # What the question says happened (its terms past the names): a sentence
    # supports the claim only when it carries one of them itself.
    predicate = [t for t in question.terms if t not in question.entity_terms
                 and t not in lexicon.stance_question_words]
    total = sum(weights.values()) or 1.0
    pred_total = sum(weights[t] for t in predicate) or 0.0
    seen: set[tuple[str, int]] = set()
    out: list[Evidence] = []
    for hit in hits:
        title_terms = set(terms(hit.meta.get("title", ""), lexicon))
        full = texts.get(hit.article_id) if texts else None
        if full is not None and full[hit.start:hit.end] == hit.text:
            # The chunk with a margin of its article on either side, cut into
            # sentences; those that overlap the chunk are kept, whole.
            lo = max(0, hit.start - _EDGE_MARGIN)
            around = list(_lines(sentence_spans(full[lo:hit.end + _EDGE_MARGIN])))
            if lo > 0 and around:
                around = around[1:]  # it may begin mid-sentence
            spans = [Span(lo + sp.start - hit.start, lo + sp.end - hit.start, sp.piece)
                     for sp in around if lo + sp.end > hit.start and lo + sp.start < hit.end]
            first_start = (lo + around[0].start - hit.start) if around and lo == 0 else 0
            base = 0 if hit.start == 0 else -1
        else:
            spans = list(_lines(sentence_spans(hit.text)))
            first_start = spans[0].start if spans else 0
            base = hit.start
        previous: frozenset[str] = frozenset()
        for span in spans:
            start = hit.start + span.start
            key = (hit.article_id, start)
            sent_terms = frozenset(terms(span.piece, lexicon))
            before, previous = previous, sent_terms
            if key in seen or is_instruction(span.piece):
                continue
            seen.add(key)
            # A sentence also counts what its headline and the sentence before it name
            # ("It was released on ..." after "X is an album ...").
            matched = sum(
                w if t in sent_terms else title_weight * w if t in title_terms else context_weight * w
                for t, w in weights.items() if t in sent_terms or t in title_terms or t in before
            )
            coverage = matched / total
            own = sum(w for t, w in weights.items() if t in sent_terms) / total
            asserts = own > 0 if not predicate else any(t in sent_terms for t in predicate)
            typed = _carries_type(question, span.piece, lexicon)
            score = 0.65 * coverage + 0.35 * max(hit.dense, 0.0)
            if typed:
                score += 0.1 if typed is True else 0.04
            named = 1.0
            if question.entities:
                present = sum(1 for group in question.entities
                              if any(t in sent_terms or t in title_terms or t in before for t in group))
                named = present / len(question.entities)
                score *= 0.6 + 0.4 * named
            if start == 0 or (base == 0 and span.start == first_start):
                score += lede_bonus
            stance = classify_stance(span.piece, lexicon, relevant=asserts)
            speaker = find_speaker(span.piece, lexicon)
            if speaker and _QUOTE_MARKS.search(span.piece):
                score += 0.03
            if _is_list_like(span.piece, lexicon):
                score *= list_penalty
            out.append(Evidence(
                article_id=hit.article_id,
                start=start,
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
                predicate_coverage=(sum(weights[t] for t in set(predicate) if t in sent_terms) / pred_total
                                    if pred_total else 0.0),
                entity_coverage=named,
            ))
    out.sort(key=lambda e: (-e.score, e.start))
    return out


def _is_list_like(sentence: str, lexicon: Lexicon) -> bool:
    """A run of names or menu items rather than a sentence: long, with almost no
    function words ("Sports NFL College Football MLB NASCAR ...")."""
    toks = words(sentence)
    if len(toks) < 15:
        return False
    function = sum(1 for t in toks if t in lexicon.stopwords)
    return function / len(toks) < 0.1


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
        if _YEAR.search(sentence) or _MONTH.search(sentence) or _ERA.search(sentence):
            return True
        return "weak" if any(w in sentence.lower() for w in _WEEKDAYS) else False
    if kind == "number":
        return bool(_NUMBER.search(sentence) or _NUMBER_WORD.search(sentence))
    if kind in ("person", "place"):
        asked = set(question.terms)
        for m in _NAME.finditer(sentence):
            name = set(terms(m.group(), lexicon)) - _CALENDAR
            if name and not name & asked:  # a name the question does not hold
                return True
    return False


def _has_cue(text: str, cues: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", text) for c in cues)


def classify_stance(sentence: str, lexicon: Lexicon, *, relevant: bool) -> str:
    """``denies`` on a denial cue; ``supports`` for a relevant claim; else ``context``."""
    low = sentence.lower().replace("’", "'")
    if _has_cue(low, lexicon.deny_cues):
        return "denies"
    if relevant:
        return "supports"
    return "context"


# A speaker: up to six words ending right before a reporting verb, optionally
# followed by a time phrase ("The Kremlin on Monday denied").
_TIME = r"(?:\s+(?:on|last|this|late|early)\s+\w+|\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday))?"


def find_speaker(sentence: str, lexicon: Lexicon) -> str | None:
    """Who makes the claim in a sentence, if the sentence says."""
    m = re.search(r"\baccording to ((?:the )?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,4})", sentence)
    if m:
        return m.group(1)
    m = re.search(r"[”\"],?\s+((?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*)\s+(?:said|says|added|told)\b", sentence)
    if m:
        return m.group(1)
    m = re.search(r"\b((?:people|sources|officials)\s+(?:familiar|close)\s+with\s+[^,]{3,40}?)\s+(?:said|say)\b", sentence)
    if m:
        return m.group(1)
    verbs = "|".join(sorted(lexicon.speech_verbs, key=len, reverse=True))
    for vm in re.finditer(rf"\b({verbs})\b", sentence):
        before = sentence[: vm.start()]
        before = re.sub(_TIME + r"\s*$", "", before)
        name = _trailing_name(before, lexicon)
        if name:
            return name
    return None


def _trailing_name(before: str, lexicon: Lexicon) -> str | None:
    """The name that ends a text: capitalized words, speaker nouns, and up to two
    lower-case modifiers between them ("Trump's transition team")."""
    toks = before.rstrip(" ,").split()
    picked: list[str] = []
    pending: list[str] = []
    for tok in reversed(toks[-8:]):
        clean = tok.strip("“”\"'(),")
        if not clean or (picked and tok.endswith(",")):
            break
        low = clean.lower()
        if clean[0].isupper() or low in lexicon.speaker_nouns:
            picked.extend(pending)
            pending = []
            picked.append(clean)
        elif picked and (low in ("the", "of") or (clean.isalpha() and len(pending) < 2)):
            pending.append(clean)
        else:
            break
    while picked and picked[-1].lower() in ("of",):
        picked.pop()
    if picked and pending and pending[0].lower() == "the":
        picked.append(pending[0])
    if not picked:
        return None
    name = " ".join(reversed(picked))
    if name.lower() in ("it", "he", "she", "they", "the", "we", "i"):
        return None
    if not any(w[0].isupper() for w in picked) and not any(
        w.lower() in lexicon.speaker_nouns for w in picked
    ):
        return None
    return name


def claim_date(sentence: str, published: str | None) -> date | None:
    """The day a weekday in the sentence points to, counted back from publication."""
    if not published:
        return None
    try:
        pub = date.fromisoformat(published[:10])
    except ValueError:
        return None
    low = sentence.lower()
    m = re.search(r"\b(?:reported|said|denied|confirmed|announced|told)\s+(?:on\s+)?(" + "|".join(_WEEKDAYS) + r")\b", low) or re.search(
        r"\bon (" + "|".join(_WEEKDAYS) + r")\s+(?:reported|said|denied|confirmed|announced|told)\b", low
    )
    if not m:
        return None
    target = _WEEKDAYS.index(m.group(1))
    back = (pub.weekday() - target) % 7
    return pub - timedelta(days=back)
