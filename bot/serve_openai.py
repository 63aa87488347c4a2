"""The OpenAI-compatible part of ``newsbot serve``: ``/v1/chat/completions`` and ``/v1/models``.

Chat front ends (open-webui, LibreChat, the ``openai`` client) talk to
newsbot as if it were a model named ``newsbot``.  The last user message is
the question; the earlier user messages are the conversation's history, so
follow-ups work.  The reply's content is the answer with its ``[n]`` markers
followed by a "Sources:" list; the structured answer (``newsbot ask --json``:
status, citations with their stance, quote and offsets, the verdict, the
sides with their independent-source counts, the grouped answers and the
timeline) rides along in an extra top-level field ``newsbot`` (in a stream:
on the last chunk).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, Iterator

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bot.chat import numbered_source_line
from bot.serve_requests import ApiError, ask_options, json_body, option
from bot.service import Service

MODEL = "newsbot"
STARTED = int(time.time())


def conversation(messages: Any) -> tuple[str, list[str]]:
    """``(question, earlier questions)`` from OpenAI-style ``messages``."""
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list of {\"role\", \"content\"} objects")
    asked = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise ApiError(400, f"messages[{i}] must be an object with a 'role' and a 'content'")
        if message["role"] == "user":
            asked.append(message_text(message.get("content"), i))
    if not asked or messages[-1].get("role") != "user":
        raise ApiError(400, "the last message must be the user's question")
    return asked[-1], asked[:-1]


def message_text(content: Any, index: int) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if parts:
            return "\n".join(parts)
    raise ApiError(400, f"messages[{index}].content must be text")


def reply_text(answer: Any) -> str:
    """The answer with its [n] markers, then one line per source."""
    sources = answer.sources()
    if not sources:
        return answer.answer
    lines = [numbered_source_line(c, local_paths=False) for c in sources]
    return answer.answer + "\n\nSources:\n" + "\n".join(lines)


def _pieces(text: str) -> Iterator[str]:
    """The reply in line- and sentence-sized pieces, for streaming."""
    for piece in re.split(r"(?<=[.!?\n])(?=\s)", text):
        if piece:
            yield piece


def openai_routes(service: Service) -> list[Route]:
    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": MODEL, "object": "model", "created": STARTED, "owned_by": "newsbot"}]})

    async def completions(request: Request) -> Response:
        body = await json_body(request)
        question, history = conversation(body.get("messages"))
        stream = option(body, "stream", bool, False)
        answer = await run_in_threadpool(service.answer, question, history, **ask_options(body))
        ident = f"chatcmpl-{uuid.uuid4().hex}"
        model = body.get("model") if isinstance(body.get("model"), str) else MODEL
        base = {"id": ident, "created": int(time.time()), "model": model}
        text = reply_text(answer)
        if not stream:
            return JSONResponse({
                **base, "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                "newsbot": answer.to_dict(),
            })

        def chunk(delta: dict, finish: str | None = None, **extra: Any) -> str:
            data = {**base, "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            for piece in _pieces(text):
                yield chunk({"content": piece})
            yield chunk({}, "stop", newsbot=answer.to_dict())
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    return [
        Route("/v1/models", models),
        Route("/v1/chat/completions", completions, methods=["POST"]),
    ]
