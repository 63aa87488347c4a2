"""``newsbot mcp``: a Model Context Protocol server on standard input and output.

Tools (the official MCP Python SDK): ``ask`` returns the answer object of
``newsbot ask --json``; ``timeline`` the same object for a story's dated
claims, oldest first; ``search_articles`` the passages retrieved for a
query (article id, title, source, date, url, passage, offsets, score).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bot.options import config_option, make_app


def build_mcp_server(service: Any):
    """An MCP server whose tools call ``service`` (a :class:`bot.service.Service`)."""
    import anyio
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("newsbot", instructions=(
        "Answers questions about the stored news articles with numbered citations; when sources "
        "disagree the answer has status 'conflict' and cites each side (stance supports/denies)."))

    @server.tool()
    async def ask(question: str, history: list[str] | None = None, k: int | None = None,
                  source: str | None = None, since: str | None = None) -> dict[str, Any]:
        """Answer a question from the stored news articles, with citations.

        history: earlier questions of the conversation, oldest first (for follow-ups).
        source: only articles from this publisher; since: only articles from this date (YYYY-MM-DD).
        Returns {question, status: answered|conflict|not_found, answer (its first line is the
        verdict), citations: [{n, article_id, title, source, published, url, quote, start, end,
        stance: supports|denies|context}], engine, notice, verdict, sides: [{stance, claim,
        attributed_to, citations, independent_sources, outlets, copies, single_source}],
        answers: [{value, count, citations}], timeline: [{date, who, claim, citation}]}.
        """
        return await anyio.to_thread.run_sync(
            lambda: service.ask(question, history or [], k=k, source=source, since=since))

    @server.tool()
    async def timeline(query: str, k: int | None = None, source: str | None = None,
                       since: str | None = None) -> dict[str, Any]:
        """The dated claims of a news story (who said what on which day), oldest first, each cited.

        Returns the object `ask` returns; its `timeline` lists [{date (YYYY-MM-DD), who, claim,
        citation (a citations[].n)}] and its status is not_found when no dated claim was found.
        """
        return await anyio.to_thread.run_sync(
            lambda: service.timeline(query, k=k, source=source, since=since))

    @server.tool()
    async def search_articles(query: str, k: int | None = None, source: str | None = None,
                              since: str | None = None) -> list[dict[str, Any]]:
        """Find the passages of stored articles that best match a query, best first.

        Returns [{article_id, title, source, published, url, passage, start, end, score}].
        """
        return await anyio.to_thread.run_sync(
            lambda: service.search(query, k=k, source=source, since=since))

    return server


@click.command("mcp")
@config_option
@click.pass_context
def mcp_command(ctx: click.Context, config_path: Path | None) -> None:
    """Run a Model Context Protocol server on stdin/stdout (tools: ask, timeline, search_articles).

    Point an MCP client (Claude Desktop, an agent) at the command `newsbot mcp`.
    """
    from bot.service import Service

    app = make_app(ctx, config_path)
    app.preload_store()
    build_mcp_server(Service(app)).run("stdio")
