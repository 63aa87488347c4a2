"""The composition root: builds newsbot's objects from the configuration.

Only this module knows how settings map onto constructors; the library
packages take their dependencies as arguments.  It is also the one place that
reads the process environment on the libraries' behalf (newsbot's cache
folder, the offline switch) and sets the variables other libraries read
(:func:`prepare_process`): nothing under ``retrieval/`` or ``ingest/`` touches it.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator, Mapping, MutableMapping

from retrieval.engine.interface import Engine
from retrieval.index.store import DEFAULT_SHARD_CHUNKS

from bot.config import Config

log = logging.getLogger(__name__)

# Variables that libraries read from the process environment, set once per process (a value
# the user set wins): models load from local files only (nothing is downloaded at run time),
# tokenizers keep quiet after a fork, and Chroma sends no telemetry.
LIBRARY_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
}


def prepare_process(environ: MutableMapping[str, str] | None = None) -> None:
    """Set :data:`LIBRARY_ENV` where the environment does not say otherwise."""
    environ = os.environ if environ is None else environ
    for name, value in LIBRARY_ENV.items():
        environ.setdefault(name, value)


def cache_dir_from(environ: Mapping[str, str]) -> Path:
    """newsbot's cache folder (ONNX exports of the embedding and judgement models):
    ``$NEWSBOT_CACHE_DIR``, else ``newsbot`` in ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    from retrieval.index.embeddings import default_cache_dir

    explicit = environ.get("NEWSBOT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return default_cache_dir(environ.get("XDG_CACHE_HOME") or None)


def offline_from(environ: Mapping[str, str]) -> bool:
    """Whether models load from local files only: yes, unless ``HF_HUB_OFFLINE`` says no."""
    return environ.get("HF_HUB_OFFLINE", "1").strip().upper() in ("1", "ON", "YES", "TRUE")


def standalone_embedder(**settings):
    """The embedding model outside an :class:`App` (``make install``'s warm-up, the
    benchmarks): the process prepared, its cache folder and offline switch passed in."""
    from retrieval.index.embeddings import SentenceEmbedder

    prepare_process()
    return SentenceEmbedder(cache_dir=cache_dir_from(os.environ), offline=offline_from(os.environ), **settings)


def shard_size(mode: str, configured: int) -> int | None:
    """Chunks per shard: ``[store] shard_chunks``, or when it is 0, 20,000 for an embedded
    store (a writer loads the vector index of the shard it writes to) and no limit with a
    server (the server holds the indexes; one collection answers fastest)."""
    if configured:
        return configured
    return DEFAULT_SHARD_CHUNKS if mode == "embedded" else None


class App:
    """Lazily built objects for one configuration (one process)."""

    def __init__(self, config: Config, **given):
        """``given`` pre-sets any of the objects below (``embedder=...``)."""
        self.config = config
        self.__dict__.update(given)
        self._given = frozenset(given)
        self._opened: list[Any] = []  # stores opened by store_in
        prepare_process()

    def close(self) -> None:
        """Close the stores and the Chroma client this App opened (not those it was given)."""
        for store in self._opened:
            store.close()
        self._opened.clear()
        if "store" in self.__dict__ and "store" not in self._given:
            self.store.close(client="client" not in self._given)
        elif "client" in self.__dict__ and "client" not in self._given:
            self.client.close()

    @cached_property
    def cache_dir(self) -> Path:
        """newsbot's cache folder (:func:`cache_dir_from` the process environment)."""
        return cache_dir_from(os.environ)

    @cached_property
    def offline(self) -> bool:
        """Whether models load from local files only (:func:`offline_from`)."""
        return offline_from(os.environ)

    @cached_property
    def embedder(self):
        from retrieval.index.embeddings import SentenceEmbedder

        emb = self.config.embedding
        return SentenceEmbedder(
            emb.model, batch_size=emb.batch_size, device=emb.device, threads=emb.threads,
            backend=emb.backend, cache_dir=self.cache_dir, offline=self.offline,
        )

    @cached_property
    def client(self):
        from retrieval.index.store import embedded_client, server_client

        st = self.config.store
        if st.mode == "server":
            headers = {}
            token = os.environ.get(st.token_env)
            if token:
                value = f"Bearer {token}" if st.token_header == "Authorization" else token
                headers[st.token_header] = value
            return server_client(st.host, st.port, ssl=st.ssl, headers=headers)
        return embedded_client(st.path)

    @cached_property
    def store(self):
        from retrieval.index.store import Store

        st = self.config.store
        return Store(self.client, st.collection, self.config.embedding.model,
                     shard_chunks=shard_size(st.mode, st.shard_chunks), sole_writer=st.mode == "embedded")

    def store_in(self, folder: Path):
        """A fresh embedded store in ``folder`` with the configured collection, embedding
        model and shard size, whatever ``[store] mode`` says (evaluation stores)."""
        from retrieval.index.store import Store, embedded_client

        st = self.config.store
        store = Store(embedded_client(Path(folder)), st.collection, self.config.embedding.model,
                      shard_chunks=shard_size("embedded", st.shard_chunks))
        self._opened.append(store)  # closed with the App
        return store

    @cached_property
    def library(self):
        """The stored articles for the apps: listings, lookups, removal."""
        from retrieval.index.library import Library

        return Library(self.store)

    @cached_property
    def engine(self) -> Engine:
        """The answer engine over the configured store (the CLI, the REPL and Discord
        use this one): generative when ``[llm] provider`` names a model, else offline."""
        return self.engine_for(self.store, cache_dir=self.config.store.path / "lexical-cache")

    @cached_property
    def judge(self):
        """The judgement model of ``[judge]``; ``None`` when it is turned off."""
        jc = self.config.judge
        if not jc.enabled:
            return None
        from retrieval.judge.model import Judge

        return Judge(weights=Path(jc.model_dir) if jc.model_dir else None,
                     backend=jc.backend, threads=jc.threads, cache_dir=self.cache_dir, offline=self.offline)

    def engine_for(self, store, cache_dir=None) -> Engine:
        """An answer engine over ``store``, configured like the main one."""
        from retrieval.engine.engine import AnswerEngine, EngineSettings
        from retrieval.engine.judging import JudgeSettings

        settings = EngineSettings(k=self.config.retrieval.k, cache_dir=cache_dir,
                                  judge=JudgeSettings(candidates=self.config.judge.candidates))
        offline = AnswerEngine(store, self.embedder, judge=self.judge, settings=settings)
        if self.chat_model is None:
            return offline
        from retrieval.engine.generate import GenerativeEngine

        return GenerativeEngine(offline, self.chat_model, prompts=self.prompts)

    @cached_property
    def chat_model(self):
        """The LangChain chat model of ``[llm]``; ``None`` for ``provider = "none"``."""
        from retrieval.engine.llm import LLMSettings, build_chat_model

        return build_chat_model(LLMSettings.from_config(self.config.llm), os.environ)

    @cached_property
    def prompts(self):
        """The generative engine's prompt templates (``[llm] prompt_dir`` or the packaged ones)."""
        from retrieval.engine.generate import load_prompts

        return load_prompts(self.config.llm.prompt_dir or None)

    def preload_store(self) -> None:
        """With an embedded store, load Chroma's vector indexes in the background while the
        model loads (a server keeps them loaded already). Failures are left to the real call."""
        if self.config.store.mode != "embedded":
            return
        store = self.store

        def load() -> None:
            try:
                store.preload()
            except Exception as exc:  # the question that follows reports any real problem
                log.debug("preloading the store failed: %s", exc)

        threading.Thread(target=load, name="newsbot-preload", daemon=True).start()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the embedded store's write lock for the duration of a write command.

        A Chroma server serialises writers itself: no lock in server mode.
        """
        from retrieval.index.store import WriteLock

        if self.config.store.mode == "server":
            yield
            return
        with WriteLock(self.config.store.path):
            yield

    def ingestor(self, store=None):
        """The ingest pipeline into ``store`` (default: the configured store)."""
        from ingest.pipeline import Ingestor

        cfg = self.config
        return Ingestor(
            self.store if store is None else store,
            self.embedder,
            chunk_size=cfg.chunking.size,
            overlap=cfg.chunking.overlap,
            batch_articles=cfg.ingest.batch_articles,
        )

    def reader_options(self, stdin=None):
        from ingest.fetch import Fetcher
        from ingest.readers import ReaderOptions

        ing = self.config.ingest
        fetcher = Fetcher(
            timeout=ing.timeout,
            max_bytes=ing.max_bytes,
            allow_private=ing.allow_private,
            max_redirects=ing.max_redirects,
            user_agent=ing.user_agent,
        )
        return ReaderOptions(
            max_bytes=ing.max_bytes, allow_urls=ing.allow_urls, fetcher=fetcher, stdin=stdin,
            max_title_chars=ing.max_title_chars, max_records=ing.max_records,
        )
