"""`newsbot serve` over HTTP: every endpoint, its refusals and its error objects."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from tests.serve_fixtures import SEED_QUESTION, sample_app  # noqa: F401 (fixture)

TOKEN = "s3cret-token"


def make_client(app, environ=None, **settings) -> TestClient:
    from bot.serve import ServeSettings, create_app

    base = ServeSettings.from_config(app.config.serve)
    web = create_app(app, replace(base, **settings), environ=environ or {})
    return TestClient(web, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client(sample_app):  # noqa: F811
    return make_client(sample_app, rate_limit=0)


def assert_error(response, status: int, *words: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]["message"]
    assert "Traceback" not in response.text
    for word in words:
        assert word in message
    return message


# -- questions ----------------------------------------------------------------------------------
def test_ask_answers_the_seed_question_like_ask_json(client, sample_app):  # noqa: F811
    response = client.post("/api/ask", json={"question": SEED_QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert body == sample_app.engine.answer(SEED_QUESTION).to_dict()  # the same JSON as `ask --json`
    assert body["status"] == "conflict"
    quotes = {c["stance"]: c["quote"] for c in body["citations"]}
    assert "Washington Post" in quotes["supports"]
    assert "Peskov" in body["answer"] or "Peskov" in quotes["denies"]


def test_ask_follow_up_uses_the_history(client):
    first = client.post("/api/ask", json={"question": "Who denied it?"}).json()
    follow = client.post("/api/ask", json={"question": "Who denied it?", "history": [SEED_QUESTION]}).json()
    assert follow != first
    assert "Peskov" in follow["answer"]
    assert any(c["stance"] == "denies" for c in follow["citations"])


def test_ask_takes_the_options_of_ask(client):
    body = client.post("/api/ask", json={"question": SEED_QUESTION, "source": "AFP", "k": 2}).json()
    assert {c["source"] for c in body["citations"]} == {"AFP"}
    late = client.post("/api/ask", json={"question": SEED_QUESTION, "since": "2030-01-01"}).json()
    assert late["status"] == "not_found" and late["citations"] == []


@pytest.mark.parametrize("payload, words", [
    (b"{not json", ("not valid JSON",)),
    (b"[1, 2]", ("JSON object",)),
    (json.dumps({"question": ""}).encode(), ("question", "non-empty")),
    (json.dumps({"question": 5}).encode(), ("question",)),
    (json.dumps({"question": "x", "k": "six"}).encode(), ("'k'", "whole number")),
    (json.dumps({"question": "x", "k": 0}).encode(), ("'k'",)),
    (json.dumps({"question": "x", "since": "yesterday"}).encode(), ("yesterday",)),
    (json.dumps({"question": "x", "source": "Nobody Times"}).encode(), ("Nobody Times",)),
    (json.dumps({"question": "x", "history": "nope"}).encode(), ("'history'",)),
])
def test_bad_ask_requests_get_a_json_error_naming_the_problem(client, payload, words):
    response = client.post("/api/ask", content=payload, headers={"Content-Type": "application/json"})
    assert_error(response, 400, *words)


def test_timeline_lists_the_seed_story_oldest_first_like_the_engine(client, sample_app):  # noqa: F811
    response = client.get("/api/timeline", params={"q": SEED_QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert body == sample_app.engine.timeline(SEED_QUESTION).to_dict()  # the JSON of Answer.to_dict()
    entries = body["timeline"]
    assert [e["date"] for e in entries][:2] == ["2024-11-10", "2024-11-11"]
    assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
    assert "Washington Post" in entries[0]["who"] and "Peskov" in entries[1]["who"]
    numbers = {c["n"] for c in body["citations"]}
    assert entries and all(e["citation"] in numbers for e in entries)  # every entry cites a listed source
    lines = body["answer"].splitlines()
    assert lines[0] == body["verdict"] and "Sun 10 Nov 2024" in lines[1]


def test_timeline_takes_the_options_of_ask(client):
    body = client.get("/api/timeline", params={"q": SEED_QUESTION, "source": "AFP", "k": "2"}).json()
    assert {c["source"] for c in body["citations"]} == {"AFP"}
    late = client.get("/api/timeline", params={"q": SEED_QUESTION, "since": "2030-01-01"}).json()
    assert late["status"] == "not_found" and late["timeline"] == [] and late["citations"] == []


@pytest.mark.parametrize("params, words", [
    ({"q": SEED_QUESTION, "since": "yesterday"}, ("yesterday",)),
    ({}, ("query", "non-empty")),
    ({"q": SEED_QUESTION, "k": "six"}, ("'k'", "whole number")),
    ({"q": SEED_QUESTION, "k": "0"}, ("'k'",)),
    ({"q": SEED_QUESTION, "source": "Nobody Times"}, ("Nobody Times",)),
])
def test_bad_timeline_requests_get_a_json_error_naming_the_problem(client, params, words):
    assert_error(client.get("/api/timeline", params=params), 400, *words)


# -- articles -----------------------------------------------------------------------------------
def test_docs_lists_the_articles_and_shows_one_with_its_text(client, sample_app):  # noqa: F811
    docs = client.get("/api/docs").json()
    assert len(docs) == 10
    kremlin = next(d for d in docs if d["path"] == "kremlin-denies-call.md")
    assert "/" not in kremlin["path"]  # the server's folders stay private
    one = client.get(f"/api/docs/{kremlin['id'][:10]}").json()  # a unique prefix works too
    assert one["id"] == kremlin["id"] and one["source"] == "AFP"
    answer = client.post("/api/ask", json={"question": SEED_QUESTION}).json()
    for c in answer["citations"]:
        if c["article_id"] == kremlin["id"]:
            assert one["text"][c["start"]:c["end"]] == c["quote"]  # what the page highlights


def test_unknown_article_and_unknown_route_are_json_404s(client):
    assert_error(client.get("/api/docs/ffffffffffff"), 404, "ffffffffffff")
    assert_error(client.get("/api/nothing-here"), 404, "/api/nothing-here")
    assert_error(client.get("/api/ask"), 405, "GET")


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


# -- the page and its files -----------------------------------------------------------------------
def test_page_and_static_files_are_served_with_no_outside_sources(client):
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace('http-equiv', '')  # nothing from a CDN
    script = client.get("/static/app.js")
    assert script.status_code == 200 and "/api/ask" in script.text
    assert client.get("/static/style.css").status_code == 200


@pytest.mark.parametrize("path", ["/static/../serve.py", "/static/..%2Fserve.py", "/static/%2e%2e/cli.py",
                                  "/static/..%2F..%2Fconfig.toml"])
def test_static_files_cannot_be_escaped(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "import" not in response.text and "[store]" not in response.text


# -- limits ----------------------------------------------------------------------------------------
def test_request_bodies_over_the_limit_are_refused(sample_app):  # noqa: F811
    small = make_client(sample_app, max_request_bytes=200, rate_limit=0)
    big = json.dumps({"question": "x" * 500})
    assert_error(small.post("/api/ask", content=big, headers={"Content-Type": "application/json"}), 413, "200")

    def chunks():  # no Content-Length: counted as it arrives
        yield big[:150].encode()
        yield big[150:].encode()

    assert_error(small.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"}), 413)


def test_each_client_is_rate_limited(sample_app):  # noqa: F811
    now = [1000.0]
    from bot.serve import ServeSettings, create_app

    settings = replace(ServeSettings.from_config(sample_app.config.serve), rate_limit=3)
    limited = TestClient(create_app(sample_app, settings, environ={}, clock=lambda: now[0]))
    for _ in range(3):
        assert limited.get("/api/docs").status_code == 200
    refused = limited.get("/api/docs")
    assert_error(refused, 429, "3 a minute")
    assert int(refused.headers["retry-after"]) == 60
    assert limited.get("/healthz").status_code == 200  # health checks are never limited
    now[0] += 61
    assert limited.get("/api/docs").status_code == 200


def test_no_cors_unless_configured(sample_app):  # noqa: F811
    origin = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    plain = make_client(sample_app, rate_limit=0)
    assert "access-control-allow-origin" not in plain.get("/api/docs", headers=origin).headers
    allowed = make_client(sample_app, rate_limit=0, cors_origins=("http://good.example",))
    ok = allowed.options("/api/ask", headers={**origin, "Origin": "http://good.example"})
    assert ok.headers["access-control-allow-origin"] == "http://good.example"
    assert "access-control-allow-origin" not in allowed.get("/api/docs", headers=origin).headers


def test_an_unexpected_failure_is_a_json_500_without_a_traceback(sample_app):  # noqa: F811
    class Broken:
        def answer(self, *args, **kwargs):
            raise RuntimeError("secret internals /srv/newsbot")

    from bot.app import App

    app = App(sample_app.config, store=sample_app.store, engine=Broken())
    message = assert_error(make_client(app).post("/api/ask", json={"question": "hi"}), 500, "internal error")
    assert "secret" not in message


# -- ingest -------------------------------------------------------------------------------------------
@pytest.fixture
def ingest_app(store, embedder, store_env, tmp_path):
    from bot.app import App
    from bot.config import load_config

    return App(load_config(None, environ=store_env), embedder=embedder, store=store)


def test_ingest_is_refused_without_the_token(ingest_app):
    off = make_client(ingest_app)  # no token in the environment: ingest is off
    assert_error(off.post("/api/ingest", json={"urls": ["https://example.com/a"]}), 401, "NEWSBOT_API_TOKEN")
    on = make_client(ingest_app, environ={"NEWSBOT_API_TOKEN": TOKEN})
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = on.post("/api/ingest", json={"urls": ["https://example.com/a"]}, headers=headers)
        assert_error(response, 401, "Authorization: Bearer")
    assert on.get("/api/docs").json() == []


@pytest.mark.embedded_only
def test_ingest_refuses_paths_and_checks_addresses_like_the_cli(ingest_app):
    on = make_client(ingest_app, environ={"NEWSBOT_API_TOKEN": TOKEN})
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for spec in ("/etc/passwd", "-", "file:///etc/passwd", "data/sample"):
        assert_error(on.post("/api/ingest", json={"urls": [spec]}, headers=auth), 400, "not an http(s) URL")
    assert_error(on.post("/api/ingest", content=b"{bad", headers=auth), 400, "not valid JSON")
    assert_error(on.post("/api/ingest", json={"urls": []}, headers=auth), 400, "nothing to ingest")
    # a loopback address goes through the fetcher's checks and is refused there
    summary = on.post("/api/ingest", json={"urls": ["http://127.0.0.1:9/story"]}, headers=auth).json()
    assert summary["failed"] == 1 and summary["added"] == 0
    assert "127.0.0.1" in summary["errors"][0]["error"]


@pytest.mark.embedded_only
def test_ingest_uploads_files_capped_in_count(ingest_app):
    on = make_client(ingest_app, environ={"NEWSBOT_API_TOKEN": TOKEN}, max_upload_files=2)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    story = b"---\ntitle: Harbour bridge reopens\nsource: Test Wire\n---\nThe harbour bridge reopened on Monday after repairs."
    response = on.post("/api/ingest", files=[("files", ("bridge.md", story, "text/markdown"))], headers=auth)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["added"] == 1
    assert summary["articles"][0]["location"] == "bridge.md"  # the upload folder is not shown
    assert [d["title"] for d in on.get("/api/docs").json()] == ["Harbour bridge reopens"]
    three = [("files", (f"s{i}.md", story, "text/markdown")) for i in range(3)]
    assert_error(on.post("/api/ingest", files=three, headers=auth), 400, "2")
    assert_error(on.post("/api/ingest", data={"files": "/etc/passwd"}, headers=auth), 400)


# -- the serve process --------------------------------------------------------------------------
@pytest.mark.skipif(__import__("platform").libc_ver()[0] != "glibc", reason="glibc's malloc arenas only")
def test_serve_caps_malloc_arenas_unless_the_environment_chose(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = "from bot.serve_cmd import cap_malloc_arenas; print(cap_malloc_arenas())"
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)

    def run(extra):
        done = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        return done.stdout.strip()

    assert run({}) == "True"  # glibc took the cap
    assert run({"MALLOC_ARENA_MAX": "4"}) == "False"  # a choice made outside is kept
