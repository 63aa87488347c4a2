"""Writers against a real Chroma: concurrent server writers, half-written articles,
writes over Chroma's maximum batch, and a server that is down before an ingest starts."""

from __future__ import annotations

import threading
import time
import uuid

import numpy as np
import pytest

from bot.app import App
from bot.config import load_config
from ingest.chunking import chunk_spans
from ingest.pipeline import Ingestor
from ingest.types import RawArticle
from retrieval.engine.engine import AnswerEngine, EngineSettings
from retrieval.common.errors import StoreError
from retrieval.index.store import Article, Chunk, Store, location_id
from retrieval.common.text import content_hash

from tests.conftest import ChromaServer, _free_port


def story(i: int, words: str = "harbour dispute") -> RawArticle:
    sentences = " ".join(f"Report {i} covers development {j} in the long running {words}." for j in range(10))
    return RawArticle(text=sentences, title=f"Story {i}", location=f"/wire/story-{i:03d}.txt", source="Wire")


def server_store(server: ChromaServer, collection: str, **kw) -> Store:
    """A store of its own (its own client and writer id) on ``server``."""
    env = {"NEWSBOT_STORE_MODE": "server", "NEWSBOT_STORE_HOST": server.host,
           "NEWSBOT_STORE_PORT": str(server.port), "NEWSBOT_STORE_COLLECTION": collection}
    store = App(load_config(None, environ=env)).store
    if kw:
        store = Store(store.client, collection, store.model_name, sole_writer=False, **kw)
    return store


def half_write(store: Store, embedder, raw: RawArticle) -> Article:
    """What a writer has done when it is stopped after writing the chunks, before the commit.

    On purpose, the write's private steps are run one by one: this is the crash that
    :meth:`Store.write` can otherwise never leave behind."""
    article = Article(id=location_id(raw.location), title=raw.title, location=raw.location,
                      content_hash=content_hash(raw.text), text=raw.text, source=raw.source)
    spans = chunk_spans(raw.text, 400, 80)
    article.n_chunks = len(spans)
    chunks = [Chunk(article.id, i, raw.text[s:e], s, e) for i, (s, e) in enumerate(spans)]
    store._create(embedder.dimension)
    store._begin([article])
    store._replace_chunks([article], chunks, embedder.encode([c.text for c in chunks]),
                          new=frozenset({article.id}))
    return article


def assert_intact(store: Store) -> None:
    """Every listed article has exactly its chunks; no orphan chunk; nothing pending."""
    articles = {a.id: a for a in store.list_articles()}
    per_article: dict[str, list[int]] = {}
    for chunk in store.chunk_records():
        assert chunk.article_id in articles, f"orphan chunk of {chunk.article_id}"
        per_article.setdefault(chunk.article_id, []).append(chunk.index)
    for a in articles.values():
        assert sorted(per_article.get(a.id, [])) == list(range(a.n_chunks)), a.location
    # Inspects the registry itself: no listing shows pending records.
    assert store._articles.get(where={"status": "pending"})["ids"] == []


# -- server mode: writers side by side ------------------------------------------------------------
def test_an_ingest_started_beside_a_live_writer_leaves_its_batch_alone(chroma_server, embedder):
    name = f"w{uuid.uuid4().hex[:12]}"
    long_writer, short_writer = server_store(chroma_server, name), server_store(chroma_server, name)
    article = half_write(long_writer, embedder, story(1))  # in the middle of its batch
    summary = Ingestor(short_writer, embedder, chunk_size=400, overlap=80).ingest([story(2)])
    assert summary.recovered == [] and summary.count("added") == 1
    long_writer._commit([article])  # the half-written batch resumes where it stopped
    assert sorted(a.title for a in short_writer.list_articles()) == ["Story 1", "Story 2"]
    assert_intact(short_writer)


def test_short_ingests_beside_a_long_one_lose_nothing_and_report_only_what_is_stored(chroma_server, embedder):
    name = f"w{uuid.uuid4().hex[:12]}"
    long_items = [story(i) for i in range(40)]
    results: dict[str, object] = {}

    def long_ingest() -> None:
        store = server_store(chroma_server, name)
        results["long"] = Ingestor(store, embedder, chunk_size=300, overlap=60, batch_articles=4).ingest(long_items)

    thread = threading.Thread(target=long_ingest)
    thread.start()
    short = []
    while thread.is_alive() or not short:  # one short ingest after another, for as long as it runs
        store = server_store(chroma_server, name)
        short.append(Ingestor(store, embedder, chunk_size=300, overlap=60).ingest([story(100 + len(short))]))
    thread.join()
    reader = server_store(chroma_server, name)
    listed = {a.location for a in reader.list_articles()}
    reported = [o for s in [results["long"], *short] for o in s.outcomes]
    added = {o.location for o in reported if o.status == "added"}
    assert added <= listed  # never "added" unless stored
    assert listed == {r.location for r in long_items} | {f"/wire/story-{100 + i:03d}.txt" for i in range(len(short))}
    assert all(s.recovered == [] for s in short)
    assert_intact(reader)


def test_a_writer_whose_lease_ran_out_is_recovered_and_its_commit_reports_the_loss(chroma_server, embedder):
    name = f"w{uuid.uuid4().hex[:12]}"
    stalled = server_store(chroma_server, name, clock=lambda: time.time() - 3600)  # last beat an hour ago
    article = half_write(stalled, embedder, story(1))
    summary = Ingestor(server_store(chroma_server, name), embedder, chunk_size=400, overlap=80).ingest([story(2)])
    assert summary.recovered == [article.id]
    lost = stalled._commit([article])  # the stalled writer resumes where it stopped
    assert "removed by another process" in lost[article.id]
    reader = server_store(chroma_server, name)
    assert [a.title for a in reader.list_articles()] == ["Story 2"]
    assert_intact(reader)


# -- half-written articles are invisible ------------------------------------------------------------
def test_an_article_left_pending_by_a_crash_is_never_cited(store, embedder, tmp_path):
    Ingestor(store, embedder, chunk_size=400, overlap=80).ingest([story(1)])
    crashed = Store(store.client, store.collection_name, store.model_name, sole_writer=store.sole_writer,
                    clock=lambda: time.time() - 3600)
    raw = RawArticle(text="Crash article 076. The Kestrel lighthouse was painted bright green on Monday, "
                     "the port authority said.", title="Crash article 076", location="/wire/crash-076.txt")
    pending = half_write(crashed, embedder, raw)  # then the process was killed
    engine = AnswerEngine(store, embedder, settings=EngineSettings(k=6, cache_dir=tmp_path / "cache"))
    answer = engine.answer("What colour was the Kestrel lighthouse painted?")
    assert pending.id not in {c.article_id for c in answer.citations}
    assert "green" not in answer.answer


# -- Chroma's maximum batch ---------------------------------------------------------------------------
def test_a_write_over_chromas_maximum_batch_is_split(store, embedder):
    limit = store.client.get_max_batch_size()
    n = limit + 7
    article = Article(id=location_id("/huge.txt"), title="Huge", location="/huge.txt", content_hash="h",
                      text="x" * n, n_chunks=n)
    chunks = [Chunk(article.id, i, "x", i, i + 1) for i in range(n)]
    vectors = np.random.default_rng(0).random((n, embedder.dimension), dtype=np.float32)
    for _ in range(2):  # written, then rewritten (its old chunks deleted first)
        assert store.write([article], chunks, vectors, dimension=embedder.dimension) == {}
        assert store.chunk_count() == n
    store.remove(article.id)
    assert store.chunk_count() == 0 and store.list_articles() == []


def test_ingest_splits_every_write_by_the_clients_real_maximum(store, embedder):
    assert store.max_batch == store.client.get_max_batch_size()  # the real maximum is what is used
    small = Store(store.client, store.collection_name, store.model_name, sole_writer=store.sole_writer,
                  max_batch=5)
    assert small.max_batch == 5
    items = [story(i) for i in range(7)]  # 7 records and 14 chunks per write, in slices of 5
    summary = Ingestor(small, embedder, chunk_size=300, overlap=60, batch_articles=7).ingest(items)
    assert summary.count("added") == 7
    assert len(store.list_articles()) == 7 and store.chunk_count() == summary.chunks_added > 10
    assert_intact(store)


# -- a server that is down ---------------------------------------------------------------------------
def test_with_the_server_down_an_ingest_fails_before_reading_or_embedding_anything(tmp_path, embedder):
    server = ChromaServer("127.0.0.1", _free_port(), tmp_path / "server").start()
    try:
        store = server_store(server, "news")
    finally:
        server.stop()
    read = []

    def items():
        for i in range(10):
            read.append(i)
            yield story(i)

    with pytest.raises(StoreError) as err:
        Ingestor(store, embedder, chunk_size=300, overlap=60, batch_articles=4).ingest(items())
    assert "Chroma server" in str(err.value) and "run the command again" in str(err.value)
    assert read == []
