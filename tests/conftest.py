"""Shared fixtures: isolated storage for every test, one embedding model per session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
SEED = Path(__file__).resolve().parent / "data" / "seed-afp.txt"  # AFP wire copy

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# The exported ONNX models go to a cache of the test session's own, not the user's: passed to
# the models built here, and to the App and the commands (child processes too) through
# NEWSBOT_CACHE_DIR.
CACHE_DIR = Path(tempfile.mkdtemp(prefix="newsbot-test-cache-"))
os.environ["NEWSBOT_CACHE_DIR"] = str(CACHE_DIR)


def pytest_sessionfinish(session, exitstatus):
    import shutil

    shutil.rmtree(CACHE_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Each test runs in its own folder, with no newsbot settings from outside."""
    for name in list(os.environ):
        if name.startswith("NEWSBOT_") and name != "NEWSBOT_CACHE_DIR":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


MAX_OPEN_FILES = 512


@pytest.fixture(autouse=True)
def chroma_released():
    """Chroma keeps a client's system, with its open files, sockets and threads, for the life
    of the process unless the client is closed; the systems a test opened are stopped when it
    ends, so that the suite does not pile up open files (past 1024 of them, select()-based
    code such as prompt_toolkit's input reader fails)."""
    from chromadb.api.shared_system_client import SharedSystemClient as shared

    before = set(shared._identifier_to_system)
    yield
    for identifier in set(shared._identifier_to_system) - before:
        system = shared._identifier_to_system.pop(identifier)
        getattr(shared, "_identifier_to_refcount", {}).pop(identifier, None)  # (chromadb's newer releases)
        system.stop()
    # A leak shows at the test that leaves it, not as a hang many tests later (the suite
    # holds under 200 files at any time).
    fds = Path("/proc/self/fd")
    if fds.is_dir() and len(list(fds.iterdir())) > MAX_OPEN_FILES:
        pytest.fail(f"over {MAX_OPEN_FILES} files are open after this test: something it opened is never closed")


@pytest.fixture(scope="session")
def embedder():
    """The real default embedding model, loaded once for the whole session."""
    from retrieval.index.embeddings import SentenceEmbedder

    emb = SentenceEmbedder(cache_dir=CACHE_DIR)
    emb.embed_query("warm up")
    return emb


@pytest.fixture(scope="session")
def eval_app(embedder):
    """The composition root with the default settings and the session's embedding model:
    it builds the evaluation stores (``bot.eval_sets.build_store``)."""
    from bot.app import App
    from bot.config import load_config

    return App(load_config(None, environ={}), embedder=embedder)


@pytest.fixture(scope="session")
def judge():
    """newsbot's shipped judgement model, loaded once for the whole session."""
    from retrieval.judge.model import Judge

    j = Judge(cache_dir=CACHE_DIR)
    j.warm()
    return j


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store"


# -- store modes: store-facing tests run against an embedded store and a real server ------
def pytest_generate_tests(metafunc):
    if "store_mode" in metafunc.fixturenames:
        embedded_only = metafunc.definition.get_closest_marker("embedded_only")
        metafunc.parametrize("store_mode", ["embedded"] if embedded_only else ["embedded", "server"])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ChromaServer:
    """A ``chroma run`` process on 127.0.0.1."""

    host: str
    port: int
    path: Path
    process: subprocess.Popen | None = None
    log: Path | None = None

    def start(self) -> "ChromaServer":
        exe = Path(sys.executable).with_name("chroma")
        self.log = self.path.with_suffix(".log")
        self.process = subprocess.Popen(
            [str(exe), "run", "--path", str(self.path), "--host", self.host, "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=self.log.open("wb"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chroma run exited: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://{self.host}:{self.port}/api/v2/heartbeat", timeout=1)
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("chroma run did not answer its heartbeat within 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server for the session, on a free port and a temporary path."""
    server = ChromaServer("127.0.0.1", _free_port(), tmp_path_factory.mktemp("chroma-server")).start()
    yield server
    server.stop()


@pytest.fixture
def store_env(request, store_mode, store_path) -> dict[str, str]:
    """NEWSBOT_* settings that point newsbot at this test's own store."""
    env = {"NEWSBOT_STORE_PATH": str(store_path)}
    if store_mode == "server":
        server = request.getfixturevalue("chroma_server")
        env.update(
            NEWSBOT_STORE_MODE="server",
            NEWSBOT_STORE_HOST=server.host,
            NEWSBOT_STORE_PORT=str(server.port),
            NEWSBOT_STORE_COLLECTION=f"t{uuid.uuid4().hex[:16]}",  # isolates the test
        )
    return env


@pytest.fixture
def store(store_env):
    """An empty store of this test's own, in the mode under test."""
    from bot.app import App
    from bot.config import load_config

    app = App(load_config(None, environ=store_env))
    yield app.store
    app.close()


@pytest.fixture
def ingestor(store, embedder):
    from ingest.pipeline import Ingestor

    return Ingestor(store, embedder, chunk_size=400, overlap=80, batch_articles=8)


@pytest.fixture
def run_cli(embedder, store_env):
    """Invoke the CLI in-process against this test's store, sharing the loaded model."""
    from click.testing import CliRunner

    from bot.cli import cli

    def run(*args: str, input: str | bytes | None = None, env: dict | None = None):
        runner = CliRunner()
        full_env = {**store_env, **(env or {})}
        return runner.invoke(cli, list(args), input=input, env=full_env, obj={"embedder": embedder})

    return run


def newsbot_subprocess_cmd() -> list[str]:
    """The command line that runs newsbot in a child process."""
    return [sys.executable, "-m", "bot"]


# -- the answer engine over data/sample (built once per session) ----------------------
@pytest.fixture(scope="session")
def sample_store(eval_app, tmp_path_factory):
    """A store of the articles of data/sample/, shared by the answer-engine tests."""
    from bot.eval_sets import build_store, read_sample_articles

    return build_store(tmp_path_factory.mktemp("sample-store"), read_sample_articles(SAMPLE), eval_app)


@pytest.fixture(scope="session")
def engine(sample_store, embedder, judge, tmp_path_factory):
    """The answer engine over the sample store, with the judgement model and an on-disk
    BM25 cache."""
    from retrieval.engine.engine import AnswerEngine

    return AnswerEngine(sample_store, embedder, judge=judge,
                        cache_dir=tmp_path_factory.mktemp("bm25-cache"))


@pytest.fixture(scope="session")
def stem_of(sample_store):
    """Article id -> file stem of a sample article."""
    return {a.id: Path(a.path or a.location).stem for a in sample_store.list_articles()}
