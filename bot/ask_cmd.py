"""``newsbot ask QUESTION``"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from retrieval.common.errors import NewsbotError
from retrieval.engine.interface import Engine

from bot.options import config_option, make_app
from bot.publishers import check_source
from bot.render import console, echo_json, render_terminal_answer


@click.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@click.option("--k", type=click.IntRange(min=1), default=None, help="Articles to retrieve (default: [retrieval] k).")
@click.option("--source", default=None, help="Only use articles from this publisher (case-insensitive).")
@click.option("--since", default=None, help="Only use articles published on or after this date (YYYY-MM-DD).")
@click.option(
    "--batch",
    type=click.File("rb"),  # decoded line by line: one bad line does not stop the others
    default=None,
    help="Answer one question per line of FILE (- for stdin; JSONL records with a 'question' "
    "field also work), printing one JSON object per line.",
)
@config_option
@click.pass_context
def ask(ctx, question, as_json, k, source, since, batch, config_path: Path | None) -> None:
    """Answer a question from the stored articles, with numbered citations.

    When the articles disagree, the answer says so and cites each side.
    """
    if (question is None) == (batch is None):
        raise click.UsageError("give a QUESTION or --batch FILE (not both)")
    app = make_app(ctx, config_path)
    check_source(app.library, source)
    app.preload_store()  # Chroma's indexes load while the model does
    engine = app.engine
    options = {"k": k, "source": source, "since": since}
    if batch is not None:
        _answer_batch(engine, batch, options)
        return
    answer = engine.answer(question, **options)
    if as_json:
        echo_json(answer.to_dict())
    else:
        render_terminal_answer(console(), answer)


def _answer_batch(engine: Engine, lines, options) -> None:
    """Answer every good line; name each bad one on stderr (exit code 1 when any was bad)."""
    failed = False
    for number, raw in enumerate(lines, 1):
        question, problem = _batch_question(raw)
        if problem:
            click.echo(f"Error: line {number}: {problem}", err=True)
            failed = True
            continue
        if not question:
            continue
        try:
            answer = engine.answer(question, **options)
        except NewsbotError as exc:
            click.echo(f"Error: line {number}: {exc}", err=True)
            failed = True
            continue
        echo_json(answer.to_dict())
        sys.stdout.flush()
    if failed:
        sys.exit(1)


def _batch_question(raw: bytes) -> tuple[str, str | None]:
    """The question on one line of a batch file (``""`` for a blank line), or why there is none."""
    try:
        text = raw.decode("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8").strip()
    except UnicodeDecodeError as exc:
        return "", f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
    if not text.startswith("{"):
        return text, None
    try:
        record = json.loads(text)
    except ValueError:
        return "", "not a JSON record with a 'question' field"
    question = record.get("question") if isinstance(record, dict) else None
    if not isinstance(question, str) or not question.strip():
        return "", f"'question' must be a non-empty string (got {json.dumps(question)})"
    return question, None
