"""Server mode: several processes on one Chroma server, and a server that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pytest

from tests.conftest import REPO, SAMPLE, ChromaServer, _free_port, newsbot_subprocess_cmd
from tests.test_faults import N_ARTICLES, make_corpus


def server_env(server: ChromaServer, collection: str, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") or k == "NEWSBOT_CACHE_DIR"}
    env.update(
        NEWSBOT_STORE_MODE="server", NEWSBOT_STORE_HOST=server.host,
        NEWSBOT_STORE_PORT=str(server.port), NEWSBOT_STORE_COLLECTION=collection,
        NEWSBOT_STORE_PATH=str(tmp_path / "local"), NEWSBOT_INGEST_BATCH_ARTICLES="4",
        NEWSBOT_STORE_SHARD_CHUNKS="25",  # several shards, written and read at the same time
        PYTHONPATH=str(REPO),
    )
    return env


def newsbot(*args, env, **kw):
    return subprocess.run([*newsbot_subprocess_cmd(), *args], env=env, capture_output=True,
                          text=True, timeout=300, **kw)


def stored(env) -> list[dict]:
    result = newsbot("docs", "list", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.slow
def test_an_ingest_and_a_reader_work_at_the_same_time(chroma_server, tmp_path):
    env = server_env(chroma_server, f"c{uuid.uuid4().hex[:12]}", tmp_path)
    assert newsbot("ingest", str(SAMPLE), env=env).returncode == 0
    corpus = make_corpus(tmp_path / "corpus")
    questions = tmp_path / "questions.txt"
    asked = ["Did the call happen?", "Who denied the report?", "What happened in the harbour dispute?",
             "Is the Millbrook plant closing?"] * 5
    questions.write_text("\n".join(asked) + "\n")

    writer = subprocess.Popen([*newsbot_subprocess_cmd(), "ingest", str(corpus)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader = subprocess.Popen([*newsbot_subprocess_cmd(), "ask", "--batch", str(questions)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    w_out, w_err = writer.communicate(timeout=300)
    r_out, r_err = reader.communicate(timeout=300)
    assert writer.returncode == 0, w_err
    assert reader.returncode == 0, r_err  # no lock refusal in server mode
    answers = [json.loads(line) for line in r_out.splitlines()]
    assert [a["question"] for a in answers] == asked
    assert all(a["status"] in ("answered", "conflict", "not_found") for a in answers)
    assert answers[0]["status"] == "conflict"

    articles = stored(env)
    assert len(articles) == N_ARTICLES + len(list(SAMPLE.glob("*.md")))
    assert len({a["id"] for a in articles}) == len(articles)
    again = newsbot("ingest", str(corpus), "--json", env=env)
    assert json.loads(again.stdout)["unchanged"] == N_ARTICLES


@pytest.mark.slow
def test_server_going_away_gives_a_clear_error_and_the_next_command_works_once_back(tmp_path):
    port = _free_port()
    data = tmp_path / "server-data"
    server = ChromaServer("127.0.0.1", port, data).start()
    env = server_env(server, "news", tmp_path)
    try:
        assert newsbot("ingest", str(SAMPLE / "kremlin-denies-call.md"), env=env).returncode == 0
        server.stop()
        down = newsbot("docs", "list", env=env)
        assert down.returncode == 1
        assert f"cannot reach the Chroma server at http://127.0.0.1:{port}" in down.stderr
        assert "chroma run" in down.stderr and "Traceback" not in down.stderr

        server = ChromaServer("127.0.0.1", port, data).start()
        titles = [a["title"] for a in stored(env)]
        assert titles == ["Kremlin denies Putin and Trump spoke on the phone"]
    finally:
        server.stop()


@pytest.mark.slow
def test_server_killed_mid_ingest_then_the_same_ingest_completes(tmp_path):
    port = _free_port()
    data = tmp_path / "server-data"
    server = ChromaServer("127.0.0.1", port, data).start()
    env = server_env(server, "news", tmp_path)
    corpus = make_corpus(tmp_path / "corpus")
    try:
        child = subprocess.Popen([*newsbot_subprocess_cmd(), "ingest", "-v", str(corpus)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen = 0
        for line in child.stderr:
            seen += line.startswith("added ")
            if seen >= 6:
                server.process.kill()
                server.process.wait()
                break
        rest = child.stderr.read()
        child.wait(timeout=120)
        assert child.returncode == 1
        assert "Chroma server" in rest and "Traceback" not in rest

        server = ChromaServer("127.0.0.1", port, data).start()
        result = newsbot("ingest", str(corpus), "--json", env=env)
        assert result.returncode == 0, result.stderr
        assert len(stored(env)) == N_ARTICLES
    finally:
        server.stop()


@pytest.mark.slow
def test_an_embedded_store_folder_served_by_chroma_run_answers_the_same(tmp_path):
    folder = tmp_path / "store"
    embedded = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") or k == "NEWSBOT_CACHE_DIR"}
    embedded.update(NEWSBOT_STORE_PATH=str(folder), NEWSBOT_STORE_SHARD_CHUNKS="6", PYTHONPATH=str(REPO))
    assert newsbot("ingest", str(SAMPLE), env=embedded).returncode == 0
    before = newsbot("ask", "Did the call happen?", "--json", env=embedded)
    assert before.returncode == 0, before.stderr

    server = ChromaServer("127.0.0.1", _free_port(), folder).start()
    try:
        env = server_env(server, "news", tmp_path)
        after = newsbot("ask", "Did the call happen?", "--json", env=env)
        assert after.returncode == 0, after.stderr
        assert json.loads(after.stdout) == json.loads(before.stdout)
        assert json.loads(after.stdout)["status"] == "conflict"
        assert len(stored(env)) == len(list(SAMPLE.glob("*.md")))
    finally:
        server.stop()
