"""The composition root: builds newsbot's objects from the configuration.

Only this module knows how settings map onto constructors; the library
packages take their dependencies as arguments.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Iterator

from retrieval.index.store import DEFAULT_SHARD_CHUNKS

from bot.config import Config

log = logging.getLogger(__name__)


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
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    @cached_property
    def embedder(self):
        from retrieval.index.embeddings import SentenceEmbedder

        emb = self.config.embedding
        return SentenceEmbedder(
            emb.model, batch_size=emb.batch_size, device=emb.device, threads=emb.threads,
            backend=emb.backend,
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
        return Store(embedded_client(Path(folder)), st.collection, self.config.embedding.model,
                     shard_chunks=shard_size("embedded", st.shard_chunks))

    @cached_property
    def engine(self):
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
                     backend=jc.backend, threads=jc.threads)

    def engine_for(self, store, cache_dir=None):
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

        return build_chat_model(LLMSettings.from_config(self.config.llm))

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
