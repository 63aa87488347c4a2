"""Ingest benchmark: newsbot's ingest against LangChain's and against bare encoding.

Run from the repository root: ``python bench/run.py`` (``make bench``), or
``python bench/run.py --quick`` for a smoke run.  Not a test: it prints a
markdown table and writes ``bench/out/ingest.md`` and ``bench/out/ingest.json``.

Corpus (``--articles``, default 2,000): every distinct passage of
``../shared/eval/wikicontradict-dev.jsonl`` (``context1``, ``context2``,
``context1_info``, ``context2_info``) and every distinct document text of
``ramdocs-dev.jsonl`` is one article (identical texts are kept once).  If
that is fewer than asked for, the rest are generated deterministically: each
generated article strings together 8-30 sentences drawn (seeded RNG) from the
corpus sentences, 1,200-3,600 characters long, like a longer news article.
The list is shuffled with a fixed seed; the "half" corpus is its first half,
so both sizes have the same mix.

Every contender runs in its own subprocess, so that peak RSS
(``VmHWM``) is its own, and model load time (including one warm-up
encode) is timed apart from the ingest itself:

* ``baseline``: ``RecursiveCharacterTextSplitter(800, 150)`` +
  ``Chroma.from_documents`` with ``HuggingFaceEmbeddings`` (torch), the same model.
* ``ceiling-torch`` / ``ceiling-onnx``: bare ``encode`` over exactly the
  chunks newsbot's chunker makes of the corpus, with sentence-transformers
  (torch) and with newsbot's onnx model (sentence-transformers' own onnx
  backend needs ``optimum-onnx``, which cannot be installed beside
  transformers 5).  No chunking, no store.
* ``newsbot``: ``Ingestor.ingest`` into an empty store (``--backend``,
  default auto), on the full corpus and on the half corpus (memory growth).
* ``newsbot-reingest``: the same corpus again into the full store, in a new process.
* ``newsbot-torch``: newsbot's ingest with the torch backend (skipped by ``--quick``).

``ceiling-onnx`` and ``newsbot`` run ``--repeat`` times (default 2),
alternating, and the fastest run counts: on a shared machine other processes
only ever slow a run down.  The share of CPU other processes took during each
run is reported beside it.  About 12 minutes on 2 cores (``--quick``: 3).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retrieval.common.defaults import CHUNKING  # noqa: E402  (the repository is on sys.path)

EVAL = ROOT.parent / "shared" / "eval"
CHUNK_SIZE, OVERLAP = CHUNKING["size"], CHUNKING["overlap"]  # the defaults of config.toml
SEED = 2026


# -- corpus ------------------------------------------------------------------


def natural_articles(eval_dir: Path) -> list[dict]:
    from retrieval.common.text import content_hash

    seen: set[str] = set()
    out: list[dict] = []

    def add(text: str, title: str, location: str) -> None:
        text = (text or "").strip()
        key = content_hash(text)  # newsbot's identity of a text (whitespace-insensitive)
        if len(text) < 20 or key in seen:
            return
        seen.add(key)
        out.append({"text": text, "title": title, "location": location})

    with open(eval_dir / "wikicontradict-dev.jsonl", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            for key in ("context1", "context2", "context1_info", "context2_info"):
                add(rec.get(key, ""), rec.get("question", "")[:80], f"bench://wikicontradict/{i}/{key}")
    with open(eval_dir / "ramdocs-dev.jsonl", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            rec = json.loads(line)
            for j, doc in enumerate(rec.get("documents", [])):
                add(doc.get("text", ""), rec.get("question", "")[:80], f"bench://ramdocs/{i}/{j}")
    return out


def build_corpus(eval_dir: Path, n: int) -> tuple[list[dict], dict]:
    from retrieval.common.text import sentence_spans

    natural = natural_articles(eval_dir)
    rng = random.Random(SEED)
    pool = {a["text"][s.start:s.end].strip() for a in natural for s in sentence_spans(a["text"])}
    sentences = sorted(s for s in pool if 30 <= len(s) <= 400)
    generated: list[dict] = []
    while len(natural) + len(generated) < n:
        target = rng.randint(1200, 3600)
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < target and len(parts) < 30:
            parts.append(rng.choice(sentences))
        k = len(generated)
        generated.append({"text": " ".join(parts), "title": f"Generated article {k}",
                          "location": f"bench://generated/{k}"})
    articles = natural + generated
    rng.shuffle(articles)
    articles = articles[:max(n, 0)] if n < len(articles) else articles
    info = {"natural": sum(1 for a in articles if "/generated/" not in a["location"]),
            "generated": sum(1 for a in articles if "/generated/" in a["location"]),
            "chars": sum(len(a["text"]) for a in articles)}
    return articles, info


def write_jsonl(articles: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps(a, ensure_ascii=False) + "\n")


def read_jsonl(path: str):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def our_chunks(path: str) -> list[str]:
    from ingest.chunking import chunk_spans

    chunks: list[str] = []
    for a in read_jsonl(path):
        chunks.extend(a["text"][s:e] for s, e in chunk_spans(a["text"], CHUNK_SIZE, OVERLAP))
    return chunks


# -- workers (one per subprocess) ----------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak RSS since exec (``VmHWM``; ``ru_maxrss`` would carry
    over the driver's resident size at fork)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def model_path() -> str:
    from retrieval.index.embeddings import resolve_model

    return resolve_model("all-MiniLM-L6-v2")


def worker_baseline(args) -> dict:
    t0 = time.perf_counter()
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    emb = HuggingFaceEmbeddings(model_name=model_path(), model_kwargs={"device": "cpu"},
                                encode_kwargs={"normalize_embeddings": True})
    emb.embed_query("warm up")
    load = time.perf_counter() - t0
    rss_load = peak_rss_mb()
    t1 = time.perf_counter()
    docs = [Document(page_content=a["text"], metadata={"title": a["title"], "location": a["location"]})
            for a in read_jsonl(args.corpus)]
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=OVERLAP)
    chunks = splitter.split_documents(docs)
    Chroma.from_documents(chunks, emb, collection_name="bench", persist_directory=args.store,
                          collection_metadata={"hnsw:space": "cosine"})
    seconds = time.perf_counter() - t1
    return {"articles": len(docs), "chunks": len(chunks), "load_s": load, "seconds": seconds,
            "rss_after_load_mb": rss_load, "backend": "torch"}


def worker_ceiling(args) -> dict:
    import numpy as np

    chunks = our_chunks(args.corpus)
    n_articles = sum(1 for _ in read_jsonl(args.corpus))
    t0 = time.perf_counter()
    if args.backend == "torch":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(model_path(), device="cpu")
        batch = 64
    else:
        from bot.app import standalone_embedder

        embedder = standalone_embedder(backend="onnx", batch_size=args.batch_size)
        model, batch = embedder.model, args.batch_size
    model.encode(["warm up"], normalize_embeddings=True)
    load = time.perf_counter() - t0
    rss_load = peak_rss_mb()
    t1 = time.perf_counter()
    vectors = model.encode(chunks, batch_size=batch, normalize_embeddings=True,
                           convert_to_numpy=True, show_progress_bar=False)
    seconds = time.perf_counter() - t1
    if args.vectors:
        np.save(args.vectors, np.asarray(vectors, dtype=np.float32))
    return {"articles": n_articles, "chunks": len(chunks), "load_s": load, "seconds": seconds,
            "rss_after_load_mb": rss_load, "backend": args.backend}


def worker_newsbot(args) -> dict:
    t0 = time.perf_counter()
    from ingest.pipeline import Ingestor
    from ingest.types import RawArticle
    from bot.app import standalone_embedder
    from retrieval.index.store import Store, embedded_client

    import chromadb  # noqa: F401  (imported by the baseline's load phase too)

    embedder = standalone_embedder(backend=args.backend, batch_size=args.batch_size)
    if not args.reingest:  # a re-ingest must not need the model at all
        embedder.embed_query("warm up")
    load = time.perf_counter() - t0
    rss_load = peak_rss_mb()
    t1 = time.perf_counter()
    store = Store(embedded_client(Path(args.store)), "news", "all-MiniLM-L6-v2")
    store.exists()
    open_s = time.perf_counter() - t1
    ingestor = Ingestor(store, embedder, chunk_size=CHUNK_SIZE, overlap=OVERLAP,
                        batch_articles=args.batch_articles)
    items = (RawArticle(text=a["text"], title=a["title"], location=a["location"])
             for a in read_jsonl(args.corpus))
    summary = ingestor.ingest(items)
    seconds = time.perf_counter() - t1
    counts = {k: v for k, v in summary.to_dict().items() if isinstance(v, int)}
    return {"articles": len(summary.outcomes), "chunks": store.chunk_count(),
            "chunks_added": summary.chunks_added, "load_s": load, "seconds": seconds,
            "rss_after_load_mb": rss_load, "backend": embedder.active_backend or "(not loaded)",
            "outcomes": counts, "open_s": open_s}


WORKERS = {"baseline": worker_baseline, "ceiling": worker_ceiling, "newsbot": worker_newsbot}


def worker_main(args) -> None:
    result = WORKERS[args.worker](args)
    result["peak_rss_mb"] = peak_rss_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = usage.ru_utime + usage.ru_stime
    print("RESULT " + json.dumps(result))


# -- driver ------------------------------------------------------------------


def best(name: str, results: dict, run: dict) -> bool:
    """Keep the faster of two runs of one contender; True if ``run`` is kept."""
    runs = results.get(name, {}).get("runs", []) + [round(run["seconds"], 3)]
    keep = name not in results or run["seconds"] < results[name]["seconds"]
    if keep:
        results[name] = run
    results[name]["runs"] = runs
    results[name]["name"] = name
    return keep


def project_defaults() -> dict:
    """embedding.batch_size and ingest.batch_articles as config.toml sets them."""
    import tomllib

    try:
        with open(ROOT / "config.toml", "rb") as fh:
            cfg = tomllib.load(fh)
    except (OSError, ValueError):
        cfg = {}
    return {"batch_size": int(cfg.get("embedding", {}).get("batch_size", 64)),
            "batch_articles": int(cfg.get("ingest", {}).get("batch_articles", 64))}


def busy_cpu_seconds() -> float:
    """CPU seconds spent by the whole machine (all processes) since boot."""
    try:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
    except OSError:
        return 0.0
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def run_worker(name: str, extra: list[str], env: dict) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *extra]
    print(f"  running {name} ...", file=sys.stderr, flush=True)
    t, busy = time.perf_counter(), busy_cpu_seconds()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    busy = busy_cpu_seconds() - busy
    lines = [l for l in proc.stdout.splitlines() if l.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{name} failed (exit {proc.returncode})")
    result = json.loads(lines[-1][len("RESULT "):])
    result["name"] = name
    result["wall_s"] = time.perf_counter() - t
    # CPU time used by other processes while this one ran (noise from a shared machine).
    result["other_cpu_pct"] = max(0.0, busy - result["cpu_s"]) / (result["wall_s"] * (os.cpu_count() or 1)) * 100
    print(f"  {name}: {result['seconds']:.1f}s, load {result['load_s']:.1f}s, "
          f"peak {result['peak_rss_mb']:.0f} MB, other processes {result['other_cpu_pct']:.0f}% CPU",
          file=sys.stderr, flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=2000, help="corpus size (default 2000)")
    p.add_argument("--quick", action="store_true", help="400 articles, no newsbot-torch run")
    p.add_argument("--backend", default="auto", help="newsbot's embedding backend (default auto)")
    defaults = project_defaults()
    p.add_argument("--batch-size", type=int, default=defaults["batch_size"],
                   help="newsbot's texts per forward pass (default: config.toml's)")
    p.add_argument("--batch-articles", type=int, default=defaults["batch_articles"],
                   help="newsbot's articles per batch (default: config.toml's)")
    p.add_argument("--no-newsbot-torch", action="store_true",
                   help="skip newsbot's ingest with the torch backend (the slowest run)")
    p.add_argument("--eval-dir", type=Path, default=EVAL)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--keep", action="store_true", help="keep the temporary stores")
    p.add_argument("--repeat", type=int, default=2,
                   help="runs of ceiling-onnx and newsbot, fastest counted (default 2)")
    # worker mode (internal)
    p.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    p.add_argument("--corpus", help=argparse.SUPPRESS)
    p.add_argument("--store", help=argparse.SUPPRESS)
    p.add_argument("--vectors", help=argparse.SUPPRESS)
    p.add_argument("--reingest", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker_main(args)
        return 0

    if not (args.eval_dir / "ramdocs-dev.jsonl").is_file():
        print(f"no corpus: {args.eval_dir} lacks the eval files", file=sys.stderr)
        return 2
    n = 400 if args.quick and args.articles == 2000 else args.articles
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False", TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    tmp = Path(tempfile.mkdtemp(prefix="newsbot-bench-"))
    started = time.perf_counter()
    try:
        articles, info = build_corpus(args.eval_dir, n)
        full, half = tmp / "corpus.jsonl", tmp / "corpus-half.jsonl"
        write_jsonl(articles, full)
        write_jsonl(articles[:len(articles) // 2], half)
        print(f"corpus: {len(articles)} articles ({info['natural']} eval passages, "
              f"{info['generated']} generated), {info['chars']:,} characters; in {tmp}",
              file=sys.stderr)

        # The onnx export is made once, outside the timings (a first use pays it once).
        t = time.perf_counter()
        prep = subprocess.run([sys.executable, "-c", (
            "import time; from bot.app import standalone_embedder as S; "
            f"e = S(backend={args.backend!r}); e.embed_query('x'); print(e.active_backend)")],
            cwd=ROOT, env=env, capture_output=True, text=True)
        prepare_s = time.perf_counter() - t
        if prep.returncode != 0:
            sys.stderr.write(prep.stderr[-3000:])
            return 1
        backend = prep.stdout.strip().splitlines()[-1]
        print(f"newsbot backend: {backend} (prepared in {prepare_s:.1f}s)", file=sys.stderr)

        common = ["--batch-size", str(args.batch_size), "--batch-articles", str(args.batch_articles)]
        results: dict[str, dict] = {}
        results["baseline"] = run_worker("baseline", ["baseline", "--corpus", str(full),
                                         "--store", str(tmp / "store-baseline")], env)
        results["ceiling-torch"] = run_worker("ceiling-torch", [
            "ceiling", "--corpus", str(full), "--backend", "torch",
            "--vectors", str(tmp / "vec-torch.npy"), *common], env)
        # The fast contenders run --repeat times, alternating, and the fastest run counts
        # (a shared machine only ever slows a run down).
        nb = ["newsbot", "--backend", args.backend, *common]
        for rep in range(max(1, args.repeat)):
            if backend == "onnx":
                best("ceiling-onnx", results, run_worker(f"ceiling-onnx#{rep + 1}", [
                    "ceiling", "--corpus", str(full), "--backend", "onnx",
                    "--vectors", str(tmp / "vec-onnx.npy"), *common], env))
            store_dir = tmp / f"store-full-{rep}"
            got = best("newsbot", results, run_worker(f"newsbot#{rep + 1}", [
                *nb, "--corpus", str(full), "--store", str(store_dir)], env))
            if got:
                full_store = store_dir
        results["newsbot-reingest"] = run_worker("newsbot-reingest", [
            *nb, "--corpus", str(full), "--store", str(full_store), "--reingest"], env)
        results["newsbot-half"] = run_worker("newsbot-half", [*nb, "--corpus", str(half),
                                             "--store", str(tmp / "store-half")], env)
        if not (args.quick or args.no_newsbot_torch) and backend != "torch":
            results["newsbot-torch"] = run_worker("newsbot-torch", [
                "newsbot", "--backend", "torch", *common[2:], "--batch-size", "64",
                "--corpus", str(full), "--store", str(tmp / "store-torch")], env)

        quality = vector_quality(tmp, articles, args.eval_dir) if backend == "onnx" else None
        report = make_report(results, info, len(articles), backend, quality, prepare_s, args,
                             time.perf_counter() - started)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "ingest.md").write_text(report["markdown"], encoding="utf-8")
        (args.out / "ingest.json").write_text(json.dumps(report["json"], indent=2), encoding="utf-8")
        print(report["markdown"])
        return 0 if all(report["json"]["targets_met"].values()) else 1
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def vector_quality(tmp: Path, articles: list[dict], eval_dir: Path) -> dict | None:
    """How close the onnx vectors are to torch's, and whether retrieval picks the same chunks."""
    import numpy as np

    a_path, b_path = tmp / "vec-torch.npy", tmp / "vec-onnx.npy"
    if not (a_path.exists() and b_path.exists()):
        return None
    a, b = np.load(a_path), np.load(b_path)
    cos = (a * b).sum(axis=1)
    # Queries: the eval questions, embedded by their closest chunk proxy is not possible
    # without a model here, so compare each chunk's top-6 neighbours among all chunks.
    rng = np.random.default_rng(SEED)
    probe = rng.choice(len(a), size=min(300, len(a)), replace=False)
    k = 6
    top_a = np.argsort(-(a[probe] @ a.T), axis=1)[:, 1:k + 1]
    top_b = np.argsort(-(b[probe] @ b.T), axis=1)[:, 1:k + 1]
    overlap = np.mean([len(set(x) & set(y)) / k for x, y in zip(top_a, top_b)])
    return {"chunks": int(len(a)), "min_cosine": float(cos.min()), "mean_cosine": float(cos.mean()),
            "top6_overlap": float(overlap), "probes": int(len(probe))}


def make_report(results: dict, info: dict, n: int, backend: str, quality: dict | None,
                prepare_s: float, args, total_s: float) -> dict:
    base = results["baseline"]
    ours = results["newsbot"]
    ceiling = results.get(f"ceiling-{backend}") or results["ceiling-torch"]
    re_ = results["newsbot-reingest"]
    halfr = results["newsbot-half"]

    def aps(r):
        return r["articles"] / r["seconds"] if r["seconds"] else float("inf")

    def cps(r):
        return r["chunks"] / r["seconds"] if r["seconds"] else float("inf")

    rows = []
    for name, r in results.items():
        if name == "newsbot-reingest":
            chunks = "0 embedded"
        else:
            chunks = str(r["chunks"])
        if len(r.get("runs", [])) > 1:
            name = f"{name} (best of {len(r['runs'])})"
        rows.append((name, r["backend"], r["articles"], chunks, r["load_s"], r["seconds"],
                     aps(r), cps(r) if name != "newsbot-reingest" else None, r["peak_rss_mb"],
                     r.get("other_cpu_pct", 0.0)))

    vs_base = aps(ours) / aps(base)
    vs_ceiling = cps(ours) / cps(ceiling)
    reingest = ours["seconds"] / re_["seconds"] if re_["seconds"] else float("inf")
    growth = ours["peak_rss_mb"] / halfr["peak_rss_mb"]
    targets = {
        "vs_baseline>=1.2": vs_base >= 1.2,
        "vs_ceiling>=0.85": vs_ceiling >= 0.85,
        "reingest>=50x": reingest >= 50,
        "peak_rss<=1.5GB": max(r["peak_rss_mb"] for k, r in results.items()
                               if k.startswith("newsbot")) <= 1536,
        "rss_growth_full/half<=1.10": growth <= 1.10,
    }
    if quality:
        targets["onnx_cosine>=0.999"] = quality["min_cosine"] >= 0.999

    md = [f"# Ingest benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
          f"Corpus: {n} articles ({info['natural']} distinct eval passages, {info['generated']} "
          f"generated), {info['chars']:,} characters; chunks of {CHUNK_SIZE} chars, overlap "
          f"{OVERLAP}. Machine: {os.cpu_count()} CPUs. newsbot backend: {backend}, batch_size "
          f"{args.batch_size}, batch_articles {args.batch_articles}. Load = import + model load + "
          f"one warm-up encode, not part of the ingest time. Total bench time {total_s / 60:.1f} min.",
          "",
          "| contender | backend | articles | chunks | load s | ingest s | articles/s | chunks/s | peak RSS MB | other procs CPU |",
          "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, be, arts, chunks, load, secs, a_s, c_s, rss, other in rows:
        md.append(f"| {name} | {be} | {arts} | {chunks} | {load:.2f} | {secs:.2f} | {a_s:.1f} | "
                  f"{'-' if c_s is None else f'{c_s:.1f}'} | {rss:.0f} | {other:.0f}% |")
    md += ["", "| ratio | value | target | met |", "|---|---:|---:|---|",
           f"| newsbot / baseline, articles/s | {vs_base:.2f}x | >= 1.2x | {_yes(targets['vs_baseline>=1.2'])} |",
           f"| newsbot / ceiling-{backend}, chunks/s | {vs_ceiling:.0%} | >= 85% | {_yes(targets['vs_ceiling>=0.85'])} |",
           f"| first ingest / re-ingest, time | {reingest:.0f}x | >= 50x | {_yes(targets['reingest>=50x'])} |",
           f"| newsbot peak RSS (max of runs) | {max(r['peak_rss_mb'] for k, r in results.items() if k.startswith('newsbot')):.0f} MB | <= 1536 MB | {_yes(targets['peak_rss<=1.5GB'])} |",
           f"| newsbot peak RSS full / half corpus | {growth:.2f} | ~1.0 (<= 1.10) | {_yes(targets['rss_growth_full/half<=1.10'])} |"]
    if "newsbot-torch" in results:
        t = results["newsbot-torch"]
        md.append(f"| newsbot-torch / baseline, articles/s (same backend) | {aps(t) / aps(base):.2f}x | (info) | |")
        md.append(f"| newsbot-torch / ceiling-torch, chunks/s | {cps(t) / cps(results['ceiling-torch']):.0%} | (info) | |")
    if "ceiling-onnx" in results:
        md.append(f"| ceiling-onnx / ceiling-torch, chunks/s | {cps(results['ceiling-onnx']) / cps(results['ceiling-torch']):.2f}x | (info) | |")
    if quality:
        md.append(f"| onnx vs torch vectors, min / mean cosine ({quality['chunks']} chunks) | "
                  f"{quality['min_cosine']:.6f} / {quality['mean_cosine']:.6f} | >= 0.999 | "
                  f"{_yes(targets['onnx_cosine>=0.999'])} |")
        md.append(f"| onnx vs torch, same top-6 neighbours ({quality['probes']} probe chunks) | "
                  f"{quality['top6_overlap']:.1%} | (info) | |")
    md += ["", f"Model load (cold, incl. imports and warm-up): baseline {base['load_s']:.2f}s, "
           f"ceiling-torch {results['ceiling-torch']['load_s']:.2f}s"
           + (f", ceiling-onnx {results['ceiling-onnx']['load_s']:.2f}s" if "ceiling-onnx" in results else "")
           + f", newsbot {ours['load_s']:.2f}s"
           + (f", newsbot-torch {results['newsbot-torch']['load_s']:.2f}s" if "newsbot-torch" in results else "")
           + f". Backend preparation before the runs (onnx export if not cached): {prepare_s:.1f}s.",
           f"Re-ingest outcomes: {re_.get('outcomes')}; its model was "
           f"{'never loaded' if re_['backend'] == '(not loaded)' else 'loaded'}. Ingest times of "
           f"newsbot include opening the Chroma store ({re_['open_s']:.2f}s of the re-ingest; "
           f"without it the re-ingest ratio is {ours['seconds'] / max(re_['seconds'] - re_['open_s'], 1e-9):.0f}x).",
           "`other procs CPU`: share of the machine's CPU used by other processes during that "
           "run; well above 0% means the figures of that row are depressed by a busy machine.", ""]
    markdown = "\n".join(md)
    return {"markdown": markdown, "json": {
        "corpus": {"articles": n, **info}, "backend": backend, "results": results,
        "ratios": {"vs_baseline": vs_base, "vs_ceiling": vs_ceiling, "reingest": reingest,
                   "rss_full_over_half": growth},
        "quality": quality, "prepare_s": prepare_s, "targets_met": targets,
        "total_s": total_s}}


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


if __name__ == "__main__":
    sys.exit(main())
