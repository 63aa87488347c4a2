"""The local REPL: questions and follow-ups in a terminal, a thin adapter over
:meth:`retrieval.engine.engine.AnswerEngine.answer`.

A :class:`Repl` holds one session (its history and last answer) and writes
to a rich ``Console``; it reads lines from any object with a ``read()``
method: :class:`PromptInput` (prompt_toolkit: line editing, history,
completion of the commands) in a terminal, :class:`StreamInput` for piped
questions.  ``read()`` raises ``EOFError`` at the end (Ctrl-D) and
``KeyboardInterrupt`` for Ctrl-C, which only cancels the current line.
"""

from __future__ import annotations

import logging
import shlex
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence, TextIO

from rich.console import Console
from rich.text import Text

from retrieval.engine.answer import Answer
from retrieval.common.errors import NewsbotError
from retrieval.engine.interface import Engine
from retrieval.index.library import Library

from bot.chat import IngestReport, Turn, nice_date, passage_around
from bot.render import render_terminal_answer, terminal_source_line

log = logging.getLogger(__name__)

PROMPT = "newsbot> "


class LineInput(Protocol):
    def read(self) -> str: ...


class StreamInput:
    """Lines from a stream (piped stdin); ``EOFError`` at its end."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def read(self) -> str:
        line = self.stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")


class PromptInput:
    """prompt_toolkit line editing with a persistent history and command completion."""

    def __init__(self, history_file: Path | None = None, *, input: Any = None, output: Any = None):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.completion import WordCompleter
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        if history_file is not None:
            history_file.parent.mkdir(parents=True, exist_ok=True)
            history = FileHistory(str(history_file))
        else:
            history = InMemoryHistory()
        self.session = PromptSession(
            history=history,
            completer=WordCompleter(sorted(COMMANDS), sentence=True),
            complete_while_typing=False,
            input=input,
            output=output,
        )

    def read(self) -> str:
        return self.session.prompt(PROMPT)


class Repl:
    """One conversation: questions go to the engine with the history so far."""

    def __init__(
        self,
        engine: Engine,
        library: Library,
        ingest: Callable[[Sequence[str]], IngestReport],
        out: Console,
        *,
        styled: bool = True,
        max_turns: int = 10,
    ):
        self.engine = engine
        self.library = library
        self.ingest_sources = ingest
        self.out = out
        self.styled = styled
        self.max_turns = max_turns
        self.history: list[Turn] = []
        self.last: Answer | None = None

    # -- the loop ---------------------------------------------------------------------
    def run(self, lines: LineInput) -> None:
        """Read and handle lines until /quit or the end of input (Ctrl-D)."""
        if self.styled:
            self.out.print(Text("Ask about the stored news articles. /help lists the commands; Ctrl-D quits.",
                                style="dim"))
        while True:
            try:
                line = lines.read()
            except KeyboardInterrupt:  # Ctrl-C: forget the line being typed
                continue
            except EOFError:  # Ctrl-D or the end of piped input
                break
            if not self.handle(line):
                break

    def handle(self, line: str) -> bool:
        """Answer a question or run a command; ``False`` means quit."""
        line = line.strip()
        if not line:
            return True
        try:
            if line.startswith("/"):
                return self.command(line)
            self.ask(line)
        except KeyboardInterrupt:
            self.out.print("(cancelled)")
        except NewsbotError as exc:
            self.error(str(exc))
        except Exception as exc:  # noqa: BLE001 - keep the session alive
            log.debug("REPL command failed", exc_info=True)
            self.error(f"unexpected {type(exc).__name__}: {exc}")
        return True

    def ask(self, question: str) -> None:
        streamed: list[str] = []
        options = {}
        if getattr(self.engine, "streams", False):  # a generative engine: verified text as it comes
            def show(piece: str) -> None:
                streamed.append(piece)
                self.out.print(Text(piece), end="")

            options["on_text"] = show
        answer = self.engine.answer(question, list(self.history), **options)
        self.history = [*self.history, (question, answer)][-self.max_turns:]
        self.last = answer
        render_terminal_answer(self.out, answer, shown="".join(streamed))
        self.out.print()

    def command(self, line: str) -> bool:
        try:
            name, *args = shlex.split(line)
        except ValueError as exc:
            raise NewsbotError(f"cannot read that command: {exc}") from None
        handler = COMMANDS.get(name.lower())
        if handler is None:
            raise NewsbotError(f"unknown command {name}; /help lists the commands")
        return handler(self, args) is not False

    def error(self, message: str) -> None:
        self.out.print(Text(f"Error: {message}", style="red" if self.styled else ""))

    # -- commands (the first docstring line is the help text) ------------------------------
    def cmd_sources(self, args: list[str]) -> None:
        """/sources — the sources of the last answer."""
        if self.last is None:
            raise NewsbotError("no answer yet: ask a question first")
        sources = self.last.sources()
        if not sources:
            self.out.print("The last answer cites no sources.")
        for c in sources:
            self.out.print(Text(f"[{c.n}] ", style="bold") + Text(terminal_source_line(c)))
        self.out.print()

    def cmd_open(self, args: list[str]) -> None:
        """/open N — the full passage around citation N of the last answer."""
        if self.last is None:
            raise NewsbotError("no answer yet: ask a question first")
        if len(args) != 1 or not args[0].isdigit():
            raise NewsbotError("usage: /open N, where N is a source number of the last answer")
        n = int(args[0])
        cited = [c for c in self.last.citations if c.n == n]
        if not cited:
            raise NewsbotError(f"the last answer has no source [{n}]; /sources lists them")
        article = self.library.article(cited[0].article_id)
        text = article.text or ""
        head = Text(f"[{n}] ", style="bold") + Text(terminal_source_line(cited[0]))
        self.out.print(head)
        spans: list[tuple[int, int]] = []
        for c in sorted(cited, key=lambda c: c.start):
            begin, end = passage_around(text, c.start, c.end)
            if spans and begin <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((begin, end))
        for begin, end in spans:
            passage = Text(text[begin:end])
            for c in cited:
                if begin <= c.start and c.end <= end:
                    passage.stylize("bold yellow", c.start - begin, c.end - begin)
            self.out.print()
            self.out.print(passage)
        self.out.print()

    def cmd_timeline(self, args: list[str]) -> None:
        """/timeline [QUERY] — the dated claims of a story (default: the last question's)."""
        query = " ".join(args).strip()
        if not query:
            if self.last is None:
                raise NewsbotError("usage: /timeline QUERY (or ask a question first)")
            query = self.last.resolved_question
        answer = self.engine.timeline(query)
        self.last = answer  # /sources and /open N now refer to the timeline's quotes
        render_terminal_answer(self.out, answer)
        self.out.print()

    def cmd_docs(self, args: list[str]) -> None:
        """/docs — the stored articles, newest first."""
        articles = self.library.articles()
        if not articles:
            self.out.print("The store is empty. Add articles with /ingest PATH_OR_URL.")
            return
        width = max(len(a.source or "") for a in articles)
        for a in articles:
            self.out.print(Text(f"{a.id[:12]}  {nice_date(a.published):10}  ", style="dim")
                           + Text(f"{a.source or '':{width}}  {a.title}"))
        self.out.print(f"{len(articles)} articles")
        self.out.print()

    def cmd_ingest(self, args: list[str]) -> None:
        """/ingest PATH_OR_URL — add files, folders, feeds or URLs to the store."""
        if not args:
            raise NewsbotError("usage: /ingest PATH_OR_URL [...]")
        report = self.ingest_sources(args)
        self.out.print(f"Ingested: {report.line()}")
        self.out.print()

    def cmd_clear(self, args: list[str]) -> None:
        """/clear — forget the conversation: the next question starts afresh."""
        self.history = []
        self.last = None
        self.out.print("History cleared.")
        self.out.print()

    def cmd_help(self, args: list[str]) -> None:
        """/help — this list."""
        self.out.print("Type a question; follow-up questions use the conversation so far.")
        for handler in dict.fromkeys(COMMANDS.values()):
            self.out.print(f"  {(handler.__doc__ or '').splitlines()[0]}")
        self.out.print("  Ctrl-C cancels the current line; Ctrl-D quits.")
        self.out.print()

    def cmd_quit(self, args: list[str]) -> bool:
        """/quit — leave (Ctrl-D too)."""
        return False


COMMANDS: dict[str, Callable[[Repl, list[str]], Any]] = {
    "/sources": Repl.cmd_sources,
    "/open": Repl.cmd_open,
    "/timeline": Repl.cmd_timeline,
    "/docs": Repl.cmd_docs,
    "/ingest": Repl.cmd_ingest,
    "/clear": Repl.cmd_clear,
    "/help": Repl.cmd_help,
    "/quit": Repl.cmd_quit,
    "/exit": Repl.cmd_quit,
}
