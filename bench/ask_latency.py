"""Answer latency: newsbot's ``ask`` against a LangChain baseline, on a large store.

Run from the repository root: ``python bench/ask_latency.py`` (``--quick`` for a
smoke run).  Not a test: it prints a Markdown table and writes
``bench/out/ask.md`` and ``bench/out/ask.json``.

The store (``--chunks``, default 10,000 or more) is built once with the real
ingest pipeline and model under ``--store`` (default a folder in
``bench/out``, reused when it already holds enough chunks).  Its articles
string together sentences of the public dev sets (``../shared/eval``),
drawn with a seeded RNG, 1,200-3,600 characters each, like news articles;
the questions are the dev sets' questions.

* ``newsbot``: ``AnswerEngine.answer`` (hybrid search, sentence evidence, the
  judgement model on the best candidate sentences, composition, verbatim
  checks), warm: models and BM25 index loaded first (``--no-judge``: without
  the judgement model).
* ``baseline``: LangChain ``Chroma.similarity_search(question, k)`` on the
  same collection plus plain formatting of the hits.
* ``cold``: ``newsbot ask QUESTION --json`` in a new process (process start
  to printed answer, BM25 cache on disk), beside a process that only imports
  sentence-transformers and loads the model; target ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devsets import dev_questions, dev_sentences  # noqa: E402  (bench/ is on sys.path)

from retrieval.common.defaults import CHUNKING  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
OUT = ROOT / "bench" / "out"
SEED = 2026
COLLECTION = "bench"


def corpus_sentences(eval_dir: Path) -> list[str]:
    return dev_sentences(eval_dir, ("context1", "context2"), 40, 400)


def questions(eval_dir: Path, n: int) -> list[str]:
    qs = dev_questions(eval_dir)
    random.Random(SEED).shuffle(qs)
    return qs[:n]


def build(store_dir: Path, chunks: int, eval_dir: Path, embedder) -> None:
    from ingest.pipeline import Ingestor
    from ingest.types import RawArticle
    from retrieval.index.store import Store, embedded_client

    store = Store(embedded_client(store_dir), COLLECTION, embedder.model_name)
    if store.chunk_count() >= chunks:
        return
    rng = random.Random(SEED)
    pool = corpus_sentences(eval_dir)
    ingestor = Ingestor(store, embedder, chunk_size=CHUNKING["size"], overlap=CHUNKING["overlap"])
    i = 0
    while store.chunk_count() < chunks:
        batch = []
        for _ in range(200):
            target = rng.randint(1200, 3600)
            parts: list[str] = []
            while sum(len(p) + 1 for p in parts) < target:
                parts.append(rng.choice(pool))
            day = 1 + i % 28
            batch.append(RawArticle(
                text=" ".join(parts), title=f"Bench article {i}", location=f"bench#{i}",
                source=f"Outlet {i % 17}", published=f"2024-{1 + i % 12:02d}-{day:02d}",
            ))
            i += 1
        ingestor.ingest(batch)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
    }


def cold(store_dir: Path, question: str) -> dict[str, float]:
    model_code = (
        "from sentence_transformers import SentenceTransformer\n"
        "from retrieval.index.embeddings import resolve_model\n"
        "SentenceTransformer(resolve_model('all-MiniLM-L6-v2'), device='cpu').encode(['x'])\n"
    )
    out = {}
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "NEWSBOT_STORE_PATH": str(store_dir), "NEWSBOT_STORE_COLLECTION": COLLECTION}
    commands = {
        # the real command line, process start to printed answer
        "cold_answer_s": [sys.executable, "-m", "bot", "ask", question, "--json"],
        "model_only_s": [sys.executable, "-c", model_code],
    }
    for name, command in commands.items():
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run(command, check=True, cwd=ROOT, env=env, capture_output=True)
            runs.append(time.perf_counter() - started)
        out[name] = statistics.median(runs)
    out["cold_ratio"] = out["cold_answer_s"] / out["model_only_s"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--store", type=Path, default=OUT / "ask-store")
    parser.add_argument("--eval-dir", type=Path, default=EVAL)
    parser.add_argument("--quick", action="store_true", help="1,000 chunks, 30 questions")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start runs")
    parser.add_argument("--no-judge", action="store_true", help="answer without the judgement model")
    args = parser.parse_args()
    if args.quick:
        args.chunks, args.questions = 1_000, 30
        args.store = OUT / "ask-store-quick"

    from langchain_chroma import Chroma

    from retrieval.engine.engine import AnswerEngine
    from bot.app import standalone_embedder
    from retrieval.index.store import Store, embedded_client

    embedder = standalone_embedder()
    started = time.perf_counter()
    build(args.store, args.chunks, args.eval_dir, embedder)
    build_s = time.perf_counter() - started
    store = Store(embedded_client(args.store), COLLECTION, embedder.model_name)
    judge = None
    if not args.no_judge:  # as `newsbot ask` answers by default ([judge] enabled)
        from retrieval.judge.model import Judge

        judge = Judge(cache_dir=embedder.cache_dir)
    engine = AnswerEngine(store, embedder, judge=judge, k=args.k, cache_dir=args.store / "lexical-cache")
    qs = questions(args.eval_dir, args.questions)
    engine.warm()
    baseline = Chroma(client=store.client, collection_name=COLLECTION, embedding_function=embedder)

    def plain(question: str) -> str:
        docs = baseline.similarity_search(question, k=args.k)
        return "\n".join(f"[{i}] {d.metadata.get('title')}: {d.page_content[:200]}"
                         for i, d in enumerate(docs, 1))

    results = {}
    for name, call in (("newsbot", engine.answer), ("baseline", plain)):
        for q in qs[:5]:
            call(q)
        samples = []
        for q in qs:
            t = time.perf_counter()
            call(q)
            samples.append(time.perf_counter() - t)
        results[name] = percentiles(samples)
    report = {"chunks": store.chunk_count(), "questions": len(qs), "k": args.k, "judge": judge is not None,
              "store_build_s": round(build_s, 1), **{f"{n}_{m}": round(v, 1)
              for n, r in results.items() for m, v in r.items()}}
    if not args.no_cold:
        report.update({k: round(v, 2) for k, v in cold(args.store, qs[0]).items()})
    lines = [f"| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in report.items()]
    table = "\n".join(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ask.md").write_text(table + "\n", encoding="utf-8")
    (OUT / "ask.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(table + "\n")


if __name__ == "__main__":
    main()
