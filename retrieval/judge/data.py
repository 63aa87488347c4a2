"""Training and development pairs for the judgement model, read from ``../shared/train/``.

Every example is (query, passage, stance, answers):

* ``stance``: 0 supports, 1 contradicts, 2 does not address, or -1 where the source
  data says nothing about stance (a wh-question's answer sentence);
* ``answers``: 1 when the passage answers the query, 0 when it does not, -1 unknown.

The FNC-1 development part is held out by story: headlines and bodies joined by a
related (agree/disagree/discuss) pair form one story, and a story goes to the
development part when a hash of its smallest body id falls in the last fifth.  The
evaluation (``newsbot eval``) uses :func:`fnc_split` to pick the same stories.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from retrieval.judge.framing import framed_examples, negated_examples
from retrieval.judge.pairs import (CONTRADICTS, NEUTRAL, SUPPORTS, UNKNOWN, Example, as_question, content_words,
                                   detok, read_jsonl, sentences)

# ---------------------------------------------------------------- FNC-1 stories


def fnc_stories(root: Path) -> tuple[dict[str, str], list[dict], dict[int, str]]:
    """Bodies by id, the stance rows, and each body's story id."""
    bodies = {}
    with open(root / "fnc1" / "train_bodies.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            bodies[row["Body ID"]] = row["articleBody"]
    with open(root / "fnc1" / "train_stances.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        if r["Stance"] != "unrelated":
            a, b = find("h:" + r["Headline"]), find("b:" + r["Body ID"])
            if a != b:
                parent[a] = b
    members: dict[str, list[int]] = {}
    for key in list(parent):
        if key.startswith("b:"):
            members.setdefault(find(key), []).append(int(key[2:]))
    story_of_body = {}
    for root_key, ids in members.items():
        story = str(min(ids))
        for i in ids:
            story_of_body[i] = story
    for bid in bodies:
        story_of_body.setdefault(int(bid), bid)
    return bodies, rows, story_of_body


def fnc_split(story: str) -> str:
    """"dev" for about a fifth of the stories, "train" for the rest (stable across runs)."""
    h = int(hashlib.sha256(f"fnc-story-{story}".encode()).hexdigest()[:8], 16)
    return "dev" if h % 5 == 4 else "train"


def _best_window(claim: str, body: str, rank: int = 0, width: int = 2) -> str | None:
    """The body's sentences most about the claim: the rank-th best sentence and the next."""
    sents = sentences(body)
    if not sents:
        return None
    want = content_words(claim)
    scored = sorted(range(len(sents)), key=lambda i: (-len(want & content_words(sents[i])), i))
    if rank >= len(scored):
        return None
    i = scored[rank]
    if rank and not want & content_words(sents[i]):
        return None
    return " ".join(sents[i:i + width])


def _off_topic(claim: str, body: str, rng: random.Random) -> str | None:
    """A sentence of the body sharing no content word with the claim (it does not address it)."""
    want = content_words(claim)
    pool = [s for s in sentences(body) if not want & content_words(s) and len(s) > 40]
    return rng.choice(pool) if pool else None


def fnc_examples(root: Path, split: str, rng: random.Random, unrelated: int,
                 per_body: int = 1000, disagree_windows: int = 2, agree_windows: int = 1,
                 singles: int = 0, off_topic: bool = False) -> list[Example]:
    """Headline-body pairs of one split: the body's best windows about the headline carry
    the body's stance; ``singles`` best single sentences (the engine reads one sentence
    at a time) do too; ``off_topic``: one sentence per body that shares no word with its
    headlines, as "does not address"."""
    bodies, rows, story_of_body = fnc_stories(root)
    out: list[Example] = []
    pool = []
    used: dict[tuple[int, str], int] = {}
    seen_bodies: set[int] = set()
    for r in rows:
        bid = int(r["Body ID"])
        if fnc_split(story_of_body[bid]) != split:
            continue
        stance = r["Stance"]
        body = bodies[r["Body ID"]]
        if stance in ("agree", "disagree"):
            # One body recurs under many headlines of its story: a few of them teach the
            # stance, more only teach the model that body's words.
            used[bid, stance] = used.get((bid, stance), 0) + 1
            if used[bid, stance] > per_body:
                continue
            label = SUPPORTS if stance == "agree" else CONTRADICTS
            wins = disagree_windows if stance == "disagree" else agree_windows
            shapes = [(rank, 2) for rank in range(wins)] + [(rank, 1) for rank in range(singles)]
            for rank, width in shapes:
                win = _best_window(r["Headline"], body, rank, width)
                if win:
                    q = as_question(r["Headline"]) if rng.random() < 0.5 else r["Headline"]
                    out.append(Example(q, win, label, 1, "fnc1"))
            if off_topic and bid not in seen_bodies:
                seen_bodies.add(bid)
                other = _off_topic(r["Headline"], body, rng)
                if other:
                    out.append(Example(as_question(r["Headline"]), other, NEUTRAL, 0, "fnc1"))
        elif stance == "unrelated":
            pool.append(r)
    for r in rng.sample(pool, min(unrelated, len(pool))):
        win = _best_window(r["Headline"], bodies[r["Body ID"]], 0)
        if win:
            q = as_question(r["Headline"]) if rng.random() < 0.5 else r["Headline"]
            out.append(Example(q, win, NEUTRAL, 0, "fnc1"))
    return out


# ---------------------------------------------------------------- other sets


def fever_examples(root: Path, rng: random.Random, n: int, negatives: int,
                   same_page: int = 0) -> list[Example]:
    """FEVER claims with their evidence (supports / refutes); ``negatives`` claims paired
    with another claim's evidence, and ``same_page`` with evidence from the same
    Wikipedia page about something else: on topic, but it does not address the claim."""
    recs = read_jsonl(root / "fever" / "dev.jsonl") + read_jsonl(root / "fever" / "test.jsonl")
    rng.shuffle(recs)
    out = []
    texts = []
    by_page: dict[str, list[tuple[str, str]]] = {}
    for rec in recs[:n]:
        ev = " ".join(e["text"] for group in rec["evidences"] for e in group)
        ev = detok(ev)
        if not ev:
            continue
        texts.append(ev)
        claim = rec["query"]
        q = as_question(claim) if rng.random() < 0.4 else claim
        label = SUPPORTS if rec["classification"] == "SUPPORTS" else CONTRADICTS
        out.append(Example(q, ev, label, 1, "fever"))
        pages = {e["docid"] for group in rec["evidences"] for e in group}
        if same_page and len(pages) == 1:
            by_page.setdefault(pages.pop(), []).append((claim, ev))
    for rec in recs[n:n + negatives]:
        other = rng.choice(texts)
        out.append(Example(rec["query"], other, NEUTRAL, 0, "fever"))
    pairs = []
    for items in by_page.values():
        for claim, ev in items:
            want = content_words(claim)
            others = [e for c, e in items if e != ev and len(want & content_words(e)) <= len(want) // 3]
            if others:
                pairs.append((claim, rng.choice(others)))
    if pairs:
        rng.shuffle(pairs)
    for claim, other in pairs[:same_page]:
        out.append(Example(claim, other, NEUTRAL, 0, "fever"))
    return out


def boolq_examples(root: Path, rng: random.Random, n: int) -> list[Example]:
    recs = read_jsonl(root / "boolq" / "dev_data.jsonl") + read_jsonl(root / "boolq" / "test_data.jsonl")
    rng.shuffle(recs)
    out = []
    for rec in recs[:n]:
        passage = " ".join(e["text"] for e in rec["evidences"])
        q = rec["query"].strip()
        q = q[0].upper() + q[1:] + ("" if q.endswith("?") else "?")
        label = SUPPORTS if rec["classification"] == "True" else CONTRADICTS
        out.append(Example(q, passage, label, 1, "boolq"))
    return out


def perspectrum_examples(root: Path, rng: random.Random, n: int) -> list[Example]:
    base = root / "perspectrum"
    claims = json.loads((base / "perspectrum_with_answers_v1.0.json").read_text(encoding="utf-8"))
    pool = {p["pId"]: p["text"] for p in json.loads((base / "perspective_pool_v1.0.json").read_text(encoding="utf-8"))}
    out = []
    for c in claims:
        for p in c["perspectives"]:
            label = {"SUPPORT": SUPPORTS, "UNDERMINE": CONTRADICTS}.get(p["stance_label_3"])
            if label is None:
                continue
            text = pool.get(p["pids"][0])
            if text:
                out.append(Example(c["text"], text, label, 1, "perspectrum"))
    rng.shuffle(out)
    return out[:n]


def _tsv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def covidfact_examples(root: Path, rng: random.Random, n: int) -> list[Example]:
    out = []
    for row in _tsv(root / "covidfact" / "covidfact_train.tsv"):
        claim = row.get("Sentence2") or row.get("sentence2")
        label = SUPPORTS if row["label"] == "entailment" else CONTRADICTS
        out.append(Example(claim, row["sentence1"], label, 1, "covidfact"))
    rng.shuffle(out)
    return out[:n]


def rte_examples(root: Path, rng: random.Random, n: int) -> list[Example]:
    out = [Example(r["sentence2"], r["sentence1"], SUPPORTS, 1, "rte")
           for r in _tsv(root / "rte" / "train.tsv") if r["label"] == "entailment"]
    rng.shuffle(out)
    return out[:n]


def answer_selection_examples(root: Path, rng: random.Random, n_sel: int, n_trec: int) -> list[Example]:
    out = []
    rows = []
    for name in ("selqa-ass-dev.tsv", "selqa-ass-test.tsv"):
        with open(root / "selqa" / name, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 3:
                    rows.append((parts[0], parts[1], int(parts[2]), "selqa"))
    with open(root / "trecqa" / "train.csv", newline="", encoding="utf-8") as fh:
        trec = [(r["qtext"], r["atext"], int(r["label"]), "trecqa") for r in csv.DictReader(fh)]
    for pool, n in ((rows, n_sel), (trec, n_trec)):
        pos = [r for r in pool if r[2] == 1]
        neg = [r for r in pool if r[2] == 0]
        rng.shuffle(pos)
        rng.shuffle(neg)
        take = pos[: n // 2] + neg[: n - n // 2]
        for q, s, lab, src in take:
            # an answer sentence answers the question (stance unknown for a wh-question);
            # a non-answer from the same article is on topic but does not address it.
            out.append(Example(detok(q), detok(s), UNKNOWN if lab else NEUTRAL, lab, src))
    return out


@dataclass(frozen=True)
class Mix:
    """How many pairs each source gives: :data:`SMALL` is the shipped model's mix (``make
    train``); :data:`FULL` every source at full size (tried on a GPU, not shipped: the
    model card in the README says why)."""

    fnc_per_body: int = 1000
    fnc_agree_windows: int = 2
    fnc_disagree_windows: int = 3
    fnc_singles: int = 2
    fnc_off_topic: bool = True
    fnc_unrelated: int = 6000
    fever: int = 12233
    fever_negatives: int = 3000
    fever_same_page: int = 3000
    boolq: int = 4308
    perspectrum: int = 6000
    covidfact: int = 4000
    rte: int = 1500
    selqa: int = 28812
    trecqa: int = 4718
    framed: int = 8000
    negated: int = 0  # FEVER claims asked in the negative (``negated_examples``; tried, not shipped)


FULL = Mix()
SMALL = Mix(fnc_per_body=4, fnc_agree_windows=1, fnc_disagree_windows=2, fnc_singles=0, fnc_off_topic=False,
            fnc_unrelated=2500, fever=6000, fever_negatives=1200, fever_same_page=0, boolq=2400,
            perspectrum=1800, covidfact=1800, rte=900, selqa=4000, trecqa=2000, framed=3600)


def build(root: Path, seed: int = 13, mix: Mix | None = None) -> tuple[list[Example], list[Example]]:
    """(train, dev): dev is the FNC-1 held-out stories plus a slice of every other set.

    :data:`SMALL` (the default) gives the pairs the shipped model was trained on."""
    mix = mix or SMALL
    rng = random.Random(seed)
    train = fnc_examples(root, "train", rng, unrelated=mix.fnc_unrelated, per_body=mix.fnc_per_body,
                         disagree_windows=mix.fnc_disagree_windows, agree_windows=mix.fnc_agree_windows,
                         singles=mix.fnc_singles, off_topic=mix.fnc_off_topic)
    dev = fnc_examples(root, "dev", rng, unrelated=600)
    others = (
        fever_examples(root, rng, mix.fever, mix.fever_negatives, mix.fever_same_page)
        + boolq_examples(root, rng, mix.boolq)
        + perspectrum_examples(root, rng, mix.perspectrum)
        + covidfact_examples(root, rng, mix.covidfact)
        + rte_examples(root, rng, mix.rte)
        + answer_selection_examples(root, rng, mix.selqa, mix.trecqa)
        + framed_examples(root, rng, mix.framed)
        + negated_examples(root, rng, mix.negated)
    )
    rng.shuffle(others)
    cut = len(others) // 12
    dev += others[:cut]
    train += others[cut:]
    rng.shuffle(train)
    return train, dev
