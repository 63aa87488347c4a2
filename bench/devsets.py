"""Material the benchmarks draw from the public dev sets in ``../shared/eval``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

FILES = ("wikicontradict-dev.jsonl", "ramdocs-dev.jsonl")


def _records(eval_dir: Path, name: str) -> list[dict]:
    lines = (eval_dir / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def dev_sentences(eval_dir: Path, wiki_fields: Sequence[str], min_len: int, max_len: int) -> list[str]:
    """The distinct sentences of WikiContradict passages (``wiki_fields``) and RAMDocs
    documents between ``min_len`` and ``max_len`` characters, sorted."""
    from retrieval.common.text import sentence_spans

    texts = [rec[f] for rec in _records(eval_dir, FILES[0]) for f in wiki_fields]
    texts += [d["text"] for rec in _records(eval_dir, FILES[1]) for d in rec["documents"]]
    return sorted({s.piece for t in texts for s in sentence_spans(t) if min_len <= len(s.piece) <= max_len})


def dev_questions(eval_dir: Path) -> list[str]:
    """Every question of both dev sets, in file order."""
    return [rec["question"] for name in FILES for rec in _records(eval_dir, name)]
