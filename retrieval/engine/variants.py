"""Copies of one sentence that differ in one place.

Two outlets carrying one text ("Manic is a 2001 American drama film directed by
Jordan Melamed") where one copy has a word or a name changed ("... comedy film
...") share nearly all their words, yet answer "What is the genre of Manic?"
differently, and the words that differ are the answers.  Updated wire copies
("at least 12 dead" / "at least 15 dead") are the same case in news.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from operator import itemgetter
from typing import Iterable, Sequence

from retrieval.common.terms import fold_accents, number_forms, words
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.kinds import asks_kind
from retrieval.engine.values import value_of

_TOKEN = re.compile(r"\w(?:[\w'’.,/-]*\w)?")
MAX_WORDS = 4  # the most words that may differ on either side
MIN_SHARED = 0.6  # share of the longer sentence's words the copies must have in common
MIN_SHARED_WORDS = 5
MAX_TOKENS = 120  # longer runs are tables or lists, not sentences to compare word by word
# Copies that differ in who is said to say it ("police said" / "police told Reuters") differ
# in their attribution, not their answer.
_REPORTING = frozenset("said says say told tells reported reports according added adds stated states "
                       "announced announces wrote writes claimed claims".split())


@dataclass(frozen=True)
class Variant:
    """The differing words of one copy: their text and span in the sentence."""

    value: str
    start: int
    end: int


def variant_pair(a: str, b: str, asked: set[str]) -> tuple[Variant, Variant] | None:
    """The words that differ between two copies of a sentence, when they differ in one
    place only (or make the same change twice), by a few words, none of them only words
    of the question; else None."""
    ta = _unrepeated([(m.start(), m.end(), spelling(m.group())) for m in _TOKEN.finditer(a)], itemgetter(2))
    tb = _unrepeated([(m.start(), m.end(), spelling(m.group())) for m in _TOKEN.finditer(b)], itemgetter(2))
    if not ta or not tb or max(len(ta), len(tb)) > MAX_TOKENS or abs(len(ta) - len(tb)) > MAX_WORDS:
        return None
    matcher = difflib.SequenceMatcher(a=[t[2] for t in ta], b=[t[2] for t in tb], autojunk=False)
    ops = matcher.get_opcodes()
    # words only one copy has at its start or end (a dateline, a credit) are no change of
    # answer; the change may recur ("12th Signal Company The 12th Signal Company is ..." /
    # "12th Engineer Company The 12th Engineer Company is ...")
    changed = [op for n, op in enumerate(ops) if op[0] != "equal"
               and not (op[0] in ("insert", "delete") and n in (0, len(ops) - 1))]
    if not changed or any(op[0] != "replace" for op in changed):
        return None
    _, i1, i2, j1, j2 = changed[0]
    first = ([t[2] for t in ta[i1:i2]], [t[2] for t in tb[j1:j2]])
    if any(([t[2] for t in ta[o[1]:o[2]]], [t[2] for t in tb[o[3]:o[4]]]) != first for o in changed[1:]):
        return None
    if i2 - i1 > MAX_WORDS or j2 - j1 > MAX_WORDS:
        return None
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if shared < MIN_SHARED_WORDS or shared < MIN_SHARED * max(len(ta), len(tb)):
        return None
    va = Variant(a[ta[i1][0]:ta[i2 - 1][1]], ta[i1][0], ta[i2 - 1][1])
    vb = Variant(b[tb[j1][0]:tb[j2 - 1][1]], tb[j1][0], tb[j2 - 1][1])
    if _REPORTING & (set(words(va.value)) | set(words(vb.value))):
        return None
    if set(words(va.value)) <= asked or set(words(vb.value)) <= asked:
        return None  # "Manic" against "Maniac": a spelling of what is asked about
    if any(re.fullmatch(r"[a-z]{1,3}\.?", v.value) for v in (va, vb)):
        return None  # "( c. 1954 )" against "( b. 1954 )": an abbreviation, not an answer
    return va, vb


def _unrepeated(tokens: list, word=lambda t: t) -> list:
    """The tokens past a run of words said twice at the start (a headline run into its
    first sentence: "Lena Vogt Lena Vogt is a Swiss concert violinist.")."""
    for n in range(1, 7):
        if 2 * n <= len(tokens) and [word(t) for t in tokens[:n]] == [word(t) for t in tokens[n:2 * n]]:
            return tokens[n:]
    return tokens


def spelling(token: str) -> str:
    """A word as copies of one text may spell it: "Putin’s" is "Putin's", "U.S." is "US",
    "Zürich" is "Zurich"."""
    return fold_accents(token.casefold().replace("’", "'").replace(".", ""))


def answer_variants(a: Evidence, b: Evidence, question: Question) -> tuple[Variant, Variant] | None:
    """Copies of one sentence whose differing words are their answers to a wh-question:
    only where the short answer (a name, a date) does not already say whether they agree
    ("at least 12" / "15 people killed in Kandahar" both answer "where" with Kandahar)."""
    # (where the question asks what kind of thing it is, the changed words tell it best:
    # "drama" / "comedy" of "a 2001 American drama film" / "... comedy film")
    if question.kind != "wh" or (not asks_kind(question) and value_of(a, question) and value_of(b, question)):
        return None
    return variant_pair(a.text, b.text, set(words(question.resolved)))


def copies_differ(a: Evidence, b: Evidence, question: Question) -> bool:
    """Whether two copies of one sentence answer a wh-question differently: by their
    short answers where both have one (:func:`values_changed`), else by the words that
    differ (:func:`answer_variants`)."""
    if question.kind != "wh":
        return False
    va, vb = value_of(a, question), value_of(b, question)
    if va and vb:
        return values_changed(a.text, b.text, va, vb)
    return variant_pair(a.text, b.text, set(words(question.resolved))) is not None


def values_changed(a: str, b: str, va: str, vb: str) -> bool:
    """Copies of one sentence (most words shared, in order) whose short answers ``va``
    and ``vb`` each hold words the other copy lacks: "located ... in New Orleans, in
    Orleans Parish" and "... in Cloutierville, in Natchitoches Parish" answer "where"
    differently, though they differ in more than one place and share most of their names."""
    ta, tb = _unrepeated(_spelled(a)), _unrepeated(_spelled(b))
    if not ta or not tb or max(len(ta), len(tb)) > MAX_TOKENS:
        return False
    # what each short answer has that the other lacks is absent from the other copy: a name
    # both copies hold ("Speaking in Berlin, ... held in Warsaw" / "... held in Warsaw") is no
    # changed answer, nor a spelling of one ("5 March 1950" / "March 5, 1950"; "John A.
    # Smith" / "John Smith"); the part that differs as a whole, not each of its words ("New
    # Orleans, Louisiana" / "Cloutierville, Louisiana"; "American football" in a copy that
    # names the National Football League)
    wa, wb = _spelled(va), _spelled(vb)
    own_a = [w for w in wa if w not in wb]
    own_b = [w for w in wb if w not in wa]
    if not own_a or not own_b or _holds(tb, own_a) or _holds(ta, own_b):
        return False
    matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    return shared >= MIN_SHARED_WORDS and shared >= MIN_SHARED * max(len(ta), len(tb))


def _spelled(text: str) -> list[str]:
    """The words of a text, each as copies may spell it (:func:`spelling`)."""
    return [spelling(w) for w in _TOKEN.findall(text)]


def _holds(tokens: list[str], want: list[str]) -> bool:
    """Whether the words ``want`` stand together, in order, among ``tokens``."""
    n = len(want)
    return bool(want) and any(tokens[i:i + n] == want for i in range(len(tokens) - n + 1))


def figures_differ(texts: Iterable[str], asked: str = "") -> bool:
    """Whether texts (of answer groups) give different figures (numbers, years).  Where the
    question ``asked`` names figures, only whether a text that gives figures holds them all
    ("Was Python 3.6.0 released?": "Python 3.6.0 is now available" and "Python 3.5, 3.6, and
    3.7 were released" agree on it, as does "The release is out"; "Were 12 people killed?":
    "15 were killed" does not hold 12)."""
    wanted = _versions(asked)
    if wanted:
        return any((held := _versions(t)) and not wanted <= held for t in texts)
    figures = [f for f in (number_forms(t) for t in texts) if f]
    return any(a != b for a in figures for b in figures)


def holds_asked_figures(text: str, asked: str) -> bool:
    """Whether the question ``asked`` names figures and ``text`` holds them all."""
    wanted = _versions(asked)
    return bool(wanted) and wanted <= _versions(text)


def _versions(text: str) -> set[str]:
    """The figures of a text, a version without its last zero part: "3.6.0" is the release
    "3.6" names ("2.0.0" is "2.0", not "2")."""
    return {f[:-2] if f.count(".") >= 2 and f.endswith(".0") else f for f in number_forms(text)}


def answer_values(ev: Evidence, question: Question) -> set[str]:
    """What a sentence answers with: its numbers and names the question lacks."""
    asked = set(words(question.resolved))
    asked_numbers = number_forms(question.resolved)
    vals = {f"#{n}" for n in number_forms(ev.text) - asked_numbers}
    for m in re.finditer(r"\b[A-Z][\w'’-]+", ev.text):
        if m.start() == 0:
            continue
        w = m.group().lower()
        if w not in asked:
            vals.add(spelling(w))  # ("Zürich" and "Zurich" are one name)
    return vals


def same_answer(a: Evidence, b: Evidence, question: Question) -> bool:
    """Two sentences give the same answer: same numbers and names, or near-same words
    (not copies of one sentence with the words of the answer changed)."""
    if copies_differ(a, b, question):
        return False
    va, vb = answer_values(a, question), answer_values(b, question)
    if va or vb:
        nums_a = {v for v in va if v.startswith("#")}
        nums_b = {v for v in vb if v.startswith("#")}
        if (nums_a or nums_b) and question.answer_type in ("date", "number", "amount"):
            return nums_a == nums_b or bool(nums_a & nums_b) and (nums_a <= nums_b or nums_b <= nums_a)
        if not va or not vb:
            return False
        return len(va & vb) / len(va | vb) >= 0.5
    ta, tb = a.terms - set(question.terms), b.terms - set(question.terms)
    if not ta or not tb:
        return True
    return len(ta & tb) / len(ta | tb) >= 0.5


def group_by_answer(evs: Sequence[Evidence], question: Question) -> list[list[Evidence]]:
    """Sentences grouped by the answer they give (:func:`same_answer`), in order."""
    groups: list[list[Evidence]] = []
    for e in evs:
        for g in groups:
            if same_answer(g[0], e, question):
                g.append(e)
                break
        else:
            groups.append([e])
    return groups
