"""Fixtures of the `newsbot serve` tests: an App over data/sample and a live server.

Import the fixtures into a test module (``from tests.serve_fixtures import sample_app``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest

from tests.conftest import _free_port

SEED_QUESTION = "Did the call happen?"


@pytest.fixture(scope="module")
def sample_app(sample_store, engine, embedder, tmp_path_factory):
    """An App over the shared sample store (read-only: ingest tests use their own store)."""
    from bot.app import App
    from bot.config import load_config

    root = tmp_path_factory.mktemp("serve")
    config = load_config(None, environ={"NEWSBOT_STORE_PATH": str(root / "store")})
    return App(config, embedder=embedder, store=sample_store, engine=engine)


class LiveServer:
    """uvicorn serving an ASGI app on 127.0.0.1 in a thread of this process."""

    def __init__(self, web):
        import uvicorn

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, name="newsbot-serve-test", daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(sample_app):
    """`newsbot serve`'s application over the sample store, on a free port of 127.0.0.1."""
    from bot.serve import ServeSettings, create_app

    settings = replace(ServeSettings.from_config(sample_app.config.serve), rate_limit=0)
    with LiveServer(create_app(sample_app, settings, environ={})) as server:
        yield server
