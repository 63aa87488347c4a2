"""The HTTP request parts both APIs of ``newsbot serve`` share: the JSON error object, the
request body read as a JSON object, checked options and the ``newsbot ask`` options.

:mod:`bot.serve` (the page and ``/api``) and :mod:`bot.serve_openai` (``/v1``) both
import this module, so neither imports the other's internals.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse


class ApiError(Exception):
    """A refusal with its HTTP status, turned into the JSON error object."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error",
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.headers = status, message, kind, dict(headers or {})


def error_response(status: int, message: str, kind: str = "invalid_request_error",
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind, "code": status}},
                        status_code=status, headers=dict(headers or {}))



# -- request bodies ---------------------------------------------------------------------------
async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 saying what is wrong with it."""
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    return body


def option(body: Mapping[str, Any], name: str, kind: type, default: Any = None) -> Any:
    """``body[name]`` checked to be a ``kind`` (or absent/null: ``default``)."""
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(400, f"'{name}' must be {_KIND_NAMES.get(kind, kind.__name__)} (got {json.dumps(value)[:80]})")
    if kind is int and value < 1:
        raise ApiError(400, f"'{name}' must be 1 or more (got {value})")
    return value


def int_param(params: Mapping[str, str], name: str) -> int | None:
    """The query parameter ``name`` as a whole number (absent or empty: None), or a 400."""
    value = (params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit() or not value.isascii():
        raise ApiError(400, f"'{name}' must be a whole number (got {value[:80]!r})")
    return int(value)


_KIND_NAMES = {str: "a string", int: "a whole number", list: "a list", bool: "true or false"}


def ask_options(body: Mapping[str, Any]) -> dict[str, Any]:
    """The options ``newsbot ask`` takes: ``k``, ``source``, ``since``."""
    return {"k": option(body, "k", int), "source": option(body, "source", str),
            "since": option(body, "since", str)}
