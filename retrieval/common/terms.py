"""Words as the answer engine compares them: tokens, stems and word groups.

One tokenizer serves the BM25 index, sentence scoring and the follow-up
logic, so a question and a sentence are always cut the same way.  Stemming
is a light suffix stripper (no dependency, a few microseconds a sentence);
word groups from ``lexicon.toml`` map a handful of news-wire synonyms
("call", "phone", "spoke") onto one term.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Sequence

# Bumped when terms() changes, so that lexical indexes cached by an older one are rebuilt.
ANALYSER_VERSION = 3  # 2: accents folded; 3: "U.S." and "US" one word, not the pronoun "us"
# Words keep a possessive or negative ending ("Trump's", "don't") but split at other
# apostrophes, so "d'Albret" yields "albret" in questions and articles alike.
_WORD = re.compile(r"[0-9]+(?:[.,][0-9]+)*%?|[^\W\d_]+(?:['’](?:s|t)\b)?", re.UNICODE)
# Han (with extensions and compatibility forms), Hiragana, Katakana and Hangul.
_CJK_CLASS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\U00020000-\U0002fa1f"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_CJK_SPLIT = re.compile(f"[{_CJK_CLASS}]+|[^{_CJK_CLASS}]+")
_SUFFIXES = (
    "ational", "ations", "ation", "ments", "ment", "ingly", "ings", "ing", "ities", "ity",
    "ness", "ies", "ied", "ers", "ors", "er", "or", "ed", "es", "ly", "s",
)


@dataclass(frozen=True)
class Lexicon:
    """Stopwords, word groups and the cue phrases the engine matches."""

    stopwords: frozenset[str]
    groups: dict[str, str]  # stem -> group head
    deny_cues: tuple[str, ...]
    support_cues: tuple[str, ...]
    speech_verbs: frozenset[str]
    speaker_nouns: frozenset[str]
    followup_pronouns: frozenset[str]
    stance_question_words: dict[str, str]  # stem -> "supports" | "denies"
    forms: dict[str, str] = field(default_factory=dict)  # a word read as another before stemming
    # What the terms of a text depend on (stopwords and word groups), hashed: a lexical
    # index built under another lexicon is rebuilt, not read with the wrong terms.
    fingerprint: str = ""


def _load_toml(path: Path | None) -> dict:
    if path is not None:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return tomllib.loads(
        resources.files("retrieval.common").joinpath("lexicon.toml").read_text(encoding="utf-8")
    )


@lru_cache(maxsize=4)
def load_lexicon(path: Path | None = None) -> Lexicon:
    """Read the lexicon (the packaged ``lexicon.toml`` unless a path is given)."""
    from retrieval.common.errors import ConfigError

    data = _load_toml(path)
    required = ("stopwords", "groups", "deny_cues", "support_cues", "speech_verbs",
                "speaker_nouns", "followup_pronouns", "stance_questions")
    missing = [key for key in required if key not in data]
    if missing:
        raise ConfigError(f"lexicon {path or 'lexicon.toml'}: missing keys {', '.join(missing)}")
    groups: dict[str, str] = {}
    for words in data["groups"].values():
        head = stem(words[0].lower())
        for word in words:
            groups[stem(word.lower())] = head
    stance_words = {stem(w): "denies" for w in data["stance_questions"]["denies"]}
    stance_words.update({stem(w): "supports" for w in data["stance_questions"]["supports"]})
    stopwords = frozenset(w.lower() for w in data["stopwords"].split())
    forms = {k.lower(): v.lower() for k, v in data.get("forms", {}).items()}
    digest = hashlib.sha256(f"analyser {ANALYSER_VERSION}\0".encode("utf-8"))
    digest.update("\0".join(sorted(stopwords)).encode("utf-8"))
    digest.update("\0".join(f"{k}={v}" for k, v in sorted(groups.items())).encode("utf-8"))
    if forms:
        digest.update("\0".join(f"{k}>{v}" for k, v in sorted(forms.items())).encode("utf-8"))
    return Lexicon(
        stopwords=stopwords,
        groups=groups,
        deny_cues=tuple(c.lower() for c in data["deny_cues"]),
        support_cues=tuple(c.lower() for c in data["support_cues"]),
        speech_verbs=frozenset(data["speech_verbs"].split()),
        speaker_nouns=frozenset(data["speaker_nouns"].split()),
        followup_pronouns=frozenset(data["followup_pronouns"].split()),
        stance_question_words=stance_words,
        forms=forms,
        fingerprint=digest.hexdigest()[:16],
    )


def stem(word: str) -> str:
    """A light stem: common English suffixes stripped, at least 3 letters kept."""
    if len(word) <= 3 or word[0].isdigit():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiouls":
                base = base[:-1]  # "stopped" -> "stop"
            if base.endswith("e") and len(base) > 3:
                base = base[:-1]
            return base
    if word.endswith("e") and len(word) > 3:
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Word tokens, lower-cased, in order (numbers kept with their separators).

    Chinese, Japanese and Korean write no spaces between words: a run of
    Han, Kana or Hangul characters becomes its overlapping character
    bigrams ("北京大学" -> "北京", "京大", "大学"; a lone character stays
    itself), so a question and a sentence sharing words share terms.
    """
    out: list[str] = []
    for w in _WORD.findall(_ABBREVIATION.sub(_undotted, text)):
        if _CJK.search(w):
            out.extend(_cjk_terms(w))
        elif w in _COUNTRY_CAPS:
            out.append("usa")  # "US", "U.S.", "USA": the country, not the pronoun "us"
        else:
            out.append(w.lower().replace("’", "'"))
    return out


# Initials written with full stops ("U.S.", "U.K.", "U.N.") are one word, as they are
# written without them ("US", "UK", "UN").
_ABBREVIATION = re.compile(r"\b(?:[A-Z]\.){2,}")
_COUNTRY_CAPS = frozenset({"US", "USA"})


def _undotted(m: re.Match) -> str:
    return m.group().replace(".", "")


def _cjk_terms(token: str) -> list[str]:
    """Bigrams of each CJK run in ``token``; other letters in it stay words."""
    out: list[str] = []
    for run in _CJK_SPLIT.findall(token):
        if not _CJK.match(run):
            out.append(run.lower())
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def fold_accents(word: str) -> str:
    """A Latin letter with an accent as the plain letter ("Erdoğan" -> "erdogan" once
    lower-cased, "Zürich" -> "Zurich"): outlets spell names with and without them.
    Letters of other scripts stay as they are (Cyrillic "й" is not "и")."""
    if word.isascii():
        return word
    out = []
    for ch in word:
        parts = unicodedata.normalize("NFKD", ch) if not ch.isascii() else ch
        if len(parts) > 1 and parts[0].isascii() and all(unicodedata.combining(c) for c in parts[1:]):
            out.append(parts[0])
        else:
            out.append(ch)
    return "".join(out)


def terms(text: str, lexicon: Lexicon) -> list[str]:
    """Index terms of a text: stopwords dropped, accents folded, stems mapped onto word groups."""
    out = []
    for w in words(text):
        if w in lexicon.stopwords:
            continue
        if w.endswith("'s"):
            w = w[:-2]
        w = fold_accents(w)
        w = lexicon.forms.get(w, w)  # "found" (of find) is not the stem of "founded"
        s = stem(w)
        out.append(lexicon.groups.get(s, s))
    return out


def number_forms(text: str) -> set[str]:
    """Numbers in a text, with separators removed ("3,559" -> "3559")."""
    return {re.sub(r"[.,](?=\d{3}\b)", "", n) for n in re.findall(r"\d+(?:[.,]\d+)*", text)}


_NAME_SPAN = re.compile(r"(?:[A-Z][\w'’.-]+\s+){1,3}[A-Z][\w'’.-]+")
_POSSESSIVE_END = re.compile(r"['’]s\b.*$")  # "Seadlund's father", "Who's"


def full_name(text: str, names: Sequence[tuple[str, ...]], lexicon: Lexicon,
              openers: Sequence[str] = ()) -> str | None:
    """The first run of two to four capitalised words in ``text`` that holds every term of
    one of ``names``, as written ("Liu Zhi"; "John Henry Seadlund" of "... Seadlund's
    father"), past an opening word in ``openers`` ("Did", "Who's")."""
    for m in _NAME_SPAN.finditer(text):
        found = m.group().split()
        if m.start() == 0 and _POSSESSIVE_END.sub("", found[0]).lower() in openers:
            found = found[1:]
        span = _POSSESSIVE_END.sub("", " ".join(found))
        if len(span.split()) >= 2 and any(set(terms(span, lexicon)) >= set(g) for g in names):
            return span
    return None
