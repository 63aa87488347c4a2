"""Real clients against newsbot: the `openai` Python client against a running server on
127.0.0.1, and the MCP SDK's own client against `newsbot mcp` over stdio."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, SAMPLE
from tests.serve_fixtures import SEED_QUESTION, live_server, sample_app  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def openai_client(live_server):  # noqa: F811
    from openai import OpenAI

    return OpenAI(base_url=f"{live_server.url}/v1", api_key="unused", max_retries=0, timeout=120)


def assert_both_sides(text: str, structured: dict) -> None:
    """The reply text carries the answer's [n] markers and a sources list; the extra
    field carries the citations of both sides."""
    assert structured["status"] == "conflict"
    stances = {c["stance"]: c for c in structured["citations"]}
    assert {"supports", "denies"} <= set(stances)
    assert "Washington Post" in stances["supports"]["quote"]
    assert "Peskov" in structured["answer"] or "Peskov" in stances["denies"]["quote"]
    assert structured["answer"] in text
    assert "\n\nSources:\n[1] " in text
    assert text.startswith(structured["verdict"])  # the verdict first, in the text and the field
    assert [s["stance"] for s in structured["sides"]] == ["supports", "denies"]
    assert [t["date"] for t in structured["timeline"]] == ["2024-11-10", "2024-11-11"]
    for c in structured["citations"]:
        assert f"[{c['n']}]" in text and c["title"] in text


def test_models_lists_newsbot(openai_client):
    assert [m.id for m in openai_client.models.list()] == ["newsbot"]


def test_plain_completion_carries_both_sides_and_their_sources(openai_client):
    reply = openai_client.chat.completions.create(
        model="newsbot", messages=[{"role": "user", "content": SEED_QUESTION}])
    text = reply.choices[0].message.content
    assert reply.choices[0].finish_reason == "stop"
    assert_both_sides(text, reply.model_extra["newsbot"])


def test_streamed_completion_carries_both_sides_and_their_sources(openai_client):
    stream = openai_client.chat.completions.create(
        model="newsbot", messages=[{"role": "user", "content": SEED_QUESTION}], stream=True)
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 3  # pieces, not one blob
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert_both_sides(text, chunks[-1].model_extra["newsbot"])


def test_earlier_turns_drive_a_follow_up(openai_client):
    first = openai_client.chat.completions.create(
        model="newsbot", messages=[{"role": "user", "content": SEED_QUESTION}])
    follow = openai_client.chat.completions.create(model="newsbot", messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": SEED_QUESTION},
        {"role": "assistant", "content": first.choices[0].message.content},
        {"role": "user", "content": [{"type": "text", "text": "Who denied it?"}]},
    ])
    answer = follow.model_extra["newsbot"]
    assert "Peskov" in answer["answer"]
    assert any(c["stance"] == "denies" for c in answer["citations"])


def test_a_bad_completion_request_is_an_openai_style_error(openai_client):
    from openai import BadRequestError

    with pytest.raises(BadRequestError) as caught:
        openai_client.chat.completions.create(model="newsbot", messages=[{"role": "assistant", "content": "hi"}])
    assert "the last message must be the user's question" in str(caught.value)


# -- the commands in a process of their own -------------------------------------------------------
@pytest.fixture(scope="module")
def sample_config(tmp_path_factory, embedder):
    """A config file whose store holds data/sample (built by the CLI, in-process)."""
    from click.testing import CliRunner

    from bot.cli import cli

    root = tmp_path_factory.mktemp("mcp")
    config = root / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "ingest", str(SAMPLE)], obj={"embedder": embedder})
    assert result.exit_code == 0, result.output
    return config


def child_env() -> dict[str, str]:
    names = ("NEWSBOT_CACHE_DIR", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY", "PATH", "HOME")
    return {name: os.environ[name] for name in names if name in os.environ}


def test_newsbot_serve_command_listens_on_127_0_0_1_and_answers(sample_config):
    import httpx

    from tests.conftest import _free_port

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--config", str(sample_config), "--port", str(port)],
                            env={**child_env(), "PYTHONPATH": str(REPO)}, cwd=str(sample_config.parent),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        banner = proc.stderr.readline()  # printed once the model and indexes are loaded
        assert f"http://127.0.0.1:{port}/" in banner, banner
        for _ in range(100):
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert health.json() == {"status": "ok"}
        answer = httpx.post(f"http://127.0.0.1:{port}/api/ask", json={"question": SEED_QUESTION}, timeout=120).json()
        assert answer["status"] == "conflict"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def test_mcp_server_answers_tools_call_ask(sample_config):
    from mcp import ClientSession, StdioServerParameters, stdio_client

    env = child_env()
    params = StdioServerParameters(command=sys.executable, args=["-m", "bot", "mcp", "--config", str(sample_config)],
                                   cwd=str(sample_config.parent), env={**env, "PYTHONPATH": str(REPO)})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = {t.name for t in (await session.list_tools()).tools}
        assert {"ask", "timeline", "search_articles"} <= tools
        result = await session.call_tool("ask", {"question": SEED_QUESTION}, read_timeout_seconds=300)
        assert not result.is_error
        answer = result.structured_content
        assert answer["status"] == "conflict"
        assert {"supports", "denies"} <= {c["stance"] for c in answer["citations"]}
        found = await session.call_tool("search_articles", {"query": "Peskov denied the call", "k": 3})
        passages = found.structured_content["result"]
        assert passages and passages[0]["title"] and "passage" in passages[0]
        assert any("Peskov" in p["passage"] for p in passages)
        told = await session.call_tool("timeline", {"query": SEED_QUESTION}, read_timeout_seconds=300)
        assert not told.is_error
        story = told.structured_content
        dates = [t["date"] for t in story["timeline"]]
        assert dates[:2] == ["2024-11-10", "2024-11-11"] and dates == sorted(dates)
        assert "Washington Post" in story["timeline"][0]["who"]
        assert {t["citation"] for t in story["timeline"]} <= {c["n"] for c in story["citations"]}
