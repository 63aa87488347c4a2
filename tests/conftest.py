"""Shared fixtures: isolated storage for every test, one embedding model per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
SEED = Path(__file__).resolve().parent / "data" / "seed-afp.txt"  # AFP wire copy

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test runs in its own folder, with no newsbot settings from outside."""
    for name in list(os.environ):
        if name.startswith("NEWSBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="session")
def embedder():
    """The real default embedding model, loaded once for the whole session."""
    from retrieval.embeddings import SentenceEmbedder

    emb = SentenceEmbedder()
    emb.embed_query("warm up")
    return emb


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path):
    from retrieval.store import Store, embedded_client

    return Store(embedded_client(store_path), "news", "all-MiniLM-L6-v2")


@pytest.fixture
def ingestor(store, embedder):
    from ingest.pipeline import Ingestor

    return Ingestor(store, embedder, chunk_size=400, overlap=80, batch_articles=8)


@pytest.fixture
def run_cli(embedder, store_path):
    """Invoke the CLI in-process against a temporary store, sharing the loaded model."""
    from click.testing import CliRunner

    from bot.cli import cli

    def run(*args: str, input: str | bytes | None = None, env: dict | None = None):
        runner = CliRunner()
        full_env = {"NEWSBOT_STORE_PATH": str(store_path), **(env or {})}
        return runner.invoke(cli, list(args), input=input, env=full_env, obj={"embedder": embedder})

    return run


def newsbot_subprocess_cmd() -> list[str]:
    """The command line that runs newsbot in a child process."""
    return [sys.executable, "-m", "bot"]
