"""The typed store facade: what callers outside ``retrieval/index`` get back, the one write
call, and the :class:`Library` the apps list and look up articles through."""

from __future__ import annotations

import ast
import gc
import os
from pathlib import Path

import pytest

from ingest.types import RawArticle
from retrieval.common.errors import NotFoundError
from retrieval.index.library import Library
from retrieval.index.store import Alias, Article, Chunk, StoredChunk, location_id

REPO = Path(__file__).resolve().parent.parent
BODY = ("The harbour council voted on Monday to close the old ferry pier. "
        "The mayor said the pier would reopen in spring after repairs.")


def raw(location: str, text: str = BODY, source: str | None = "Wire", title: str = "Pier") -> RawArticle:
    return RawArticle(text=text, title=title, location=location, source=source, published="2024-11-11")


def test_records_and_chunks_come_back_typed(ingestor, store):
    ingestor.ingest([raw("/a.txt"), raw("/copy.txt")])  # the second is an alias of the first
    a, copy = location_id("/a.txt"), location_id("/copy.txt")
    records = store.records([a, copy, location_id("/missing.txt")])
    assert records[copy] == Alias(copy, a, "/copy.txt")
    assert isinstance(records[a], Article) and records[a].aliases == ["/copy.txt"]
    chunks = store.chunk_records(a)
    assert chunks and all(isinstance(c, StoredChunk) for c in chunks)
    assert [BODY[c.start:c.end] for c in chunks] == [c.text for c in chunks]
    assert {(c.title, c.source, c.published) for c in chunks} == {("Pier", "Wire", "2024-11-11")}


def test_one_write_call_stores_an_article_complete_and_visible(store, embedder):
    article = Article(id=location_id("/w.txt"), title="Written", location="/w.txt", content_hash="h",
                      text=BODY, n_chunks=1)
    chunk = Chunk(article.id, 0, BODY, 0, len(BODY))
    lost = store.write([article], [chunk], embedder.encode([BODY]), dimension=embedder.dimension,
                       new=frozenset({article.id}))
    assert lost == {}
    assert [a.title for a in store.list_articles()] == ["Written"]
    assert store.complete_ids([article.id]) == {article.id}
    assert [c.id for c in store.chunk_records(article.id)] == [f"{article.id}:0"]


def test_the_library_lists_finds_by_prefix_and_removes(ingestor, store):
    ingestor.ingest([raw("/a.txt", source="wire b"),
                     raw("/b.txt", "Storms close the coast road.", "Wire A", "Storm"),
                     raw("/c.txt", "Ferries stop on Friday.", None, "Ferries")])
    library = Library(store)
    assert sorted(a.title for a in library.articles()) == ["Ferries", "Pier", "Storm"]
    assert library.publishers() == ["Wire A", "wire b"]
    storm = location_id("/b.txt")
    found = library.find(storm[:8])
    assert (found.id, found.title, found.text) == (storm, "Storm", "Storms close the coast road.")
    with pytest.raises(NotFoundError, match="no article with id 'zzzz'"):
        library.find("zzzz")
    with pytest.raises(NotFoundError, match="ambiguous"):
        library.find("")
    removed = library.remove(library.resolve(storm[:8]))
    assert removed.title == "Storm" and library.chunk_count() == sum(a.n_chunks for a in library.articles())
    assert "Storm" not in [a.title for a in library.articles()]


_PRIVATE = {"_articles", "_chunks", "_collection", "_registry", "_shard0", "_shards", "_chunks_or_none",
            "_create", "_begin", "_replace_chunks", "_commit", "_metas", "_shard"}


def test_nothing_outside_the_index_reaches_the_stores_collections_or_write_steps():
    """The apps, the ingest pipeline and the engine use the typed facade only (a class's own
    ``self._...`` names are its business)."""
    offenders = []
    for folder in ("bot", "ingest", "retrieval/engine", "retrieval/judge"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Attribute) or node.attr not in _PRIVATE:
                    continue
                if not (isinstance(node.value, ast.Name) and node.value.id == "self"):
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} .{node.attr}")
    assert offenders == []


def open_files_under(folder: Path) -> list[str]:
    """The files under ``folder`` that this process holds open, once unreferenced objects
    are collected (what a long-running process gets back after closing a store)."""
    gc.collect()
    held = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(f"{folder}{os.sep}"):
            held.append(target)
    return held


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd (Linux)")


@needs_proc
def test_a_closed_app_holds_no_store_file_and_its_articles_stay(tmp_path, embedder):
    from bot.app import App
    from bot.config import load_config

    env = {"NEWSBOT_STORE_PATH": str(tmp_path / "store")}
    app = App(load_config(None, environ=env), embedder=embedder)
    app.ingestor().ingest([raw("/a.txt")])
    assert open_files_under(tmp_path / "store")
    app.close()
    app.close()  # a second close does nothing
    assert open_files_under(tmp_path / "store") == []
    again = App(load_config(None, environ=env), embedder=embedder)
    assert [a.location for a in again.store.list_articles()] == ["/a.txt"]
    again.close()


@needs_proc
@pytest.mark.embedded_only
def test_a_command_leaves_no_store_file_open(run_cli, store_path, tmp_path):
    article = tmp_path / "pier.txt"
    article.write_text(f"Pier\n\n{BODY}\n", encoding="utf-8")
    for args in (["ingest", str(article)], ["ask", "When will the pier reopen?"], ["docs", "list"]):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        assert open_files_under(store_path) == [], args


def test_an_app_leaves_open_the_client_it_was_given(tmp_path, embedder):
    from bot.app import App
    from bot.config import load_config
    from retrieval.index.store import embedded_client

    client = embedded_client(tmp_path / "store")
    config = load_config(None, environ={"NEWSBOT_STORE_PATH": str(tmp_path / "store")})
    app = App(config, client=client, embedder=embedder)
    app.ingestor().ingest([raw("/a.txt")])
    app.close()
    assert [a.location for a in App(config, client=client).store.list_articles()] == ["/a.txt"]
    client.close()
