"""Bad input at scale and smaller reader faults (issue 10 point 6, issue 13 points 6 and 7):
many bad records are one error line, caps on titles and records say what they cut,
folder walks name what they skip, JSON errors are whole, JSON Feed is a feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.readers import ReaderOptions, ReadLog, Skipped, count_hint, iter_articles
from ingest.types import RawArticle
from retrieval.common.errors import SourceError


def read(path: Path, log: ReadLog | None = None, **options: object) -> list[RawArticle | SourceError]:
    return list(iter_articles([str(path)], ReaderOptions(allow_urls=False, **options), log))


def test_a_json_array_of_many_non_objects_is_one_error_line_with_a_count(tmp_path: Path) -> None:
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps(list(range(50_000))))
    log = ReadLog()
    results = read(path, log, max_records=100_000)
    assert len(results) == 1
    assert str(results[0]) == f"{path}: 50,000 records are not JSON objects (#0, #1, #2 and 49,997 more)"
    assert log.warnings == []


def test_good_records_go_in_beside_one_line_for_the_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([{"title": "Good", "text": "Fine text."}, 1, 2, {"title": "No text"}, 3]))
    results = read(path)
    assert [type(r) for r in results] == [RawArticle, SourceError, SourceError]
    assert str(results[1]) == f"{path}: 3 records are not JSON objects (#1, #2, #4)"
    assert str(results[2]) == f"{path}#3: record has no text (expected text, body or content)"


def test_records_past_the_cap_are_left_out_with_a_warning_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"title": f"T{n}", "text": f"Text {n}."}) + "\n" for n in range(30)))
    log = ReadLog()
    results = read(path, log, max_records=10)
    assert [r.title for r in results] == [f"T{n}" for n in range(10)]
    assert log.warnings == [f"{path}: holds 30 lines; only the first 10 were read ([ingest] max_records)"]


def test_a_huge_title_is_cut_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"title": "Budget " * 500_000, "text": "The council passed the budget."}))
    [article] = read(path, max_title_chars=300)
    assert len(article.title) <= 300 and article.title.endswith("…") and article.title.startswith("Budget Budget")
    assert article.warnings == ["title of 3,499,999 characters cut to 300 ([ingest] max_title_chars)"]


def test_a_jsonl_error_is_not_cut_mid_phrase(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"title": "A", "text": "Alpha."}\n{"title": "unterminated\n')
    results = read(path)
    assert str(results[1]) == f"{path}#1: line 2 is not valid JSON (Unterminated string starting at column 11)"


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"title": "x",\n "text": }')
    [error] = read(path)
    assert str(error) == f"{path}: not valid JSON (Expecting value at line 2, column 10)"


@pytest.mark.parametrize("version", ["1", "1.1"])
def test_json_feed_items_are_articles(tmp_path: Path, version: str) -> None:
    author = {"author": {"name": "Ann Writer"}} if version == "1" else {"authors": [{"name": "Ann Writer"}]}
    feed = {
        "version": f"https://jsonfeed.org/version/{version}",
        "title": "Harbour Gazette",
        "home_page_url": "https://gazette.example/",
        "items": [
            {"id": "1", "url": "https://gazette.example/ferry", "title": "Ferry returns",
             "content_html": "<p>The ferry to the island runs again from Monday.</p><p>Tickets cost less.</p>",
             "date_published": "2024-03-05T10:00:00Z", **author},
            {"id": "2", "title": "Quay works", "content_text": "Works on the quay start in May.\nThey last a year."},
        ],
    }
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed))
    first, second = read(path)
    assert first.title == "Ferry returns" and first.source == "Harbour Gazette"
    assert first.text == "The ferry to the island runs again from Monday.\n\nTickets cost less."
    assert first.url == first.location == "https://gazette.example/ferry"
    assert first.published == "2024-03-05T10:00:00+00:00" and first.author == "Ann Writer"
    assert second.text == "Works on the quay start in May.\nThey last a year." and second.location == "2"


def test_a_folder_walk_names_the_files_it_skips(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("Story\n\nText.")
    (tmp_path / "noise.bin").write_bytes(bytes(range(256)))
    (tmp_path / "README").write_text("not an article")
    (tmp_path / ".hidden.bin").write_bytes(b"\x00")  # hidden files are passed over in silence
    log = ReadLog()
    results = read(tmp_path, log)
    assert [r.title for r in results] == ["Story"]
    assert log.skipped == [
        Skipped(str(tmp_path / "README"), "not read: files without an extension are not an article format"),
        Skipped(str(tmp_path / "noise.bin"), "not read: .bin files are not an article format"),
    ]


def test_the_count_hint_is_corrected_as_files_turn_out_to_hold_more(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A\n\na")
    (tmp_path / "b.json").write_text(json.dumps([{"text": "one"}, {"text": "two"}, {"text": "three"}]))
    more: list[int] = []
    results = list(iter_articles([str(tmp_path)], ReaderOptions(), ReadLog(on_more=more.append)))
    assert count_hint([str(tmp_path)]) + sum(more) == len(results) == 4
