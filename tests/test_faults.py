"""Crashes and concurrent writers, with real child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from retrieval.index.store import Store, WriteLock, embedded_client

from tests.conftest import REPO, newsbot_subprocess_cmd

N_ARTICLES = 60


def make_corpus(folder):
    folder.mkdir()
    for i in range(N_ARTICLES):
        sentences = " ".join(
            f"Article {i} reports development number {j} in the long running harbour dispute."
            for j in range(12)
        )
        (folder / f"article-{i:02d}.txt").write_text(f"Harbour dispute part {i}\n\n{sentences}\n")
    return folder


def child_env(store_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") or k == "NEWSBOT_CACHE_DIR"}
    env.update(
        NEWSBOT_STORE_PATH=str(store_path),
        NEWSBOT_INGEST_BATCH_ARTICLES="3",
        NEWSBOT_STORE_SHARD_CHUNKS="25",  # several shards: a kill can land between them
        NEWSBOT_CHUNKING_SIZE="300",
        NEWSBOT_CHUNKING_OVERLAP="60",
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


def check_integrity(store_path, expected_articles):
    """Every listed article is complete; no duplicate, orphan or pending chunk."""
    store = Store(embedded_client(store_path), "news", "all-MiniLM-L6-v2")
    articles = store.list_articles()
    assert len(articles) == expected_articles
    by_id = {a.id: a for a in articles}
    got = store.chunk_records()
    assert len(got) == len({c.id for c in got})
    per_article: dict[str, list[int]] = {}
    texts = store.article_texts(list(by_id))
    for chunk in got:
        assert chunk.article_id in by_id, f"orphan chunk {chunk.id}"
        assert texts[chunk.article_id][chunk.start:chunk.end] == chunk.text
        per_article.setdefault(chunk.article_id, []).append(chunk.index)
    for article in articles:
        assert sorted(per_article.get(article.id, [])) == list(range(article.n_chunks))
    # Inspects the registry itself: no listing shows pending records.
    assert store._articles.get(where={"status": "pending"})["ids"] == []


@pytest.mark.slow
@pytest.mark.embedded_only
@pytest.mark.parametrize("after_lines, delay", [(0, 0.0), (5, 0.02), (20, 0.05), (35, 0.1)])
def test_kill_9_mid_ingest_then_the_same_ingest_completes_the_store(tmp_path, run_cli, after_lines, delay):
    corpus = make_corpus(tmp_path / "corpus")
    store_path = tmp_path / "store"
    child = subprocess.Popen(
        [*newsbot_subprocess_cmd(), "ingest", "-v", str(corpus)],
        env=child_env(store_path), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    seen = 0
    try:
        if after_lines:
            for line in child.stderr:
                seen += line.startswith("added ")
                if seen >= after_lines:
                    break
        else:  # kill while the first batch is embedded or written
            deadline = time.monotonic() + 60
            while not (store_path / "chroma.sqlite3").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        time.sleep(delay)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert seen >= after_lines

    result = run_cli("ingest", str(corpus), env={
        "NEWSBOT_STORE_PATH": str(store_path), "NEWSBOT_CHUNKING_SIZE": "300",
        "NEWSBOT_CHUNKING_OVERLAP": "60",
    })
    assert result.exit_code == 0, result.output
    check_integrity(store_path, N_ARTICLES)


@pytest.mark.slow
@pytest.mark.embedded_only
def test_second_writer_is_refused_at_once_and_changes_nothing(tmp_path, run_cli):
    corpus = make_corpus(tmp_path / "corpus")
    store_path = tmp_path / "store"
    first = run_cli("ingest", str(corpus / "article-00.txt"), env={"NEWSBOT_STORE_PATH": str(store_path)})
    assert first.exit_code == 0, first.output
    with WriteLock(store_path):  # another writer holds the store
        started = time.monotonic()
        second = subprocess.run(
            [*newsbot_subprocess_cmd(), "ingest", str(corpus)],
            env=child_env(store_path), capture_output=True, text=True, timeout=120,
        )
        elapsed = time.monotonic() - started
    assert second.returncode == 1
    assert "being written by process" in second.stderr and str(store_path) in second.stderr
    assert "Traceback" not in second.stderr
    assert elapsed < 30  # refused at once, not after waiting for the other writer
    check_integrity(store_path, 1)
