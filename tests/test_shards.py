"""Chunk shards: a store split into shards answers as one store, and a write touches only
the shards it must (with an embedded store, Chroma loads the vector index of every
collection a process writes to or reads from)."""

from __future__ import annotations

import pytest

from ingest.types import RawArticle
from retrieval.index.store import location_id

from tests.conftest import SAMPLE

QUESTIONS = ["Did the call happen?", "Who denied the report?", "What happened in the harbour dispute?",
             "Is the Millbrook plant closing?", "What did the mayor say?"]


def open_store(store_env, **settings):
    from bot.app import App
    from bot.config import load_config

    env = {**store_env, **{f"NEWSBOT_STORE_{k.upper()}": str(v) for k, v in settings.items()}}
    return App(load_config(None, environ=env)).store


def ingest(store, embedder, raws):
    from ingest.pipeline import Ingestor

    return Ingestor(store, embedder, chunk_size=400, overlap=80, batch_articles=4).ingest(raws)


def sample_articles():
    from bot.eval_sets import read_sample_articles

    return read_sample_articles(SAMPLE)


def article(n: int, text: str | None = None) -> RawArticle:
    body = text or (f"Dispatch {n}. The council of Town {n} voted on the ferry budget on Tuesday. "
                    f"Opponents said the vote broke the rules of Town {n}.")
    return RawArticle(text=body, title=f"Dispatch {n}", location=f"/wire/{n}.txt", source="Wire")


@pytest.fixture
def two_stores(store_env, store_mode, embedder):
    """The sample articles in one collection with tiny shards and in one without."""
    collection = store_env.get("NEWSBOT_STORE_COLLECTION", "news")
    sharded = open_store(store_env, collection=collection, shard_chunks=6)
    whole = open_store(store_env, collection=f"{collection}whole")
    for store in (sharded, whole):
        ingest(store, embedder, sample_articles())
    return sharded, whole


def test_a_sharded_store_gives_the_same_answers_and_rankings_as_one_collection(two_stores, embedder):
    from retrieval.engine.engine import AnswerEngine

    sharded, whole = two_stores
    assert len(sharded.list_shards()) >= 4 and len(whole.list_shards()) == 1
    assert sharded.chunk_count() == whole.chunk_count()
    a, b = AnswerEngine(sharded, embedder), AnswerEngine(whole, embedder)
    for question in QUESTIONS:
        assert a.answer(question).to_dict() == b.answer(question).to_dict(), question
    # BM25 uses the statistics of the whole store, whatever the shards.
    terms = ["kremlin", "call", "harbour", "plant"]
    top_a = [(p.chunk_id(i), round(s, 6)) for p, i, s in a.searcher.index().top(terms, 10)]
    top_b = [(p.chunk_id(i), round(s, 6)) for p, i, s in b.searcher.index().top(terms, 10)]
    assert top_a == top_b and top_a


def test_every_article_lives_in_the_one_shard_its_record_names(two_stores):
    sharded, _ = two_stores
    shard_of = {a.id: a.shard for a in sharded.list_articles()}
    for shard in sharded.list_shards():
        rows = sharded.shard_rows(shard)
        assert {c.article_id for c in rows} <= {a for a, s in shard_of.items() if s == shard.index}
        # A full shard is not written past its size, but one article never straddles two.
    counts = [sharded.shard_size(s) for s in sharded.list_shards()]
    sizes = {a.id: a.n_chunks for a in sharded.list_articles()}
    assert all(c <= max(6, max(sizes.values())) for c in counts)
    assert sum(counts) == sum(sizes.values())


@pytest.fixture
def touched(monkeypatch):
    """(method, collection name) of every get, query, count, upsert or delete call."""
    from chromadb.api.models.Collection import Collection

    names: list[str] = []
    for method in ("get", "query", "count", "upsert", "add", "delete", "update"):
        original = getattr(Collection, method)

        def spy(self, *args, _original=original, _method=method, **kwargs):
            names.append((_method, self.name))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Collection, method, spy)
    return names


def test_writes_touch_only_the_newest_shard_or_the_changed_articles_own(store_env, store_mode, embedder,
                                                                        touched):
    """An embedded writer neither reads nor writes other shards (reading one loads its vector
    index). A server's writers may run at once, so a writer also looks in every shard for
    copies another placed elsewhere; it still writes only where the article lives."""
    def shards_touched(chunk_names):
        kinds = ("upsert", "add", "delete", "update") if store_mode == "server" else None
        return {n for m, n in touched if n in chunk_names and (kinds is None or m in kinds)}

    store = open_store(store_env, shard_chunks=3)
    ingest(store, embedder, [article(n) for n in range(8)])
    shards = store.list_shards()
    assert len(shards) >= 3
    newest = shards[-1].name
    chunk_names = {s.name for s in shards}

    fresh = open_store(store_env, shard_chunks=3)  # a new process: nothing cached
    touched.clear()
    summary = ingest(fresh, embedder, [article(100)])
    assert summary.count("added") == 1
    assert shards_touched(chunk_names) <= {newest}

    first = open_store(store_env, shard_chunks=3)
    changed = article(0, "Dispatch 0. The council of Town 0 postponed the ferry vote.")
    home = first.get_article(location_id(changed.location)).shard
    touched.clear()
    assert ingest(first, embedder, [changed]).count("updated") == 1
    assert shards_touched(chunk_names) == {first.shard_name(home)}
    moved = first.get_article(location_id(changed.location))
    assert moved.shard == home
    assert [c.text for c in first.chunk_records(moved.id)] == [changed.text]

    first.remove(moved.id)
    assert first.chunk_records(moved.id) == []
    assert len(first.list_articles()) == 8


def test_after_a_write_only_the_written_shards_lexical_part_is_rebuilt(store_env, embedder, tmp_path, monkeypatch):
    from retrieval.engine.engine import AnswerEngine
    from retrieval.index.lexical import ShardPart

    store = open_store(store_env, shard_chunks=3)
    ingest(store, embedder, [article(n) for n in range(8)])
    engine = AnswerEngine(store, embedder, cache_dir=tmp_path / "cache")
    engine.answer("What did the council vote on?")
    built: list[int] = []
    real_build = ShardPart.build.__func__

    def counting(cls, shard, *args, **kwargs):
        built.append(shard)
        return real_build(cls, shard, *args, **kwargs)

    monkeypatch.setattr(ShardPart, "build", classmethod(counting))
    ingest(open_store(store_env, shard_chunks=3), embedder, [article(200)])
    answer = engine.answer("What did the council of Town 200 vote on?")
    newest = store.list_shards()[-1].index
    assert built == [newest]
    assert any(c.article_id == location_id("/wire/200.txt") for c in answer.citations)
    # A new process opens every part from the cache: nothing is rebuilt.
    built.clear()
    AnswerEngine(open_store(store_env), embedder, cache_dir=tmp_path / "cache").answer("Who voted?")
    assert built == []


def test_a_store_from_before_shards_is_read_and_written_as_shard_zero(store_env, store_mode, embedder):
    """Stores made by earlier versions: one chunk collection, Chroma's default persist interval."""
    store = open_store(store_env)
    old = store.client.get_or_create_collection(
        store.collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
        metadata={"newsbot_model": embedder.model_name, "newsbot_dim": embedder.dimension, "newsbot_schema": 1},
    )
    assert old.configuration_json["hnsw"]["sync_threshold"] == 1000
    summary = ingest(store, embedder, [article(1), article(2)])
    assert summary.count("added") == 2
    assert [s.index for s in store.list_shards()] == [0]
    again = open_store(store_env)
    # Inspects shard 0's Chroma settings on purpose: no public call shows them.
    assert again._chunks.configuration_json["hnsw"]["sync_threshold"] == 100
    assert all(a.shard == 0 for a in again.list_articles())


def test_shard_size_by_default_bounds_an_embedded_writer_and_leaves_a_server_one_collection():
    from bot.app import shard_size

    assert shard_size("embedded", 0) == 20_000
    assert shard_size("server", 0) is None
    assert shard_size("server", 5_000) == 5_000 and shard_size("embedded", 300) == 300


def test_emptied_shards_and_an_emptied_store_still_answer(store_env, embedder):
    from retrieval.engine.engine import AnswerEngine

    store = open_store(store_env, shard_chunks=1)
    ingest(store, embedder, [article(n) for n in range(3)])
    assert len(store.list_shards()) == 3
    engine = AnswerEngine(store, embedder)
    store.remove(location_id("/wire/0.txt"))  # shard 0 now holds nothing
    answer = engine.answer("What did the council of Town 1 vote on?")
    assert answer.status != "not_found"
    assert any(c.article_id == location_id("/wire/1.txt") for c in answer.citations)
    for n in (1, 2):
        store.remove(location_id(f"/wire/{n}.txt"))
    assert engine.answer("What did the council of Town 1 vote on?").status == "not_found"


def test_a_crash_before_the_store_token_changes_still_rebuilds_the_changed_shard(
        store_env, embedder, monkeypatch):
    from retrieval.engine.engine import AnswerEngine
    from retrieval.index.store import Store

    store = open_store(store_env, shard_chunks=1)
    ingest(store, embedder, [article(n) for n in range(3)])
    engine = AnswerEngine(store, embedder)
    assert not engine.searcher.index().knows("zebra")

    def killed(self):  # the process dies right after the records are marked complete
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(Store, "_touch", killed)
    changed = article(0, "Dispatch 0. A zebra escaped from the zoo of Town 0 on Tuesday.")
    with pytest.raises(KeyboardInterrupt):
        ingest(open_store(store_env, shard_chunks=1), embedder, [changed])
    monkeypatch.undo()
    ingest(open_store(store_env, shard_chunks=1), embedder, [article(9)])  # any later write
    assert engine.searcher.index().knows("zebra")
    answer = engine.answer("What escaped from the zoo of Town 0?")
    assert any(c.article_id == location_id("/wire/0.txt") for c in answer.citations)


def test_two_server_writers_that_place_one_new_article_in_different_shards_leave_one_copy(
        store_env, embedder):
    """Writers of a server store do not lock each other out: one may place an article
    while another, with an older view of the shards, places the same one elsewhere."""
    from retrieval.index.store import Article, Chunk, Store, location_id
    from retrieval.common.text import content_hash

    first = open_store(store_env)
    ingest(first, embedder, [article(1)])
    client, name, model = first.client, first.collection_name, first.model_name
    writers = [Store(client, name, model, shard_chunks=1, sole_writer=False) for _ in range(2)]
    writers[1]._newest = (0, 0)  # its view from before the other writer's shard existed
    raw = article(70)
    vector = embedder.encode([raw.text])
    for writer in writers:
        a = Article(id=location_id(raw.location), title=raw.title, location=raw.location,
                    content_hash=content_hash(raw.text), text=raw.text, n_chunks=1)
        writer.write([a], [Chunk(a.id, 0, raw.text, 0, len(raw.text))], vector,
                     dimension=embedder.dimension, new=frozenset({a.id}))
    rows = first.chunk_records(location_id(raw.location))
    assert [c.id for c in rows] == [f"{location_id(raw.location)}:0"]
    assert len(first.list_shards()) == 2
