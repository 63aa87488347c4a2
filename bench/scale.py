"""Scale: answer latency and start-up at 10,000 and 100,000 chunks, ingest memory on a big store.

Run from the repository root: ``python bench/scale.py`` (``--quick`` for a smoke run
at 2,000 / 20,000 chunks).  Not a test: it prints a Markdown table with the ratios
and writes ``bench/out/scale.md`` and ``bench/out/scale.json``.

Filler chunks.  Embedding 100,000 chunks with the real model takes over an hour on
two cores, so filler chunks are made from cached sentence embeddings: every distinct
sentence of the public dev sets (``../shared/eval``) is embedded once with the real
model (cached in ``bench/out/filler-sentences.npz``); a filler chunk strings 2-5
random sentences together (seeded), and its vector is the normalised mean of its
sentences' vectors.  The sample articles of ``data/sample`` are ingested for real on
top, and the questions are the dev sets' questions plus the sample's canonical one.

Each store size is measured in both modes: embedded (a local folder) and server (a
``chroma run`` process on 127.0.0.1 started by the benchmark).

Measures.  Warm: questions to an engine already loaded.  Start-up: a new process
until it is ready to answer (imports, model, store opened, lexical index opened).
Cold ask: ``newsbot ask`` in a new process, start to printed answer (start-up, plus
the first question, which in embedded mode loads Chroma's vector index of every
shard).  Ingest memory: peak RSS of ``newsbot ingest`` of 1,000 new articles into an
empty store, into the large store as filled (its newest shard nearly empty), and
into the large store topped up until its newest shard is nearly full (the worst
case: the writer loads the vector index of the shard it writes to).  Start-up and
cold ask are the best of 5 runs; the empty-store ingest is the median of 3 (each
into a new collection).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devsets import dev_questions, dev_sentences  # noqa: E402  (bench/ is on sys.path)

EVAL = ROOT.parent / "shared" / "eval"
OUT = ROOT / "bench" / "out"
SEED = 7
COLLECTION = "scale"
CANONICAL = "Did the call happen?"


# -- filler material ------------------------------------------------------------------
def sentence_pool(eval_dir: Path) -> list[str]:
    return dev_sentences(eval_dir, ("context1_info", "context2_info"), 30, 300)


def pool_vectors(pool: list[str], embedder):
    import numpy as np

    cache = OUT / "filler-sentences.npz"
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        if list(data["texts"]) == pool:
            return data["vectors"]
    vectors = embedder.encode(pool).astype("float32")
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(cache, texts=np.array(pool), vectors=vectors)
    return vectors


def fill(store, n_chunks: int, pool: list[str], vectors, start: int = 0) -> None:
    """Add filler articles of 3 chunks each until the store holds ``n_chunks`` chunks."""
    import numpy as np

    from retrieval.index.store import Article, Chunk
    from retrieval.common.text import content_hash

    rng = random.Random(SEED + start)
    i = start
    held = store.chunk_count()
    store.recover()  # as every ingest does first (it also re-reads how full the newest shard is)
    while held < n_chunks:
        articles, chunks, embs = [], [], []
        for _ in range(min(300, max(1, (n_chunks - held + 2) // 3))):
            pieces, vecs = [], []
            for _ in range(3):
                picks = rng.sample(range(len(pool)), rng.randint(2, 5))
                pieces.append(" ".join(pool[p] for p in picks))
                v = vectors[picks].mean(axis=0)
                vecs.append(v / np.linalg.norm(v))
            text = "\n\n".join(pieces)
            art = Article(id=f"filler{i:07d}", title=f"Filler article {i}", location=f"filler#{i}",
                          content_hash=content_hash(text), source=f"Outlet {i % 23}",
                          published=f"20{15 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}", text=text,
                          n_chunks=3)
            pos = 0
            for j, piece in enumerate(pieces):
                chunks.append(Chunk(art.id, j, piece, pos, pos + len(piece)))
                pos += len(piece) + 2
            embs.extend(vecs)
            articles.append(art)
            i += 1
        store.write(articles, chunks, np.array(embs), dimension=len(embs[0]))
        held += len(chunks)


def newest_shard_fill(store) -> tuple[int, int]:
    """The newest shard's number and the chunks it holds."""
    newest = store.list_shards()[-1]
    return newest.index, store.shard_size(newest)


# -- a chroma server -----------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).with_name("chroma")), "run", "--path", str(path),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma run did not start")


# -- measures -------------------------------------------------------------------------
def env_for(mode: str, store_dir: Path, port: int | None, shard_chunks: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(NEWSBOT_STORE_PATH=str(store_dir), NEWSBOT_STORE_COLLECTION=COLLECTION,
               NEWSBOT_STORE_SHARD_CHUNKS=str(shard_chunks),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               PYTHONPATH=str(ROOT))
    if mode == "server":
        env.update(NEWSBOT_STORE_MODE="server", NEWSBOT_STORE_HOST="127.0.0.1", NEWSBOT_STORE_PORT=str(port))
    return env


def open_app(env: dict[str, str], embedder):
    from bot.app import App
    from bot.config import load_config

    return App(load_config(None, environ={k: v for k, v in env.items() if k.startswith("NEWSBOT_")}),
               embedder=embedder)


def warm_latency(app, qs: list[str]) -> dict[str, float]:
    engine = app.engine
    engine.warm()
    for q in qs[:5]:
        engine.answer(q)
    samples = []
    for q in qs:
        t = time.perf_counter()
        engine.answer(q)
        samples.append(time.perf_counter() - t)
    samples.sort()
    return {"p50_ms": 1000 * statistics.median(samples),
            "p95_ms": 1000 * samples[min(len(samples) - 1, int(0.95 * len(samples)))]}


def cold_ask(env: dict[str, str], runs: int = 5) -> float:
    """Seconds for ``newsbot ask`` in a new process, best of ``runs`` (the run least
    disturbed by other work on a shared machine)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", CANONICAL, "--json"], env=env, cwd=ROOT,
                       check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return min(times)


def start_up(env: dict[str, str], runs: int = 5) -> float:
    """Seconds for a new process to be ready for its first question, as ``newsbot ask`` is:
    model loaded, store opened, lexical index opened (no question asked); best of ``runs``."""
    code = ("from bot.app import App\nfrom bot.config import load_config\n"
            "engine = App(load_config(None)).engine\n"
            "engine.embedder.embed_query('warm up')\nengine.searcher.index()\n")
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return min(times)


def ingest_peak_rss(env: dict[str, str], corpus: Path) -> float:
    """Peak RSS (MB) of a ``newsbot ingest`` child process.

    Read from the child's own ``VmHWM``, which starts afresh at exec; ``ru_maxrss``
    would carry over the (large) resident size of this parent process at fork.
    """
    code = ("import runpy, sys; sys.argv = ['newsbot', 'ingest', %r]\n"
            "try:\n    runpy.run_module('bot', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
            ) % str(corpus)
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1]) / 1024


def write_corpus(folder: Path, n: int, pool: list[str], variant: int = 0) -> Path:
    """``n`` articles of 4 pool sentences, at addresses of their own.

    The same sentences in every variant, in another order (0: as drawn, 1: reversed,
    2: rotated), so each variant is new text of the same lengths.
    """
    rng = random.Random(SEED * 3)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as f:
        for i in range(n):
            picks = rng.sample(pool, 4)
            picks = [picks, picks[::-1], picks[1:] + picks[:1]][variant]
            f.write(json.dumps({"title": f"Incoming {i}", "text": " ".join(picks),
                                "url": f"https://news.example/{folder.name}/{i}",
                                "source": "Bench Wire", "published": "2026-11-01"}) + "\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--ingest-articles", type=int, default=1_000)
    parser.add_argument("--modes", default="embedded,server")
    parser.add_argument("--eval-dir", type=Path, default=EVAL)
    parser.add_argument("--shard-chunks", type=int, default=0,
                        help="[store] shard_chunks (default 0: 20,000 embedded, one collection with a server)")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 / 20,000 chunks, shards of 5,000, 30 questions, 100 articles")
    parser.add_argument("--fill-to", type=int, default=None, help=argparse.SUPPRESS)  # child: fill, exit
    args = parser.parse_args()
    if args.fill_to is not None:  # a child process writes the filler, as another writer would
        from bot.app import standalone_embedder

        pool = sentence_pool(args.eval_dir)
        app = open_app(dict(os.environ), standalone_embedder())
        fill(app.store, args.fill_to, pool, pool_vectors(pool, None), start=app.store.chunk_count())
        return
    if args.quick:
        args.small, args.large, args.questions, args.ingest_articles = 2_000, 20_000, 30, 100
        args.shard_chunks = 5_000

    from bot.app import standalone_embedder

    embedder = standalone_embedder()
    pool = sentence_pool(args.eval_dir)
    vectors = pool_vectors(pool, embedder)
    qs = [CANONICAL] + dev_questions(args.eval_dir)
    random.Random(SEED).shuffle(qs)
    qs = qs[:args.questions]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="newsbot-scale-") as tmp:
        tmp_path = Path(tmp)
        corpus = write_corpus(tmp_path / "incoming", args.ingest_articles, pool)
        for mode in args.modes.split(","):
            server, port = (None, None)
            if mode == "server":
                server, port = start_server(tmp_path / "server-data")
            try:
                row: dict[str, float] = {}
                store_dir = tmp_path / f"{mode}-store"
                env = env_for(mode, store_dir, port, args.shard_chunks)
                # Ingest memory: 1,000 articles into an empty store (median of 3, each a new
                # collection) ...
                row["ingest_rss_empty_runs_mb"] = [
                    ingest_peak_rss({**env, "NEWSBOT_STORE_COLLECTION": f"empty{run}"}, corpus)
                    for run in range(3)]
                row["ingest_rss_empty_mb"] = statistics.median(row["ingest_rss_empty_runs_mb"])
                subprocess.run([sys.executable, "-m", "bot", "ingest", str(ROOT / "data" / "sample")],
                               env=env, cwd=ROOT, check=True, capture_output=True)
                for size in (args.small, args.large):
                    filler(env, size, args.eval_dir, row, f"fill_{size}_s")
                    app = open_app(env, embedder)  # a fresh engine: index built for this size
                    lat = warm_latency(app, qs)
                    row[f"p50_{size}_ms"], row[f"p95_{size}_ms"] = lat["p50_ms"], lat["p95_ms"]
                    row[f"startup_{size}_s"] = start_up(env)
                    row[f"cold_ask_{size}_s"] = cold_ask(env)
                large_store = open_app(env, embedder).store
                row["chunks"] = large_store.chunk_count()
                row["shards"] = len(large_store.list_shards())
                row["newest_as_filled"] = newest_shard_fill(large_store)[1]
                # ... into the store that now holds the large corpus (newest shard nearly empty) ...
                more = write_corpus(tmp_path / f"more-{mode}", args.ingest_articles, pool, variant=1)
                row["ingest_rss_large_mb"] = ingest_peak_rss(env, more)
                # ... and once more with the newest shard topped up to nearly full (the worst
                # case; with one collection, as in server mode by default, there is no other).
                store = open_app(env, embedder).store
                if store.shard_chunks:
                    _, held = newest_shard_fill(store)
                    target = store.chunk_count() + store.shard_chunks - held - 3 * 10
                    filler(env, target, args.eval_dir, row, "fill_top_up_s")
                    row["newest_topped_up"] = newest_shard_fill(open_app(env, embedder).store)[1]
                    again = write_corpus(tmp_path / f"again-{mode}", args.ingest_articles, pool, variant=2)
                    row["ingest_rss_full_shard_mb"] = ingest_peak_rss(env, again)
                results[mode] = row
            finally:
                if server is not None:
                    server.terminate()
                    server.wait()

    s, l = args.small, args.large
    lines = [f"| mode | chunks (shards) | warm p50 / p95 at {s:,} | warm p50 / p95 at {l:,} | p95 ratio (target <= 2.0) "
             f"| start-up at {s:,} / {l:,} | start-up ratio | cold ask at {s:,} / {l:,} | cold ratio |",
             "|---|---|---|---|---|---|---|---|---|"]
    for mode, r in results.items():
        lines.append(
            f"| {mode} | {r['chunks']:,} ({r['shards']}) | {r[f'p50_{s}_ms']:.1f} / {r[f'p95_{s}_ms']:.1f} ms "
            f"| {r[f'p50_{l}_ms']:.1f} / {r[f'p95_{l}_ms']:.1f} ms | {r[f'p95_{l}_ms'] / r[f'p95_{s}_ms']:.2f} "
            f"| {r[f'startup_{s}_s']:.2f} / {r[f'startup_{l}_s']:.2f} s | {r[f'startup_{l}_s'] / r[f'startup_{s}_s']:.2f} "
            f"| {r[f'cold_ask_{s}_s']:.2f} / {r[f'cold_ask_{l}_s']:.2f} s | {r[f'cold_ask_{l}_s'] / r[f'cold_ask_{s}_s']:.2f} |")
    lines += ["", f"| mode | ingest {args.ingest_articles:,} articles: peak RSS, empty store "
              "| large store, newest shard as filled | ratio | large store, newest shard nearly full "
              "| ratio (target <= 1.2) |", "|---|---|---|---|---|---|"]
    for mode, r in results.items():
        empty = r["ingest_rss_empty_mb"]
        worst = (f"{r['ingest_rss_full_shard_mb']:.0f} MB ({r['newest_topped_up']:,} chunks) "
                 f"| {r['ingest_rss_full_shard_mb'] / empty:.2f}") if "ingest_rss_full_shard_mb" in r \
            else "(one collection: the case before) | -"
        lines.append(
            f"| {mode} | {empty:.0f} MB | {r['ingest_rss_large_mb']:.0f} MB ({r['newest_as_filled']:,} chunks) "
            f"| {r['ingest_rss_large_mb'] / empty:.2f} | {worst} |")
    table = "\n".join(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scale.md").write_text(table + "\n", encoding="utf-8")
    (OUT / "scale.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(table + "\n")


def filler(env: dict[str, str], size: int, eval_dir: Path, row: dict, key: str) -> None:
    """Fill the store to ``size`` chunks in a child process, as another writer would."""
    t = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--fill-to", str(size), "--eval-dir", str(eval_dir)],
                   env=env, cwd=ROOT, check=True)
    row[key] = time.perf_counter() - t


if __name__ == "__main__":
    main()
