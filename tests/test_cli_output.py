"""What the CLI prints about sources: names printed literally, `docs list` fitted to the
terminal, skipped files named, a progress bar with a known total, unknown publishers named
(issue 10 point 5, issue 13 points 4, 6 and 7)."""

from __future__ import annotations

import io
import json

import pytest

from tests.conftest import SAMPLE

pytestmark = pytest.mark.embedded_only  # printing does not depend on the store mode

LONG_TITLE = ("Merkel says Germany will host Libya peace conference in Berlin on Sunday amid fears "
              "that the fighting around Tripoli could escalate into a wider regional war")
LONG_SOURCE = "Kulu Media Group International Newsroom"


def article(title: str, source: str = "Wire") -> str:
    return (f"---\ntitle: {title}\nsource: {source}\npublished: 2024-03-05\n---\n"
            f"The council approved the budget on Tuesday after a long debate. ({title})\n")


def test_square_brackets_in_paths_are_printed_literally(run_cli, tmp_path) -> None:
    folder = tmp_path / "d" / "a["
    folder.mkdir(parents=True)
    (folder / "red]x.txt").write_bytes(b"")  # the path reads d/a[/red]x.txt
    (folder / "[bold]y.txt").write_text("Harbour budget\n\nThe council approved the harbour budget.")
    result = run_cli("ingest", "-v", str(tmp_path / "d"))
    assert result.exit_code == 1, result.output  # the empty file failed; no MarkupError
    assert f"failed {folder}/red]x.txt: is empty" in result.stderr
    assert f"added {folder / '[bold]y.txt'}" in result.stderr
    assert "1 added" in result.stderr and "1 failed" in result.stderr


def test_titles_with_markup_are_listed_shown_and_removed_literally(run_cli, tmp_path) -> None:
    title = "Budget [/b] report [bold]:smile:"
    (tmp_path / "budget.md").write_text(article(title, source="[red]Wire"))
    assert run_cli("ingest", str(tmp_path / "budget.md")).exit_code == 0
    listed = run_cli("docs", "list")
    assert listed.exit_code == 0, listed.output
    assert title in listed.stdout and "[red]Wire" in listed.stdout
    article_id = json.loads(run_cli("docs", "list", "--json").stdout)[0]["id"]
    shown = run_cli("docs", "show", article_id)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[0] == title and "source: [red]Wire" in shown.stdout
    removed = run_cli("docs", "remove", article_id)
    assert removed.exit_code == 0 and repr(title) in removed.stdout


@pytest.mark.parametrize("columns", [80, 120])
def test_docs_list_keeps_titles_readable_at_any_width(run_cli, tmp_path, columns: int) -> None:
    (tmp_path / "long.md").write_text(article(LONG_TITLE, LONG_SOURCE))
    (tmp_path / "short.md").write_text(article("Ferry returns", "Harbour Gazette"))
    assert run_cli("ingest", str(tmp_path / "long.md"), str(tmp_path / "short.md")).exit_code == 0
    table = run_cli("docs", "list", env={"COLUMNS": str(columns)}).stdout
    lines = table.splitlines()[:-1]  # the last line names the store folder
    assert all(len(line) <= columns for line in lines), table
    assert lines[0].split() == ["id", "date", "source", "chunks", "title"]
    title_at = lines[0].index("title")
    assert title_at <= columns * 3 // 5  # the title column has at least two fifths of the width
    title_text = " ".join(line[title_at:].strip() for line in lines[1:])
    assert LONG_TITLE in title_text and "Ferry returns" in title_text
    assert "Kulu Media" in table  # the source gives way (shortened), but stays


def test_skipped_files_are_named_with_v_counted_in_the_summary_and_in_json(run_cli, tmp_path) -> None:
    tmp_path = tmp_path / "articles"  # beside the store
    tmp_path.mkdir()
    (tmp_path / "story.txt").write_text("Harbour budget\n\nThe council approved the harbour budget.")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(range(256)))
    verbose = run_cli("ingest", "-v", str(tmp_path))
    assert f"skipped {noise}: not read: .bin files are not an article format" in verbose.stderr
    assert "1 skipped;" in verbose.stderr
    quiet = run_cli("ingest", str(tmp_path))
    assert str(noise) not in quiet.stderr and "1 skipped (not article files; -v names them)" in quiet.stderr
    summary = json.loads(run_cli("ingest", "--json", str(tmp_path)).stdout)
    assert summary["skipped"] == 1
    assert summary["skipped_files"] == [{"source": str(noise), "reason": "not read: .bin files are not an article format"}]


def test_the_progress_bar_knows_its_total(embedder, tmp_path) -> None:
    from rich.console import Console

    from bot.app import App
    from bot.config import load_config
    from bot.ingest_cmd import _with_progress
    from ingest.readers import ReadLog, iter_articles

    (tmp_path / "a.txt").write_text("Harbour budget\n\nThe council approved the harbour budget.")
    (tmp_path / "b.json").write_text(json.dumps([{"title": f"Ferry {n}", "text": f"Ferry {n} runs again."}
                                                 for n in range(3)]))
    app = App(load_config(None, environ={"NEWSBOT_STORE_PATH": str(tmp_path / "store")}), embedder=embedder)
    screen = io.StringIO()
    err = Console(file=screen, force_terminal=True, width=100)
    log = ReadLog()
    summary = _with_progress(app.ingestor(), iter_articles([str(tmp_path)], app.reader_options(), log),
                             [str(tmp_path)], log, err)
    assert summary.count("added") == 4
    assert "4/4" in screen.getvalue() and "/?" not in screen.getvalue()


def test_an_unknown_publisher_is_named_with_the_known_ones(run_cli) -> None:
    assert run_cli("ingest", str(SAMPLE)).exit_code == 0
    unknown = run_cli("ask", "Did the call happen?", "--source", "Nonexistent Times")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: --source 'Nonexistent Times': no stored article is from that "
                                     "publisher; known publishers: 'AFP', 'Coastal Herald'")
    close = run_cli("ask", "Did the call happen?", "--source", "Valley Courrier")
    assert close.exit_code == 1 and "did you mean 'Valley Courier'?" in close.stderr
    fine = run_cli("ask", "Did the call happen?", "--source", "afp")
    assert fine.exit_code == 0, fine.output
