"""`newsbot serve` under load: concurrent clients asking over HTTP on 127.0.0.1.

Run from the repository root: ``python bench/serve_bench.py`` (defaults: 20 clients
for 60 s against a 10,000-chunk store; ``--clients 4 --seconds 10 --chunks 2000`` for
a smoke run).  Not a test: it prints a Markdown table and writes ``bench/out/serve.md``
and ``bench/out/serve.json``.

The store (``bench/out/serve-store``, reused when it already holds enough chunks) is
filled like ``bench/scale.py``'s: filler chunks built from cached embeddings of the
dev sets' sentences, plus the articles of ``data/sample`` ingested for real.  The
server is the real command, ``newsbot serve``, in its own process with the rate
limit off.  Each client posts ``/api/ask`` with questions drawn (seeded) from the
dev sets' questions and the seed question, one after another, for the duration.

Figures: requests answered, p50 and p95 latency, errors (any status but 200, or a
failed connection), and the server's resident memory (VmRSS) at the end against its
value after the warm-up; the target is at most +10 %.  The warm-up asks every distinct
question once, then runs the load itself (all clients, the same question mix) in rounds of
``--warm-seconds`` until a round adds less than 2 % to the resident memory (at most
``--warm-rounds`` rounds): the ratio then measures growth under steady load, not the first
use of each code path or caches filling as new questions read more of the store.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from ask_latency import percentiles  # noqa: E402  (bench/ is on sys.path)
from devsets import dev_questions  # noqa: E402
from retrieval.common.defaults import CHUNKING  # noqa: E402
from scale import fill, free_port, pool_vectors, sentence_pool  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
OUT = ROOT / "bench" / "out"
COLLECTION = "serve"
SEED = 15
CANONICAL = "Did the call happen?"


def build_store(store_dir: Path, chunks: int, eval_dir: Path) -> None:
    from bot.eval_sets import read_sample_articles
    from ingest.pipeline import Ingestor
    from bot.app import standalone_embedder
    from retrieval.index.store import Store, embedded_client

    embedder = standalone_embedder()
    store = Store(embedded_client(store_dir), COLLECTION, embedder.model_name)
    if store.chunk_count() >= chunks:
        return
    if not store.exists() or not store.list_articles():
        Ingestor(store, embedder, chunk_size=CHUNKING["size"], overlap=CHUNKING["overlap"]).ingest(read_sample_articles(ROOT / "data" / "sample"))
    pool = sentence_pool(eval_dir)
    fill(store, chunks, pool, pool_vectors(pool, embedder))


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_server(store_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") or k == "NEWSBOT_CACHE_DIR"}
    env.update(NEWSBOT_STORE_PATH=str(store_dir), NEWSBOT_STORE_COLLECTION=COLLECTION,
               NEWSBOT_SERVE_RATE_LIMIT="0", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("newsbot serve exited while starting")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("newsbot serve did not answer /healthz within 300 s")


def ask(url: str, question: str) -> tuple[float, bool]:
    """Seconds taken and whether the answer came back with status 200."""
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(url + "/api/ask", data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            ok = response.status == 200 and "status" in json.loads(response.read())
    except (OSError, ValueError, urllib.error.HTTPError):
        ok = False
    return time.perf_counter() - started, ok


def load(url: str, questions: list[str], clients: int, seconds: float,
         seed: int = SEED) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed + n)
        while time.monotonic() < stop:
            took, ok = ask(url, rng.choice(questions))
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def ask_each(url: str, questions: list[str], clients: int) -> None:
    """Every question once, ``clients`` at a time: what the server caches per question
    (terms read from the lexical index, Chroma's pages of the chunks they hit) is in
    memory before the measured run draws from the same questions."""
    pending = list(dict.fromkeys(questions))
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                if not pending:
                    return
                question = pending.pop()
            ask(url, question)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def warm_up(url: str, questions: list[str], args: argparse.Namespace, pid: int) -> tuple[int, int]:
    """Ask every question once, then load the server until a round grows its memory by
    less than 2 %: (RSS, rounds run)."""
    ask_each(url, questions, args.clients)
    before = rss_kb(pid)
    for rounds in range(1, args.warm_rounds + 1):
        load(url, questions, args.clients, args.warm_seconds, seed=SEED + 1000 * rounds)  # other draws than the run's
        now = rss_kb(pid)
        if now < before * 1.02:
            break
        before = now
    return now, rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, kind, default in (("--clients", int, 20), ("--seconds", float, 60.0), ("--chunks", int, 10_000),
                                ("--store", Path, OUT / "serve-store"), ("--eval-dir", Path, EVAL),
                                ("--warm-seconds", float, 15.0), ("--warm-rounds", int, 6)):
        parser.add_argument(flag, type=kind, default=default, help=f"default: {default}")
    args = parser.parse_args()

    build_store(args.store, args.chunks, args.eval_dir)
    questions = [CANONICAL, *dev_questions(args.eval_dir)]
    random.Random(SEED).shuffle(questions)
    proc, url = start_server(args.store)
    try:
        warm_rss, rounds = warm_up(url, questions, args, proc.pid)
        latencies, errors = load(url, questions, args.clients, args.seconds)
        end_rss = rss_kb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    stats = percentiles(latencies) if latencies else {"p50_ms": float("nan"), "p95_ms": float("nan")}
    result = {
        "clients": args.clients, "seconds": args.seconds, "chunks": args.chunks,
        "answered": len(latencies), "errors": errors, "per_second": len(latencies) / args.seconds,
        **{k: round(v, 1) for k, v in stats.items()},
        "warm_rounds": rounds, "warm_seconds": args.warm_seconds,
        "rss_warm_mb": round(warm_rss / 1024, 1), "rss_end_mb": round(end_rss / 1024, 1),
        "rss_ratio": round(end_rss / warm_rss, 3) if warm_rss else None,
    }
    table = "\n".join([
        f"`newsbot serve`: {args.clients} clients for {args.seconds:g} s, {args.chunks:,}-chunk store, 127.0.0.1 "
        f"(after {rounds} warm-up round(s) of {args.warm_seconds:g} s)",
        "",
        "| answered | per s | p50 ms | p95 ms | errors | RSS warm MB | RSS end MB | end/warm (target <= 1.10) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {result['answered']} | {result['per_second']:.1f} | {result['p50_ms']} | {result['p95_ms']} | "
        f"{errors} | {result['rss_warm_mb']} | {result['rss_end_mb']} | {result['rss_ratio']} |",
    ])
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "serve.md").write_text(table + "\n", encoding="utf-8")
    (OUT / "serve.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
