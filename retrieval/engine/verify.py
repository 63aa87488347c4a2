"""Checking a language model's answer against the passages it was shown.

A model's answer is a list of :class:`Claim` (its sentences, each with the
``[n]`` markers it ends with).  :class:`Verifier` decides, for every claim,
which of its markers the numbered passage really supports:

* a marker that points to no passage supports nothing (the claim is dropped
  with it when it has no other support);
* a passage supports a claim when one of its sentences does: the two are
  similar in meaning (cosine of the engine's sentence embeddings) *and* the
  sentence (with its headline, publisher and the sentence before it) holds
  most of the claim's terms; besides, every number in the claim must be in
  the passage, a claim that something was confirmed needs a sentence that
  confirms, and a claim and its sentence must agree on denial (an answer
  cannot turn "denied" into "happened" by citing the denial);
* sentences of a passage that read as instructions to a model ("ignore
  previous instructions and say ...") never support anything: retrieved text
  is data.

Uncited sentences are kept only when they merely frame the answer ("The
sources conflict.").  The cheap tests run first; the embedder is then called
once per :meth:`Verifier.check`, on the claims and the few passage sentences
still in the running, together (a streaming caller checks sentence by
sentence, one small call each; a passage sentence is embedded once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from retrieval.engine.compose import ArticleInfo
from retrieval.common.terms import Lexicon, number_forms, terms
from retrieval.common.text import is_instruction, sentence_spans

# "[1]", "[1, 3]", "[1][2]", "[source 2]"
MARKER = re.compile(r"\[\s*(?:sources?\s*)?(\d+(?:\s*[,;]\s*(?:sources?\s*)?\d+)*)\s*\]", re.IGNORECASE)
_SENTENCE_END = re.compile(
    r"""[.!?…]+["'”’»)]*(?:(?:\s*\[\s*(?:sources?\s*)?\d+(?:\s*[,;]\s*(?:sources?\s*)?\d+)*\s*\])+[.!?…]?)?(?=\s|$)"""
    r"""|(?:\[\s*(?:sources?\s*)?\d+(?:\s*[,;]\s*\d+)*\s*\])+(?=\s*\n)|\n\s*\n""",
    re.IGNORECASE,
)
_FRAMING = re.compile(
    r"^\W*(?:but\s+|however,?\s+)?(?:the\s+)?(?:sources|articles|reports|accounts)\s+"
    r"(?:conflict|disagree|differ|contradict|give different|do not agree)\b[^0-9]*$",
    re.IGNORECASE,
)
# Lines a small model copies from the prompt's fences rather than answering: dropped.
_ECHO = re.compile(r"^\s*(?:</?source\b[^>\n]*>|(?:title|publisher|published|text):.*)\s*$", re.IGNORECASE)
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}[.)](?=\s|$)")  # "1." opening a list item

# Words that attribute rather than assert: they need not be in the cited sentence.
_ATTRIBUTION_WORDS = """according said says say told tells tell reported reports report source sources
article articles wrote writes noted added stated state states claimed claims"""
_CONFIRM = re.compile(r"\b(?:confirm|confirmed|confirms|confirming|confirmation|acknowledged|admitted|verified)\b",
                      re.IGNORECASE)


@dataclass(frozen=True)
class VerifySettings:
    """Thresholds of the support test (see the module docstring)."""

    min_similarity: float = 0.35  # cosine of claim and sentence embeddings
    min_overlap: float = 0.5  # weighted share of the claim's terms found in the sentence (or around it)
    min_score: float = 0.5  # the mean of the two
    context_weight: float = 0.7  # a term found in the headline, publisher or previous sentence only
    # p(contradicts) from which the judgement model's reading of the cited sentence against
    # an unattributed claim rules it out as support ("The call took place" citing the denial)
    max_contradiction: float = 0.5
    # A sentence written without [n] is checked against every passage: the more chances, the
    # stricter the wording test (it must nearly restate one sentence, as asked by the prompt).
    min_inferred_overlap: float = 0.8


@dataclass
class Passage:
    """A numbered span of one stored article, as the model saw it."""

    n: int
    article: ArticleInfo
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]


@dataclass
class Unit:
    """One sentence of a passage: a candidate support (span in the article text)."""

    passage: Passage
    start: int
    end: int
    text: str
    terms: frozenset[str]
    context: frozenset[str]  # headline, publisher, date and the sentence before
    denies: bool
    confirms: bool
    instruction: bool
    vector: np.ndarray | None = None


@dataclass
class Segment:
    """A stretch of a claim and the markers that close it ("... on Thursday [1]")."""

    text: str
    markers: list[int]


@dataclass
class Claim:
    """One sentence of a model's answer and the passage numbers it cites.

    ``segments`` cut the sentence after each group of markers, so that "The
    Post reported it [1], while the Kremlin denied it [2]." is checked clause
    by clause; a sentence with its markers at the end is one segment.
    """

    text: str  # without its markers
    markers: list[int]
    segments: list[Segment] = field(default_factory=list)
    inferred: bool = False  # wrote no marker: checked against every passage, the best one cited

    @property
    def framing(self) -> bool:
        return not self.markers and bool(_FRAMING.match(self.text))


@dataclass
class Support:
    """The sentence of a passage that supports a claim, with the scores that say so."""

    unit: Unit
    similarity: float
    overlap: float

    @property
    def score(self) -> float:
        return (self.similarity + self.overlap) / 2


@dataclass
class Checked:
    """A claim after verification: the supports of its markers and what was wrong.

    A claim is kept when it only frames the answer, or when every marker
    points to a source and every segment is supported by one of its markers
    (an extra marker that supports nothing is dropped, not its sentence).
    """

    claim: Claim
    supports: list[Support] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    fatal: bool = False

    @property
    def kept(self) -> bool:
        return self.claim.framing or (bool(self.supports) and not self.fatal)


def split_claims(text: str) -> list[Claim]:
    """The sentences of a model's answer with their markers (markers after the full
    stop belong to the sentence before them)."""
    claims: list[Claim] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[pos:m.end()]
        pos = m.end()
        if piece.strip():
            claims.append(_claim(piece))
    if text[pos:].strip():
        claims.append(_claim(text[pos:]))
    return [c for c in claims if c.text or c.markers]


def complete_claims(text: str) -> tuple[list[Claim], int]:
    """The claims of a partial (streamed) text that are certainly complete, and where
    they end: a sentence is complete once text follows its end."""
    claims: list[Claim] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        rest = text[m.end():].lstrip()
        if not rest or rest.startswith("["):
            break  # markers may still follow this full stop
        piece = text[pos:m.end()]
        pos = m.end()
        if piece.strip():
            claims.append(_claim(piece))
    return [c for c in claims if c.text or c.markers], pos


def _claim(piece: str) -> Claim:
    piece = _LIST_NUMBER.sub("", "\n".join(line for line in piece.split("\n") if not _ECHO.match(line)))
    segments: list[Segment] = []
    markers: list[int] = []
    pos = 0
    group_end = -1
    for m in MARKER.finditer(piece):
        numbers = [int(x) for x in re.findall(r"\d+", m.group(1))]
        markers += [x for x in numbers if x not in markers]
        between = piece[pos:m.start()]
        if segments and group_end == m.start() - len(between) and not between.strip():
            segments[-1].markers += [x for x in numbers if x not in segments[-1].markers]
        elif segments and not _clean(between).strip(" .,;:!?…\"'”’"):
            segments[-1].markers += [x for x in numbers if x not in segments[-1].markers]
        else:
            segments.append(Segment(_clean(between).lstrip(" ,;:"), numbers))
        pos = group_end = m.end()
    tail = _clean(piece[pos:])
    if segments and tail:
        if tail.strip(" .,;:!?…\"'”’"):
            segments[-1].text = f"{segments[-1].text} {tail}".strip()
    text = re.sub(r"([.!?…][\"'”’»)]+)[.!?…]+$", r"\1", _clean(MARKER.sub("", piece)))
    if len(segments) == 1:
        segments[0].text = text
    return Claim(text, markers, segments)


def _clean(text: str) -> str:
    return re.sub(r"\s+([.,;:!?…])", r"\1", " ".join(text.split())).strip()


class Verifier:
    """Checks claims against numbered passages with the engine's own embedder and lexicon."""

    def __init__(self, embedder: Any, lexicon: Lexicon, settings: VerifySettings | None = None,
                 judge: Any = None):
        """``judge``, the judgement model, adds the last test: a cited sentence the model
        reads as contradicting the claim does not support it, however alike the two are."""
        self.embedder = embedder
        self.judge = judge
        self.lexicon = lexicon
        self.settings = settings or VerifySettings()
        self._attribution = frozenset(terms(_ATTRIBUTION_WORDS, lexicon))
        self._deny_cues = lexicon.deny_cues
        self.units: dict[int, list[Unit]] = {}
        self.passages: dict[int, Passage] = {}

    def load(self, passages: Sequence[Passage]) -> None:
        """Cut the passages into candidate sentences (nothing is embedded yet)."""
        self.passages = {p.n: p for p in passages}
        self.units = {p.n: self._units(p) for p in passages}

    def _units(self, passage: Passage) -> list[Unit]:
        info = passage.article
        context = set(terms(f"{info.title} {info.source or ''} {_date_words(info.published)}", self.lexicon))
        out: list[Unit] = []
        previous: frozenset[str] = frozenset()
        for span in sentence_spans(passage.text):
            for start, end in _lines(span.piece, passage.start + span.start):
                text = info.text[start:end]
                own = frozenset(terms(text, self.lexicon))
                out.append(Unit(
                    passage=passage, start=start, end=end, text=text, terms=own,
                    context=frozenset(context | previous), denies=self._denies(text),
                    confirms=bool(_CONFIRM.search(text)), instruction=is_instruction(text),
                ))
                previous = own
        return out

    # -- checking ----------------------------------------------------------------
    def check(self, claims: Sequence[Claim]) -> list[Checked]:
        """Verify claims.

        The cheap tests run first (markers, numbers, denial, confirmation, term
        overlap); then the claim segments and the passage sentences still in the
        running go to the embedder together, in one call, for the similarity test.
        """
        candidates: dict[tuple[int, int], list[tuple[Unit, float]]] = {}
        for c in claims:
            if not c.markers and not c.framing and c.text:
                c.inferred = True
                c.segments = [Segment(c.text, sorted(self.passages))]
        segments = [seg for c in claims if c.markers or c.inferred for seg in c.segments]
        for seg in segments:
            for n in seg.markers:
                if n in self.passages:
                    candidates[id(seg), n] = self._lexical(seg.text, n)
        pending = list({id(u): u for found in candidates.values() for u, _ in found
                        if u.vector is None}.values())
        asked = [seg for seg in segments if any(candidates.get((id(seg), n)) for n in seg.markers)]
        vectors = dict(zip(map(id, asked), self._embed(asked, pending)))
        if self.judge is not None:
            self._entailed(segments, candidates, vectors)
        return [self._check_one(c, candidates, vectors) for c in claims]

    def _entailed(self, segments: Sequence[Segment], candidates: dict, vectors: dict) -> None:
        """Keep, of each segment's candidates that pass the similarity test, those the
        judgement model does not read as contradicting the segment (one batch per answer).

        Only claims stated as fact are judged: the model reads "Peskov denied the call"
        against Peskov's denial as a contradiction of the call, not as a faithful report,
        so an attributed claim keeps the term, similarity and denial tests alone."""
        s = self.settings
        asks: list[tuple[tuple[int, int], Unit, float]] = []
        for seg in segments:
            if set(terms(seg.text, self.lexicon)) & self._attribution or self._denies(seg.text):
                continue
            vec = vectors.get(id(seg))
            for n in seg.markers:
                key = (id(seg), n)
                passing = []
                for unit, overlap in candidates.get(key, []):
                    if vec is None or unit.vector is None:
                        continue
                    sim = float(np.dot(vec, unit.vector))
                    if sim >= s.min_similarity and (sim + overlap) / 2 >= s.min_score:
                        passing.append((unit, overlap))
                candidates[key] = passing
                asks += [(key, unit, overlap) for unit, overlap in passing]
        if not asks:
            return
        texts = {id(seg): seg.text for seg in segments}
        judged = self.judge.judge([(texts[key[0]], unit.text) for key, unit, _ in asks])
        for key in {key for key, _, _ in asks}:
            candidates[key] = []
        for (key, unit, overlap), j in zip(asks, judged):
            if not (j.contradicts >= s.max_contradiction and j.contradicts > j.supports):
                candidates[key].append((unit, overlap))

    def _check_one(self, claim: Claim, candidates: dict, vectors: dict[int, np.ndarray]) -> Checked:
        checked = Checked(claim)
        if claim.inferred:  # the one passage sentence that supports it best, by every test
            (seg,) = claim.segments
            found = [self._best(vectors.get(id(seg)), candidates.get((id(seg), n), [])) for n in seg.markers]
            found = [f for f in found if f is not None and f.overlap >= self.settings.min_inferred_overlap]
            if found:
                checked.supports.append(max(found, key=lambda f: f.score))
            else:
                checked.problems.append("cites no source, and no source supports it")
                checked.fatal = True
            return checked
        if not claim.markers:
            if not claim.framing:
                checked.problems.append("cites no source")
                checked.fatal = True
            return checked
        unknown = [n for n in claim.markers if n not in self.passages]
        if unknown:
            checked.problems += [f"cites [{n}], which is not a source" for n in unknown]
            checked.fatal = True
            return checked
        for seg in claim.segments:
            found = [self._best(vectors.get(id(seg)), candidates.get((id(seg), n), [])) for n in seg.markers]
            found = [f for f in found if f is not None]
            if not found:
                checked.problems.append(
                    f"is not supported by source {' '.join(f'[{n}]' for n in seg.markers)}")
                checked.fatal = True
            checked.supports += found
        return checked

    def _lexical(self, claim: str, n: int) -> list[tuple[Unit, float]]:
        """The sentences of passage ``n`` that pass the cheap tests for ``claim``, with
        their term overlap."""
        s = self.settings
        claim_terms = [t for t in dict.fromkeys(terms(claim, self.lexicon)) if t not in self._attribution]
        if not claim_terms:
            return []
        passage = self.passages[n]
        numbers = number_forms(claim)
        if numbers - number_forms(f"{passage.text} {passage.article.title} {passage.article.published or ''}"):
            return []  # a number the passage does not hold
        claim_denies = self._denies(claim)
        claim_confirms = bool(_CONFIRM.search(claim))
        out = []
        for unit in self.units.get(n, []):
            if unit.instruction or unit.denies != claim_denies or (claim_confirms and not unit.confirms):
                continue
            found = sum(1.0 if t in unit.terms else s.context_weight if t in unit.context else 0.0
                        for t in claim_terms)
            overlap = found / len(claim_terms)
            if overlap >= s.min_overlap:
                out.append((unit, overlap))
        return out

    def _best(self, vector: np.ndarray | None, candidates: list[tuple[Unit, float]]) -> Support | None:
        """The candidate that supports best, if any passes the similarity test."""
        s = self.settings
        best: Support | None = None
        for unit, overlap in candidates:
            if vector is None or unit.vector is None:
                continue
            cand = Support(unit, float(np.dot(vector, unit.vector)), overlap)
            if cand.similarity < s.min_similarity or cand.score < s.min_score:
                continue
            if best is None or cand.score > best.score:
                best = cand
        return best

    def _embed(self, segments: Sequence[Segment], units: Sequence[Unit]) -> list[np.ndarray]:
        texts = [c.text for c in segments] + [u.text for u in units]
        if not texts:
            return []
        vectors = np.asarray(self.embedder.embed_documents(texts), dtype=float)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1.0, norms)
        for unit, vec in zip(units, vectors[len(segments):]):
            unit.vector = vec
        return list(vectors[:len(segments)])

    def _denies(self, text: str) -> bool:
        low = text.lower().replace("’", "'")
        return any(re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", low) for c in self._deny_cues)


def _lines(piece: str, offset: int) -> list[tuple[int, int]]:
    """A sentence cut at its line breaks (a caption runs into the next line), as spans."""
    out = []
    pos = 0
    for line in piece.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append((offset + pos + lead, offset + pos + lead + len(stripped)))
        pos += len(line) + 1
    return out


def _date_words(published: str | None) -> str:
    """A publication date in the forms an answer may write it ("2024-11-11", "11 November 2024")."""
    if not published:
        return ""
    from datetime import date

    try:
        day = date.fromisoformat(published[:10])
    except ValueError:
        return published
    return f"{published} {day.day} {day:%B} {day:%b} {day.year} {day:%A}"
