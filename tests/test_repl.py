"""The REPL as whole transcripts: lines in, the complete output compared.

A store of data/sample is built once for the module with the session's real
embedding model.  The exact transcripts use a scripted engine (a subclass of
the real one) whose answers cite real passages of that store, so that every
command's output is known to the character; the real engine is then run
through the CLI with piped input, the way a script would use it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from bot.app import App
from bot.chat import ingest_runner
from bot.cli import cli
from bot.config import load_config
from bot.repl import PromptInput, Repl, StreamInput
from retrieval.engine.answer import Answer, Citation
from retrieval.index.library import Library
from retrieval.index.store import location_id
from tests.fakes import ScriptedEngine

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
KREMLIN = SAMPLE / "kremlin-denies-call.md"
REPORTED = "The Washington Post reported Sunday that Trump talked by phone on Thursday with Putin"
DENIED = "Kremlin spokesman Dmitry Peskov told journalists that the Washington Post report was “simply false information”"


@pytest.fixture(scope="module")
def sample_app(embedder, tmp_path_factory):
    """An App whose store holds data/sample, built once for this module."""
    root = tmp_path_factory.mktemp("repl")
    config = root / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    app = App(load_config(config, environ={}), embedder=embedder)
    report = ingest_runner(app)([str(SAMPLE)])
    assert report.summary.count("added") == 10
    app.config_path = config
    return app


def cite(store, n: int, quote: str, stance: str) -> Citation:
    article_id = location_id(str(KREMLIN))
    text = store.get_article(article_id).text
    start = text.index(quote)
    return Citation(n=n, article_id=article_id, title="Kremlin denies Putin and Trump spoke on the phone",
                    source="AFP", published="2024-11-11", url=None, quote=quote, start=start,
                    end=start + len(quote), stance=stance, path=str(KREMLIN))


@pytest.fixture
def scripted(sample_app):
    store = sample_app.store
    call = Answer(
        question="Did the call happen?", status="conflict",
        answer=f"The sources conflict. The Post reports it: “{REPORTED}.” [1] Peskov denies it: “{DENIED}.” [1]",
        citations=[cite(store, 1, REPORTED, "supports"), cite(store, 1, DENIED, "denies")],
    )
    who = Answer(question="Who denied it?", status="answered",
                 answer=f"Kremlin spokesman Dmitry Peskov denied it: “{DENIED}.” [1]",
                 citations=[cite(store, 1, DENIED, "denies")])
    return ScriptedEngine({"Did the call happen?": call, "Who denied it?": who})


def run_repl(engine, store, lines: str, *, ingest=None, styled=False) -> str:
    buffer = io.StringIO()
    out = Console(file=buffer, width=200, soft_wrap=True, highlight=False, color_system=None)
    session = Repl(engine, Library(store), ingest or (lambda specs: pytest.fail("no ingest expected")), out, styled=styled)
    session.run(StreamInput(io.StringIO(lines)))
    return buffer.getvalue()


SOURCE_1 = f"[1] Kremlin denies Putin and Trump spoke on the phone — AFP, 2024-11-11 — {KREMLIN}"


def passage(store, first: str, last: str) -> str:
    """The article text from the paragraph starting ``first`` to the end of the one starting ``last``."""
    text = store.get_article(location_id(str(KREMLIN))).text
    start = text.index(first)
    end = text.find("\n\n", text.index(last))
    return text[start:end]


def test_transcript_question_follow_up_sources_open_clear(scripted, sample_app):
    # the quoted paragraph with one paragraph on either side
    around_denial = passage(sample_app.store, "(COMBO)", "The Post report said")
    output = run_repl(scripted, sample_app.store, "Did the call happen?\n/sources\nWho denied it?\n/open 1\n"
                                                  "/clear\nWho denied it?\n/quit\nnever read\n")
    assert output == f"""\
The sources conflict. The Post reports it: “{REPORTED}.” [1] Peskov denies it: “{DENIED}.” [1]

Sources
{SOURCE_1}

{SOURCE_1}

Kremlin spokesman Dmitry Peskov denied it: “{DENIED}.” [1]

Sources
{SOURCE_1}

{SOURCE_1}

{around_denial}

History cleared.

Kremlin spokesman Dmitry Peskov denied it: “{DENIED}.” [1]

Sources
{SOURCE_1}

"""
    # the follow-up carried the first question; after /clear the history was empty
    assert scripted.calls == [("Did the call happen?", []), ("Who denied it?", ["Did the call happen?"]),
                              ("Who denied it?", [])]


def test_transcript_open_shows_every_quoted_passage_with_context(scripted, sample_app):
    output = run_repl(scripted, sample_app.store, "Did the call happen?\n/open 1\n")
    opened = output.rsplit(SOURCE_1 + "\n\n", 1)[1]
    # the two quotes' passages overlap: shown once, from the paragraph before the report
    # to the paragraph after the denial
    assert opened == passage(sample_app.store, "The Kremlin on Monday", "The Post report said") + "\n\n"


def test_transcript_docs_ingest_help_errors(scripted, sample_app, tmp_path):
    ingested = []

    def fake_ingest(specs):
        from bot.chat import IngestReport
        from ingest.pipeline import IngestSummary, Outcome

        ingested.append(list(specs))
        return IngestReport(IngestSummary(outcomes=[Outcome("added", specs[0])]))

    output = run_repl(scripted, sample_app.store,
                      "/docs\n/ingest 'my file.md'\n/ingest\n/sources\n/open 1\nWhat?\n/nope\n/help\n",
                      ingest=fake_ingest)
    docs, rest = output.split("10 articles\n\n", 1)
    lines = docs.splitlines()
    assert len(lines) == 10
    # id prefix, date, publisher (padded to the longest, "The Morning Dispatch"), title; newest first
    assert lines[0][12:] == "  2024-11-14  Continental Wire      Ministers meet in Warsaw on Ukraine reconstruction fund"
    assert lines[6][12:] == "  2024-11-09  The Morning Dispatch  Trump transition team begins vetting cabinet candidates"
    assert lines[-1][12:] == "  2024-11-05  Northern Ledger       Putin says Russian economy will grow despite sanctions"
    assert rest == """\
Ingested: 1 added

Error: usage: /ingest PATH_OR_URL [...]
Error: no answer yet: ask a question first
Error: no answer yet: ask a question first
Error: the stored articles do not cover that
Error: unknown command /nope; /help lists the commands
Type a question; follow-up questions use the conversation so far.
  /sources — the sources of the last answer.
  /open N — the full passage around citation N of the last answer.
  /timeline [QUERY] — the dated claims of a story (default: the last question's).
  /docs — the stored articles, newest first.
  /ingest PATH_OR_URL — add files, folders, feeds or URLs to the store.
  /clear — forget the conversation: the next question starts afresh.
  /help — this list.
  /quit — leave (Ctrl-D too).
  Ctrl-C cancels the current line; Ctrl-D quits.

"""
    assert ingested == [["my file.md"]]


def test_open_needs_a_cited_number(scripted, sample_app):
    output = run_repl(scripted, sample_app.store, "Did the call happen?\n/open 2\n/open x\n")
    assert output.splitlines()[-2:] == [
        "Error: the last answer has no source [2]; /sources lists them",
        "Error: usage: /open N, where N is a source number of the last answer",
    ]


def test_interactive_prompt_ctrl_c_cancels_the_line_and_ctrl_d_quits(scripted, sample_app):
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    buffer = io.StringIO()
    out = Console(file=buffer, width=200, soft_wrap=True, highlight=False, color_system=None)
    session = Repl(scripted, sample_app.library, lambda specs: None, out, styled=True)
    with create_pipe_input() as pipe:
        # a half-typed line cancelled with Ctrl-C, a question, an edited line, then Ctrl-D
        pipe.send_text("Who won the cup\x03Did the call happen?\rWho denied\x7f\x7f\x7f\x7f\x7f\x7fdenied it?\r\x04")
        session.run(PromptInput(None, input=pipe, output=DummyOutput()))
    assert [q for q, _ in scripted.calls] == ["Did the call happen?", "Who denied it?"]
    assert scripted.calls[1][1] == ["Did the call happen?"]
    output = buffer.getvalue()
    assert output.startswith("Ask about the stored news articles. /help lists the commands; Ctrl-D quits.\n")
    assert output.count("Sources\n") == 2


def test_piped_cli_answers_one_question_per_line_with_the_real_engine(sample_app, embedder):
    """`newsbot repl` with piped stdin: plain text, the follow-up resolved from the history."""
    questions = "Did the call happen?\nWho denied it?\n\nWhat is the capital of Australia?\n/sources\n"
    result = CliRunner().invoke(cli, ["--config", str(sample_app.config_path), "repl"],
                                input=questions, obj={"embedder": embedder})
    assert result.exit_code == 0, result.output
    # the same answers, asked of the engine directly with the same history, rendered the same way
    engine = sample_app.engine
    first = engine.answer("Did the call happen?")
    second = engine.answer("Who denied it?", [("Did the call happen?", first)])
    third = engine.answer("What is the capital of Australia?",
                          [("Did the call happen?", first), ("Who denied it?", second)])

    def block(answer):
        sources = "".join(f"[{c.n}] {c.title} — {c.source}, {c.published} — {c.where}\n" for c in answer.sources())
        return f"{answer.answer}\n\nSources\n{sources}\n" if sources else f"{answer.answer}\n\n"

    assert result.stdout == block(first) + block(second) + block(third) + "The last answer cites no sources.\n\n"
    assert "\x1b[" not in result.stdout  # no colours when piped
    # what a reader checks: both sides of the call, the denial from the follow-up, an abstention
    assert first.status == "conflict" and "simply false information" in first.answer
    assert "Peskov" in second.answer and second.sources()[0].title == KREMLIN_TITLE
    assert third.status == "not_found" and not third.citations


KREMLIN_TITLE = "Kremlin denies Putin and Trump spoke on the phone"


def test_repl_ingest_adds_an_article_and_the_next_answer_uses_it(embedder, tmp_path):
    """/ingest through the real pipeline refreshes the engine: the new article is answerable."""
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    article = tmp_path / "lighthouse.md"
    article.write_text("---\ntitle: Old lighthouse reopens\nsource: Bay Times\npublished: 2024-11-15\n---\n"
                       "The old Kestrel Point lighthouse reopened on Friday after a two-year restoration "
                       "costing 1.2 million euros.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "repl"],
                                input=f"/ingest {article}\n/docs\nHow much did the lighthouse restoration cost?\n",
                                obj={"embedder": embedder})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Ingested: 1 added"
    assert lines[2].endswith("2024-11-15  Bay Times  Old lighthouse reopens")
    assert "1.2 million euros" in result.output
    assert f"[1] Old lighthouse reopens — Bay Times, 2024-11-15 — {article}" in lines


def test_repl_empty_store_says_how_to_add_articles(embedder, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[store]\npath = "store"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "repl"], input="/docs\nAnything new?\n",
                                obj={"embedder": embedder})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "The store is empty. Add articles with /ingest PATH_OR_URL."
    assert lines[1].startswith("Error: ")  # one line, no traceback
    assert "Traceback" not in result.output


def test_timeline_of_the_last_question_with_the_real_engine(sample_app, embedder):
    """/timeline after a question: the story's dated claims, oldest first; /sources then
    lists the timeline's sources."""
    result = CliRunner().invoke(cli, ["--config", str(sample_app.config_path), "repl"],
                                input="Did the call happen?\n/timeline\n/sources\n",
                                obj={"embedder": embedder})
    assert result.exit_code == 0, result.output
    story = result.stdout.split("dated claims from", 1)[1]
    assert story.index("Sun 10 Nov 2024: The Washington Post") < story.index("Mon 11 Nov 2024: Kremlin spokesman")
    assert "[1] Kremlin denies Putin and Trump spoke on the phone" in story
