"""Property tests of ingest.readers: whatever the input, only articles or
SourceErrors come out, and nothing is raised."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.readers import ReaderOptions, iter_articles
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

EXTENSIONS = [".txt", ".md", ".html", ".json", ".jsonl", ".xml", ""]

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Bytes that look a little like the formats, so that parsers get past their
# first character now and then, mixed with plain arbitrary bytes.
_FRAGMENTS = st.sampled_from(
    [
        b"---\n", b"title: x\n", b"# ", b"\n", b"\r\n", b"{", b"}", b"[", b"]", b'"text": "a"', b",",
        b"<html>", b"<p>", b"</p>", b"<?xml version='1.0'?>", b"<rss><channel>", b"<item><title>t</title>",
        b"<description>d</description></item>", b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>",
        b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\x81", "é".encode(), "é".encode("cp1252"),
    ]
)
CONTENT = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=20)), max_size=40).map(b"".join),
    st.text(max_size=1000).map(str.encode),
)


def check(results: list) -> None:
    """Only articles and one-line SourceErrors; articles have text."""
    for result in results:
        assert isinstance(result, (RawArticle, SourceError)), result
        if isinstance(result, SourceError):
            assert "\n" not in str(result)
        else:
            assert result.text.strip() and isinstance(result.title, str) and result.location


def options() -> ReaderOptions:
    # No fetcher and no URLs: a fuzzed feed must never reach the network.
    return ReaderOptions(allow_urls=False, max_bytes=100_000)


@pytest.mark.parametrize("extension", EXTENSIONS)
@FUZZ
@given(content=CONTENT)
def test_files_of_any_content(tmp_path: Path, extension: str, content: bytes) -> None:
    path = tmp_path / f"fuzz{extension}"
    path.write_bytes(content)
    check(list(iter_articles([str(path)], options())))


@FUZZ
@given(content=CONTENT)
def test_stdin_of_any_content(content: bytes) -> None:
    check(list(iter_articles(["-"], ReaderOptions(allow_urls=False, stdin=io.BytesIO(content)))))


@FUZZ
@given(text=st.text(max_size=500))
def test_any_text_in_a_text_file_is_kept_verbatim(tmp_path: Path, text: str) -> None:
    path = tmp_path / "any.txt"
    path.write_bytes(text.encode("utf-8"))
    results = list(iter_articles([str(path)], options()))
    check(results)
    for result in results:
        if isinstance(result, RawArticle):
            # The body is a verbatim piece of the input (line endings aside).
            assert result.text in text.replace("\r\n", "\n").replace("\r", "\n")


@FUZZ
@given(records=st.lists(st.dictionaries(st.sampled_from(["title", "text", "body", "url", "date", "authors"]),
                                         st.one_of(st.none(), st.integers(), st.text(max_size=30),
                                                   st.lists(st.text(max_size=10), max_size=3))),
                        max_size=5))
def test_any_json_records(tmp_path: Path, records: list) -> None:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    results = list(iter_articles([str(path)], options()))
    check(results)
    if records:  # each record is an article or counted in an error line (a count when several)
        counts = [int(m.group(1)) if (m := re.search(r": (\d+) records ", str(r))) else 1 for r in results]
        assert sum(counts) == len(records)


@FUZZ
@given(spec=st.text(max_size=60))
def test_any_spec(spec: str) -> None:
    check(list(iter_articles([spec], options())))
