"""The training pairs of the judgement model (``make train``): the claims asked in the negative."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from retrieval.judge import data

TRAIN = Path(__file__).resolve().parents[1].parent / "shared" / "train"
needs_train = pytest.mark.skipif(not (TRAIN / "fever" / "dev.jsonl").exists(),
                                 reason=f"the public training data is not at {TRAIN}")


@needs_train
def test_a_claim_asked_in_the_negative_flips_the_side():
    """A report of the claim contradicts "Reports that X are false"; a denial of it supports
    it; a passage that leaves it open stays neutral and does not answer."""
    pairs = data.negated_examples(TRAIN, random.Random(5), 300)
    assert len(pairs) >= 250
    reports = [p for p in pairs if any(w in p.passage for w in (" reported on ", " confirmed that "))]
    denials = [p for p in pairs if " denied reports that " in p.passage or "“completely untrue”" in p.passage]
    open_ = [p for p in pairs if " has not said whether " in p.passage or "immediately clear whether" in p.passage]
    assert reports and denials and open_
    assert {p.stance for p in reports} == {data.CONTRADICTS}
    assert {p.stance for p in denials} == {data.SUPPORTS}
    assert {(p.stance, p.answers) for p in open_} == {(data.NEUTRAL, 0)}

