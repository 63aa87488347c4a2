"""``newsbot repl``: ask questions in a terminal, with follow-ups."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.options import config_option, make_app


def default_history_file() -> Path:
    return Path(click.get_app_dir("newsbot")) / "repl_history"


@click.command()
@click.option("--plain", is_flag=True, help="Plain text, no line editing, even in a terminal.")
@click.option(
    "--history-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where typed lines are remembered (default: newsbot's folder in your user config).",
)
@config_option
@click.pass_context
def repl(ctx: click.Context, plain: bool, history_file: Path | None, config_path: Path | None) -> None:
    """Chat with newsbot: follow-up questions use the conversation so far.

    Commands: /sources (of the last answer), /open N (the passage around
    citation N), /docs, /ingest PATH_OR_URL, /clear (forget the conversation),
    /help, /quit.  Ctrl-C cancels the line, Ctrl-D quits.  With piped input
    (not a terminal) each line is a question or command and the output is
    plain text: the answer, its sources, then a blank line.
    """
    from bot.chat import ingest_runner
    from bot.render import console
    from bot.repl import PromptInput, Repl, StreamInput

    app = make_app(ctx, config_path)
    app.preload_store()  # Chroma's indexes load while the model does
    interactive = not plain and sys.stdin.isatty() and sys.stdout.isatty()
    session = Repl(app.engine, app.library, ingest_runner(app), console(), styled=interactive)
    if interactive:
        lines = PromptInput(history_file or default_history_file())
    else:
        lines = StreamInput(click.get_text_stream("stdin"))
    session.run(lines)
