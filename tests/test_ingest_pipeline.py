"""The write path against a real Chroma store and the real embedding model."""

import time

import pytest

from ingest.chunking import chunk_spans
from ingest.pipeline import Ingestor
from ingest.types import RawArticle
from retrieval.common.errors import ModelMismatchError, SourceError
from retrieval.index.store import Store, location_id

from tests.conftest import SEED

BODY = SEED.read_text(encoding="utf-8").split("\n", 1)[1].strip()
TITLE = "Kremlin denies Putin and Trump spoke on the phone"


def seed(location="/news/afp.txt", **kw) -> RawArticle:
    return RawArticle(text=BODY, title=TITLE, location=location, source="AFP", published="2024-11-11", **kw)


def other(text="Storms are expected over the coast on Friday. Ferries may be cancelled.") -> RawArticle:
    return RawArticle(text=text, title="Weather", location="/news/weather.txt")


def chunks_of(store, article_id):
    return sorted(store.chunk_records(article_id), key=lambda c: c.index)


def test_first_ingest_stores_article_metadata_and_verbatim_chunk_spans(ingestor, store):
    summary = ingestor.ingest([seed(), other()])
    assert (summary.count("added"), summary.count("failed")) == (2, 0)
    article = store.get_article(location_id("/news/afp.txt"))
    assert (article.title, article.source, article.published) == (TITLE, "AFP", "2024-11-11")
    assert article.text == BODY and article.content_hash and article.ingested_at
    rows = chunks_of(store, article.id)
    assert len(rows) == article.n_chunks > 1
    for i, chunk in enumerate(rows):
        assert chunk.id == f"{article.id}:{i}"
        assert BODY[chunk.start:chunk.end] == chunk.text
    # The chunks cover the whole article.
    assert rows[0].start == 0 and rows[-1].end == len(BODY)


def test_unchanged_articles_are_not_embedded_again(ingestor, store, embedder, monkeypatch):
    ingestor.ingest([seed(), other()])
    calls = []
    monkeypatch.setattr(embedder, "encode", lambda texts: calls.append(texts))
    summary = ingestor.ingest([seed(), other()])
    assert summary.count("unchanged") == 2 and summary.chunks_added == 0
    assert calls == []


def test_changed_article_replaces_its_chunks_without_stale_ones(ingestor, store):
    ingestor.ingest([seed(), other()])
    short = "Kremlin spokesman Dmitry Peskov said there was no call."
    summary = ingestor.ingest([RawArticle(short, TITLE, "/news/afp.txt", source="AFP")])
    assert summary.count("updated") == 1
    rows = chunks_of(store, location_id("/news/afp.txt"))
    assert [r.text for r in rows] == [short]
    assert store.chunk_count() == 1 + len(chunks_of(store, location_id("/news/weather.txt")))


def test_same_text_under_another_location_becomes_an_alias(ingestor, store):
    ingestor.ingest([seed()])
    summary = ingestor.ingest([seed("https://wire.example/copy-of-afp")])
    assert summary.count("aliased") == 1 and summary.chunks_added == 0
    articles = store.list_articles()
    assert len(articles) == 1
    assert articles[0].aliases == ["https://wire.example/copy-of-afp"]
    # Seen again, the alias is unchanged.
    assert ingestor.ingest([seed("https://wire.example/copy-of-afp")]).count("unchanged") == 1


def test_alias_within_one_batch(ingestor, store):
    summary = ingestor.ingest([seed("/a.txt"), seed("/b.txt")])
    assert summary.count("added") == 1 and summary.count("aliased") == 1
    (article,) = store.list_articles()
    assert article.aliases == ["/b.txt"]


def test_reader_failures_are_counted_and_others_still_go_in(ingestor, store):
    summary = ingestor.ingest([SourceError("/bad.bin", "binary file"), other()])
    assert summary.count("failed") == 1 and summary.count("added") == 1
    assert summary.to_dict()["errors"] == [{"source": "/bad.bin", "error": "binary file"}]


def test_remove_takes_every_chunk_and_alias(ingestor, store):
    ingestor.ingest([seed("/a.txt"), seed("/b.txt"), other()])
    article_id = location_id("/a.txt")
    store.remove(article_id)
    assert chunks_of(store, article_id) == []
    assert store.records([location_id("/b.txt")]) == {}
    assert [a.title for a in store.list_articles()] == ["Weather"]


def test_store_built_with_another_model_is_refused_with_rebuild_advice(ingestor, store, embedder):
    ingestor.ingest([other()])
    other_model = Store(store.client, store.collection_name, "some/other-model")
    with pytest.raises(ModelMismatchError) as err:
        Ingestor(other_model, embedder, chunk_size=400, overlap=80).ingest([seed()])
    message = str(err.value)
    assert "all-MiniLM-L6-v2" in message and "some/other-model" in message and "rebuild" in message


def test_interrupted_article_is_recovered(ingestor, store, embedder):
    ingestor.ingest([other()])
    half = seed()
    from retrieval.index.store import Article

    article = Article(id=location_id(half.location), title=TITLE, location=half.location,
                      content_hash="x", text=BODY)
    # another process, whose last heartbeat was an hour ago, died right after marking it pending
    dead = Store(store.client, store.collection_name, store.model_name, sole_writer=store.sole_writer,
                 clock=lambda: time.time() - 3600)
    dead._begin([article])  # on purpose, the write's first step alone: a crash right after it
    assert [a.title for a in store.list_articles()] == ["Weather"]
    summary = ingestor.ingest([seed()])
    assert summary.recovered == [article.id] and summary.count("added") == 1
    assert len(chunks_of(store, article.id)) == store.get_article(article.id).n_chunks


@pytest.mark.parametrize("size, overlap", [(120, 0), (200, 60), (800, 150), (50, 10)])
def test_chunk_spans_cover_the_text_in_order_within_size(size, overlap):
    spans = chunk_spans(BODY, size, overlap)
    assert spans[0][0] == 0 and spans[-1][1] == len(BODY)
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert s2 > s1 and e2 > e1 and s2 <= e1 + 2  # no gap beyond whitespace
    assert all(e - s <= size for s, e in spans)


def test_state_token_changes_with_every_write_and_only_then(ingestor, store):
    assert store.state_token() == "empty"
    ingestor.ingest([other()])
    first = store.state_token()
    ingestor.ingest([other()])  # unchanged: nothing written
    assert store.state_token() == first
    ingestor.ingest([other("Storms are expected over the coast on Saturday. Ferries may be cancelled.")])
    second = store.state_token()
    assert second != first
    store.remove(location_id("/news/weather.txt"))
    assert store.state_token() not in (first, second)
