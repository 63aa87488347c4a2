"""A small OpenAI-compatible chat server for tests, on 127.0.0.1.

``OpenAIStub`` answers ``POST /v1/chat/completions`` (plain and streamed as
server-sent events) from a queue of scripted replies, records every request
(headers and JSON body), and can fail on demand: a reply may be an HTTP
status (``Fail(500)``) or a delay longer than the client's timeout
(``Slow(seconds, text)``).  With the queue empty it answers with
:func:`extractive_reply`, a deterministic stand-in for a model that quotes
the fenced sources it was sent: enough to drive ``newsbot eval`` through the
real ``ChatOpenAI`` path.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_SOURCE = re.compile(r'<source n="(\d+)">\n(.*?)\n</source>', re.S)
_STOP = frozenset("""a an the of in on at to for and or is are was were be been by with as from that this
it its did does do what who when where which why how whether there their has have had not no""".split())


@dataclass
class Fail:
    """Answer with an HTTP error status."""

    status: int = 500


@dataclass
class Slow:
    """Answer ``text`` after ``seconds``."""

    seconds: float
    text: str = "late"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        """Every message's text, joined."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


class OpenAIStub:
    """The server; use as a context manager, ``url`` is its ``base_url``."""

    def __init__(self) -> None:
        self.replies: deque[Any] = deque()
        self.requests: list[Request] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                stub.requests.append(req)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._json(404, {"error": {"message": "not found"}})
                reply = stub.replies.popleft() if stub.replies else extractive_reply(req.body["messages"])
                if isinstance(reply, Fail):
                    return self._json(reply.status, {"error": {"message": "scripted failure",
                                                               "type": "server_error"}})
                if isinstance(reply, Slow):
                    time.sleep(reply.seconds)
                    reply = reply.text
                if body.get("stream"):
                    return self._stream(body.get("model", "stub"), str(reply))
                return self._json(200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": str(reply)}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, model: str, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = re.findall(r"\S+\s*", text) or [""]
                for i, piece in enumerate(pieces):
                    delta = {"content": piece, **({"role": "assistant"} if i == 0 else {})}
                    self._event({"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0,
                                 "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
                self._event({"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": 0,
                             "model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict) -> None:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> "OpenAIStub":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- the default "model" ------------------------------------------------------------------
def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def extractive_reply(messages: list[dict[str, Any]]) -> str:
    """An answer made of the sources' own sentences: for each of the (up to three)
    sources sharing most words with the question, its best sentence, attributed to
    its publisher and cited; "The sources conflict." first when one of them denies
    and another does not; the abstention sentence when no source shares two words."""
    user = next((str(m["content"]) for m in reversed(messages) if m.get("role") == "user"), "")
    system = next((str(m["content"]) for m in messages if m.get("role") == "system"), "")
    question = re.search(r"^Question: (.*)$", user, re.M)
    asked = _words(question.group(1) if question else "")
    picks = []
    for m in _SOURCE.finditer(user):
        n, block = int(m.group(1)), m.group(2)
        publisher = re.search(r"^publisher: (.*)$", block, re.M)
        text = block.split("\ntext:\n", 1)[-1]
        sentences = [s.strip() for s in re.split(r"(?<=[.!?”])\s+|\n+", text) if len(s.strip()) > 20]
        scored = [(len(asked & _words(s)), s) for s in sentences]
        if scored:
            score, best = max(scored, key=lambda x: x[0])
            if score >= 2:
                picks.append((score, n, publisher.group(1) if publisher else "one source", best))
    if not picks:
        abstain = re.search(r"reply with exactly this sentence and nothing else: (.*)$", system, re.M)
        return abstain.group(1) if abstain else "The sources do not answer this question."
    picks.sort(key=lambda p: -p[0])
    picks = picks[:3]
    denial = [bool(re.search(r"\b(denied|denies|denying|false|no plans)\b", p[3], re.I)) for p in picks]
    lines = ["The sources conflict."] if any(denial) and not all(denial) else []
    for _, n, publisher, sentence in picks:
        lines.append(f"According to {publisher}, {sentence.rstrip('.')} [{n}].")
    return " ".join(lines)
