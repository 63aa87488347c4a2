"""``newsbot serve``: the web page and the HTTP API, on uvicorn."""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import replace
from pathlib import Path

import click

from bot.options import config_option, make_app


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: [serve] host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: [serve] port, 8080).")
@config_option
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, config_path: Path | None) -> None:
    """Serve the chat page at / and the JSON and OpenAI-compatible APIs.

    Endpoints: POST /api/ask, GET /api/timeline?q=..., GET /api/docs, GET /api/docs/ID, POST /api/ingest
    (needs the token of [serve] ingest_token_env), POST /v1/chat/completions,
    GET /v1/models, GET /healthz.  Listens on 127.0.0.1 unless told otherwise.
    Stop it with Ctrl-C.
    """
    import uvicorn

    from bot.serve import ServeSettings, create_app

    cap_malloc_arenas()  # before the models and the server start their threads
    app = make_app(ctx, config_path)
    settings = ServeSettings.from_config(app.config.serve)
    settings = replace(settings, host=host or settings.host, port=port or settings.port)
    app.preload_store()
    app.engine.warm()  # the model and indexes load now, not on the first question
    click.echo(f"newsbot serving on http://{_url_host(settings.host)}:{settings.port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(create_app(app, settings), host=settings.host, port=settings.port,
                log_level="info", server_header=False, proxy_headers=False)


# glibc's mallopt parameter for the most malloc arenas; and the cap a long-running server uses.
M_ARENA_MAX = -8
SERVER_ARENAS = 2


def cap_malloc_arenas(arenas: int = SERVER_ARENAS) -> bool:
    """Have glibc share ``arenas`` malloc arenas among all threads (as MALLOC_ARENA_MAX does).

    By default glibc gives a busy thread an arena of its own, up to 8 per core, and an arena
    keeps the memory it once held: a server answering on many threads (uvicorn's, anyio's,
    torch's, the answer pool's) grows for minutes after its warm-up while the same work goes
    on.  A no-op (False) where the C library is not glibc or $MALLOC_ARENA_MAX is already set.
    """
    import os

    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
