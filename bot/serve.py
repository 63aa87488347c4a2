"""``newsbot serve``: the chat page, the JSON API and the OpenAI-compatible API.

A thin Starlette adapter over :class:`bot.service.Service`: handlers parse
the request, run the blocking call in the thread pool and return JSON.
Safe by default: the command binds 127.0.0.1, bodies are capped, each
client is rate limited, CORS is off unless origins are configured, and
every error is ``{"error": {"message", "type", "code"}}``, never a
traceback.

Routes: ``GET /`` (the page) and ``/static/*``; ``GET /healthz``;
``POST /api/ask``; ``GET /api/timeline?q=``; ``GET /api/docs``; ``GET /api/docs/{id}``;
``POST /api/ingest``; ``POST /v1/chat/completions``; ``GET /v1/models``.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from retrieval.common.defaults import SERVE
from retrieval.common.errors import NewsbotError, NotFoundError, StoreError

from bot.serve_openai import openai_routes
from bot.serve_requests import ApiError, ask_options, error_response, int_param, json_body, option
from bot.service import Service, check_url

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
# The page loads nothing from elsewhere: scripts, styles and requests stay on this server.
PAGE_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"


@dataclass(frozen=True)
class ServeSettings:
    """``[serve]`` of the configuration."""

    host: str = SERVE["host"]
    port: int = SERVE["port"]
    ingest_token_env: str = SERVE["ingest_token_env"]
    max_request_bytes: int = SERVE["max_request_bytes"]
    max_upload_files: int = SERVE["max_upload_files"]
    rate_limit: int = SERVE["rate_limit"]  # requests per minute per client to /api and /v1; 0: none
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, section: Any) -> "ServeSettings":
        return cls(**{**vars(section), "cors_origins": tuple(section.cors_origins)})


# -- middleware --------------------------------------------------------------------------------
class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413, by their Content-Length or, when
    they come in chunks, as soon as more than that has arrived."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        too_big = f"the request body is larger than the limit of {self.max_bytes:,} bytes"
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            return await error_response(413, too_big)(scope, receive, send)
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise ApiError(413, too_big)
            return message

        await self.app(scope, counted, send)


class RateLimit:
    """At most ``per_minute`` requests to ``/api`` and ``/v1`` per client address in any
    60 seconds; more get 429 with Retry-After."""

    WINDOW = 60.0

    def __init__(self, app, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.app, self.per_minute, self.clock = app, per_minute, clock
        self.seen: dict[str, deque[float]] = {}

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not self.per_minute or not path.startswith(("/api/", "/v1/")):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        now = self.clock()
        times = self.seen.setdefault(client, deque())
        while times and now - times[0] >= self.WINDOW:
            times.popleft()
        if len(times) >= self.per_minute:
            wait = max(1, int(self.WINDOW - (now - times[0]) + 0.999))
            response = error_response(429, f"too many requests: the limit is {self.per_minute} a minute; "
                                      f"try again in {wait} s", "rate_limit_error", {"Retry-After": str(wait)})
            return await response(scope, receive, send)
        times.append(now)
        if len(self.seen) > 10_000:  # forget clients that have been quiet for a minute
            self.seen = {c: t for c, t in self.seen.items() if t and now - t[-1] < self.WINDOW}
        await self.app(scope, receive, send)


# -- handlers ----------------------------------------------------------------------------------
def build_routes(service: Service, settings: ServeSettings, environ: Mapping[str, str]) -> list:
    async def page(request: Request) -> Response:
        response = FileResponse(STATIC / "index.html")
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        return response

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ask(request: Request) -> Response:
        body = await json_body(request)
        history = option(body, "history", list, [])
        answer = await run_in_threadpool(service.ask, body.get("question"), history, **ask_options(body))
        return JSONResponse(answer)

    async def timeline(request: Request) -> Response:
        params = request.query_params
        options = ask_options({"k": int_param(params, "k"), "source": params.get("source") or None,
                               "since": params.get("since") or None})
        return JSONResponse(await run_in_threadpool(service.timeline, params.get("q"), **options))

    async def docs(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.docs))

    async def doc(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(service.doc, request.path_params["article_id"]))

    async def ingest(request: Request) -> Response:
        check_token(request, settings, environ)
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            specs = await uploaded_specs(request, service, settings)
        else:
            urls = option(await json_body(request), "urls", list, [])
            specs = [check_url(u) for u in urls]
        if not specs:
            raise ApiError(400, "nothing to ingest: send {\"urls\": [...]} or upload files as 'files'")
        if len(specs) > settings.max_upload_files:
            raise ApiError(400, f"{len(specs)} sources in one request; the limit is {settings.max_upload_files}")
        return JSONResponse(await run_in_threadpool(service.ingest, specs))

    return [
        Route("/", page),
        Route("/healthz", healthz),
        Route("/api/ask", ask, methods=["POST"]),
        Route("/api/timeline", timeline),
        Route("/api/docs", docs),
        Route("/api/docs/{article_id}", doc),
        Route("/api/ingest", ingest, methods=["POST"]),
        *openai_routes(service),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def check_token(request: Request, settings: ServeSettings, environ: Mapping[str, str]) -> None:
    expected = environ.get(settings.ingest_token_env, "")
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    if not expected:
        raise ApiError(401, f"ingest is turned off: the server has no token in ${settings.ingest_token_env}",
                       "authentication_error")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise ApiError(401, "ingest needs the header 'Authorization: Bearer <token>' with the server's token",
                       "authentication_error", {"WWW-Authenticate": "Bearer"})


async def uploaded_specs(request: Request, service: Service, settings: ServeSettings) -> list[str]:
    limit = settings.max_upload_files
    try:
        form = await request.form(max_files=limit, max_fields=limit + 10)
    except HTTPException as exc:
        raise ApiError(400, f"the upload was refused: {exc.detail} (at most {limit} files)") from None
    files = [f for f in form.getlist("files") if hasattr(f, "read")]
    if len(files) != len(form.getlist("files")):
        raise ApiError(400, "'files' must be uploaded files, not text (local paths are never read)")
    specs = []
    for upload in files:
        data = await upload.read()
        specs.append(await run_in_threadpool(service.save_upload, upload.filename or "", data))
    return specs


# -- errors ------------------------------------------------------------------------------------
async def on_api_error(request: Request, exc: ApiError) -> Response:
    return error_response(exc.status, exc.message, exc.kind, exc.headers)


async def on_newsbot_error(request: Request, exc: NewsbotError) -> Response:
    status = 404 if isinstance(exc, NotFoundError) else 503 if isinstance(exc, StoreError) else 400
    first = (str(exc).strip().splitlines() or ["bad request"])[0]
    return error_response(status, first, "not_found_error" if status == 404 else "invalid_request_error")


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    messages = {404: f"no such page: {request.url.path}", 405: f"{request.method} is not allowed on {request.url.path}"}
    return error_response(exc.status_code, messages.get(exc.status_code, str(exc.detail)),
                          headers=getattr(exc, "headers", None))


async def on_crash(request: Request, exc: Exception) -> Response:
    from retrieval.index.store import as_store_error

    lost = as_store_error(exc)
    if lost is not None:
        return error_response(503, str(lost), "server_error")
    log.exception("error answering %s %s", request.method, request.url.path)
    return error_response(500, "internal error: the server log has the details", "server_error")


def create_app(app: Any, settings: ServeSettings | None = None, *, environ: Mapping[str, str] | None = None,
               clock: Callable[[], float] = time.monotonic) -> Starlette:
    """The ASGI application over ``app`` (a :class:`bot.app.App`)."""
    settings = settings or ServeSettings.from_config(app.config.serve)
    environ = os.environ if environ is None else environ
    service = Service(app)
    middleware = [Middleware(RateLimit, per_minute=settings.rate_limit, clock=clock),
                  Middleware(BodyLimit, max_bytes=settings.max_request_bytes)]
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        middleware.insert(0, Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                        allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"]))
    web = Starlette(
        routes=build_routes(service, settings, environ),
        middleware=middleware,
        exception_handlers={ApiError: on_api_error, NewsbotError: on_newsbot_error,
                            HTTPException: on_http_error, Exception: on_crash},
    )
    web.state.service = service
    return web
