"""Tests of ingest.readers: every format, its metadata, and every bad input."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.fetch import Fetcher
from ingest.readers import ReaderOptions, count_hint, html_to_text, iter_articles, normalize_date
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

ARTICLE_HTML = """<!DOCTYPE html>
<html><head>
<title>Flood hits river town | Daily Courier</title>
<meta name="author" content="Jane Roe">
<meta property="og:site_name" content="Daily Courier">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://courier.example/flood">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<article>
<h1>Flood hits river town</h1>
<p>The river rose three metres overnight, forcing hundreds of residents to leave
their homes in the early hours of Tuesday morning.</p>
<p>Emergency services said no one had been hurt, but warned that more rain was
expected later in the week and asked people to stay away from the banks.</p>
<p>The mayor said the town hall would stay open as a shelter for as long as needed.</p>
</article>
<footer>Copyright Daily Courier</footer>
</body></html>
"""

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def read(*specs: str, **options: object) -> list[RawArticle | SourceError]:
    return list(iter_articles(list(specs), ReaderOptions(**options)))


def only_error(results: list[RawArticle | SourceError], names: str) -> SourceError:
    """The single result, which must be a one-line SourceError naming ``names``."""
    assert len(results) == 1, results
    error = results[0]
    assert isinstance(error, SourceError), error
    assert names in str(error) and "\n" not in str(error)
    return error


def only_article(results: list[RawArticle | SourceError]) -> RawArticle:
    assert len(results) == 1, results
    assert isinstance(results[0], RawArticle), results[0]
    return results[0]


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[str, dict[str, tuple[str, bytes]]]]:
    """A local web server serving ``pages``: path -> (content type, body)."""
    pages: dict[str, tuple[str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

        def do_GET(self) -> None:
            content_type, body = pages.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", pages
    httpd.shutdown()
    httpd.server_close()


# --- text and Markdown ------------------------------------------------------


def test_text_file_first_line_is_the_title(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"\n\n  Storm warning issued  \r\n\r\nWinds of 100 km/h are expected.\r\nStay inside.\r\n\n")
    article = only_article(read(str(path)))
    assert article.title == "Storm warning issued"
    assert article.text == "Winds of 100 km/h are expected.\nStay inside."
    assert article.location == article.path == str(path)
    assert article.source is None and article.published is None and article.warnings == []


def test_markdown_heading_is_stripped_from_the_title(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("# Budget passes\n\nThe budget passed *narrowly* on Monday.\n\n## Reactions\nMixed.\n")
    article = only_article(read(str(path)))
    assert article.title == "Budget passes"
    assert article.text == "The budget passed *narrowly* on Monday.\n\n## Reactions\nMixed."


def test_front_matter_gives_the_metadata(tmp_path: Path) -> None:
    path = tmp_path / "fm.md"
    path.write_text(
        "---\n"
        'title: "Council approves bridge"\n'
        "source: The Gazette\n"
        "date: 2024-02-29\n"
        "author: Sam Lee\n"
        "url: https://gazette.example/bridge\n"
        "tags: ignored\n"
        "---\n"
        "# Not the title\n\n"
        "The council voted 7-2 in favour.\n"
    )
    article = only_article(read(str(path)))
    assert article.title == "Council approves bridge"
    assert article.source == "The Gazette"
    assert article.published == "2024-02-29"
    assert article.author == "Sam Lee"
    assert article.url == "https://gazette.example/bridge"
    assert article.text == "# Not the title\n\nThe council voted 7-2 in favour."
    assert article.location == str(path)


def test_unclosed_or_unusual_front_matter_is_body_text(tmp_path: Path) -> None:
    path = tmp_path / "rule.txt"
    path.write_text("---\nThis is just a line of prose, not a field\n---\nBody.\n")
    article = only_article(read(str(path)))
    assert article.text == "This is just a line of prose, not a field\n---\nBody."


def test_a_single_line_is_title_and_text(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("Markets closed higher on Friday.\n")
    article = only_article(read(str(path)))
    assert article.title == article.text == "Markets closed higher on Friday."


def test_a_long_first_line_stays_in_the_text(tmp_path: Path) -> None:
    paragraph = "word " * 100
    path = tmp_path / "long.txt"
    path.write_text(paragraph + "\nSecond paragraph.")
    article = only_article(read(str(path)))
    assert article.text.startswith("word word")
    assert article.text.endswith("Second paragraph.")
    assert article.title.endswith("…") and len(article.title) < 130


def test_cp1252_text_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Café prices\n\nA café raised prices by 10 €.".encode("cp1252"))
    article = only_article(read(str(path)))
    assert article.title == "Café prices"
    assert article.text == "A café raised prices by 10 €."
    assert article.warnings == ["not valid UTF-8; decoded as cp1252 (guessed)"]


def test_undecodable_text_is_replaced_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(b"Title\n\nBad byte \x81 here.")
    article = only_article(read(str(path)))
    assert article.text == "Bad byte \ufffd here."
    assert article.warnings == ["not valid UTF-8; undecodable bytes replaced"]


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffHeadline\n\nBody.".encode())
    article = only_article(read(str(path)))
    assert article.title == "Headline" and article.warnings == []


def test_an_explicit_file_of_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    text_file = tmp_path / "README"
    text_file.write_text("Notes\n\nSome notes.")
    binary_file = tmp_path / "image.dat"
    binary_file.write_bytes(PNG_BYTES)
    article = only_article(read(str(text_file)))
    assert article.title == "Notes"
    only_error(read(str(binary_file)), str(binary_file))


# --- HTML -------------------------------------------------------------------


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "flood.html"
    path.write_text(ARTICLE_HTML)
    article = only_article(read(str(path)))
    assert article.title == "Flood hits river town"
    assert article.author == "Jane Roe"
    assert article.source == "Daily Courier"
    assert article.published == "2024-03-05T10:00:00+00:00"  # the time the page states, kept
    assert article.url == "https://courier.example/flood"
    assert article.location == article.path == str(path)
    assert "forcing hundreds of residents" in article.text
    assert "Home" not in article.text and "Copyright" not in article.text


def test_html_without_article_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title>x</title></head><body><div></div></body></html>")
    only_error(read(str(path)), str(path))


def test_html_meta_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    html = ARTICLE_HTML.replace("<head>", '<head><meta charset="iso-8859-1">').replace("river town", "rivière town")
    path.write_bytes(html.encode("iso-8859-1"))
    article = only_article(read(str(path)))
    assert article.title == "Flood hits rivière town" and article.warnings == []


# --- JSON and JSON Lines ----------------------------------------------------


def test_json_list_fields_and_record_error_isolation(tmp_path: Path) -> None:
    path = tmp_path / "articles.json"
    records = [
        {
            "title": "First",
            "body": "Body one.",
            "url": "https://news.example/1",
            "published_at": "Tue, 05 Mar 2024 10:00:00 GMT",
            "publisher": {"name": "Wire"},
            "authors": ["Ann", "Bob"],
        },
        {"title": "No text here"},
        {"content": "Untitled body.\nSecond line.", "date": "March 5, 2024", "source": "Post"},
        "not an object",
    ]
    path.write_text(json.dumps(records))
    results = read(str(path))
    assert [type(r) for r in results] == [RawArticle, SourceError, RawArticle, SourceError]
    first, missing, third, not_object = results
    assert first.location == first.url == "https://news.example/1"
    assert first.text == "Body one." and first.title == "First"
    assert first.published == "2024-03-05T10:00:00+00:00"
    assert first.source == "Wire" and first.author == "Ann, Bob"
    assert first.path == str(path)
    assert str(missing).startswith(f"{path}#1: ") and "no text" in str(missing)
    assert third.location == f"{path}#2"
    assert third.title == "Untitled body." and third.published == "2024-03-05"
    assert str(not_object).startswith(f"{path}#3: ")


@pytest.mark.parametrize(
    "document",
    [{"text": "Solo article.", "title": "Solo"}, {"articles": [{"text": "Solo article.", "title": "Solo"}]}],
)
def test_json_object_and_articles_wrapper(tmp_path: Path, document: dict) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(document))
    article = only_article(read(str(path)))
    assert article.title == "Solo" and article.location == f"{path}#0"


def test_jsonl_records_and_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text('{"title": "A", "text": "Alpha."}\n\n{oops\n{"title": "C", "text": "Gamma."}\n')
    results = read(str(path))
    assert [type(r) for r in results] == [RawArticle, SourceError, RawArticle]
    assert results[0].location == f"{path}#0"
    assert str(results[1]).startswith(f"{path}#1: line 3 is not valid JSON")
    assert results[2].text == "Gamma." and results[2].location == f"{path}#2"


def test_invalid_json_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"title": "x", ')
    assert "not valid JSON" in str(only_error(read(str(path)), str(path)))


# --- feeds ------------------------------------------------------------------


def rss(items: str, title: str = "Example News") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>{title}</title><link>https://news.example/</link>
<description>News</description>{items}</channel></rss>"""


LONG_CONTENT = "<p>" + "The committee heard evidence from twelve witnesses. " * 12 + "</p>"


def test_rss_entries_become_articles(tmp_path: Path) -> None:
    path = tmp_path / "news.rss"
    path.write_text(rss(f"""
<item><title>Full story</title><link>https://news.example/full</link>
<dc:creator>Ann Writer</dc:creator><pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
<description>Short teaser.</description><content:encoded><![CDATA[{LONG_CONTENT}]]></content:encoded></item>
<item><title>Summary only</title><guid isPermaLink="false">item-2</guid>
<description>&lt;p&gt;Just a &lt;b&gt;summary&lt;/b&gt;.&lt;/p&gt;</description></item>
"""))
    full, summary = read(str(path))
    assert full.title == "Full story" and full.url == full.location == "https://news.example/full"
    assert full.author == "Ann Writer" and full.source == "Example News"
    assert full.published == "2024-03-05T10:00:00+00:00"
    assert full.text.startswith("The committee heard evidence") and "<p>" not in full.text
    assert full.path == str(path)
    assert summary.text == "Just a summary." and summary.location == "item-2"
    assert summary.warnings == []


def test_atom_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.atom"
    path.write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Times</title><id>urn:x</id>
<updated>2024-03-06T08:30:00Z</updated>
<entry><title>Atom entry</title><link href="https://atom.example/e1"/><id>urn:e1</id>
<updated>2024-03-06T08:30:00+01:00</updated><author><name>Bo</name></author>
<content type="html">&lt;p&gt;First paragraph.&lt;/p&gt;&lt;p&gt;Second paragraph.&lt;/p&gt;</content></entry>
</feed>""")
    article = only_article(read(str(path)))
    assert article.title == "Atom entry" and article.source == "Atom Times"
    assert article.text == "First paragraph.\n\nSecond paragraph."
    assert article.published == "2024-03-06T07:30:00+00:00"
    assert article.author == "Bo" and article.url == "https://atom.example/e1"


def test_summary_only_entry_gets_the_linked_page(tmp_path: Path, web: tuple) -> None:
    base, pages = web
    pages["/flood"] = ("text/html; charset=utf-8", ARTICLE_HTML.encode())
    path = tmp_path / "feed.xml"
    path.write_text(rss(f"""
<item><title>Flood (feed title)</title><link>{base}/flood</link>
<description>A short summary.</description></item>
<item><title>Gone</title><link>{base}/missing</link>
<description>Summary of a missing page.</description></item>"""))
    fetched, fallback = read(str(path), fetcher=Fetcher(allow_private=True, timeout=5))
    assert "forcing hundreds of residents" in fetched.text
    assert fetched.title == "Flood (feed title)" and fetched.source == "Example News"
    assert fetched.author == "Jane Roe" and fetched.url == fetched.location == f"{base}/flood"
    assert fetched.warnings == []
    assert fallback.text == "Summary of a missing page."
    assert len(fallback.warnings) == 1 and "HTTP 404" in fallback.warnings[0]


def test_summary_only_entry_is_not_fetched_when_urls_are_disabled(tmp_path: Path, web: tuple) -> None:
    base, pages = web
    pages["/flood"] = ("text/html", ARTICLE_HTML.encode())
    path = tmp_path / "feed.xml"
    path.write_text(rss(f"<item><title>T</title><link>{base}/flood</link><description>Teaser.</description></item>"))
    article = only_article(read(str(path), allow_urls=False, fetcher=Fetcher(allow_private=True)))
    assert article.text == "Teaser."


def test_malformed_feed_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel><title>x</title><item><title>unclosed")
    only_error(read(str(path)), str(path))


# --- URLs -------------------------------------------------------------------


def test_url_html_page(web: tuple) -> None:
    base, pages = web
    pages["/story"] = ("text/html", ARTICLE_HTML.encode())
    article = only_article(read(f"{base}/story", fetcher=Fetcher(allow_private=True)))
    assert article.location == article.url == f"{base}/story"
    assert article.title == "Flood hits river town" and article.path is None


def test_url_feed_is_sniffed(web: tuple) -> None:
    base, pages = web
    pages["/rss"] = ("text/xml", rss("<item><title>T</title><description>Feed text.</description></item>").encode())
    article = only_article(read(f"{base}/rss", fetcher=Fetcher(allow_private=True)))
    assert article.text == "Feed text." and article.location == f"{base}/rss#0"


def test_urls_can_be_disabled() -> None:
    error = only_error(read("https://news.example/a", allow_urls=False), "https://news.example/a")
    assert error.reason == "URL fetching is disabled ([ingest] allow_urls)"


def test_refused_url_is_a_source_error() -> None:
    only_error(read("http://127.0.0.1:9/x"), "http://127.0.0.1:9/x")


def test_unsupported_scheme_is_a_source_error() -> None:
    only_error(read("ftp://news.example/a.txt"), "ftp://news.example/a.txt")


# --- stdin ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "title", "text"),
    [
        (b"Headline\n\nPlain body.", "Headline", "Plain body."),
        (b'{"title": "J", "text": "From JSON."}', "J", "From JSON."),
        (b'{"title": "L1", "text": "One."}\n{"title": "L2", "text": "Two."}\n', "L1", "One."),
        (ARTICLE_HTML.encode(), "Flood hits river town", None),
        (rss("<item><title>R</title><description>Feed.</description></item>").encode(), "R", "Feed."),
        (b"[Updated] Storm\n\nStill text.", "[Updated] Storm", "Still text."),
    ],
)
def test_stdin_is_sniffed(content: bytes, title: str, text: str | None) -> None:
    results = read("-", stdin=io.BytesIO(content))
    article = results[0]
    assert isinstance(article, RawArticle)
    assert article.title == title
    if text is not None:
        assert article.text == text
    assert article.location.startswith("stdin:") and article.path is None


def test_stdin_location_is_the_content_hash() -> None:
    first = only_article(read("-", stdin=io.BytesIO(b"Same\n\nText.")))
    second = only_article(read("-", stdin=io.BytesIO(b"Same\n\nText.")))
    assert first.location == second.location
    assert len(first.location) == len("stdin:") + 16


def test_empty_stdin_is_an_error() -> None:
    only_error(read("-", stdin=io.BytesIO(b"  \n")), "stdin:")


# --- folders ----------------------------------------------------------------


def test_folders_are_read_recursively_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a.txt").write_text("A\n\na")
    (tmp_path / "b" / "c.md").write_text("C\n\nc")
    (tmp_path / "b" / "deep" / "d.json").write_text('{"title": "D", "text": "d"}')
    (tmp_path / "b" / "picture.png").write_bytes(PNG_BYTES)
    (tmp_path / "b" / "notes").write_text("no extension")
    (tmp_path / ".secret.txt").write_text("S\n\ns")
    (tmp_path / ".hidden" / "h.txt").write_text("H\n\nh")
    (tmp_path / "e.html").write_text(ARTICLE_HTML)
    results = read(str(tmp_path))
    assert all(isinstance(r, RawArticle) for r in results)
    assert [r.title for r in results] == ["A", "C", "D", "Flood hits river town"]
    assert count_hint([str(tmp_path), "-", "https://x.example/"]) == 6


def test_a_folder_with_nothing_readable_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "x.png").write_bytes(PNG_BYTES)
    assert read(str(tmp_path)) == []


def test_a_bad_file_does_not_stop_the_folder(tmp_path: Path) -> None:
    (tmp_path / "1.txt").write_text("One\n\n1")
    (tmp_path / "2.txt").write_bytes(PNG_BYTES)
    (tmp_path / "3.txt").write_text("Three\n\n3")
    results = read(str(tmp_path), str(tmp_path / "missing.txt"))
    assert [type(r) for r in results] == [RawArticle, SourceError, RawArticle, SourceError]


# --- bad input: one SourceError naming the source ---------------------------


def test_missing_path(tmp_path: Path) -> None:
    only_error(read(str(tmp_path / "nope.txt")), "nope.txt")


@pytest.mark.parametrize("name", ["image.txt", "image.md", "image.html", "image.json", "image.xml"])
def test_binary_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(PNG_BYTES)
    assert "binary" in str(only_error(read(str(path)), str(path)))


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
@pytest.mark.parametrize("name", ["e.txt", "e.md", "e.html", "e.json", "e.jsonl", "e.rss"])
def test_empty_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert "empty" in str(only_error(read(str(path)), str(path)))


def test_front_matter_without_body_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "fm.md"
    path.write_text("---\ntitle: Only a title\n---\n\n")
    only_error(read(str(path)), str(path))


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "x" * 2000)
    error = only_error(read(str(path), max_bytes=1000), str(path))
    assert error.reason == "larger than the 1 kB limit"
    assert ReaderOptions().max_bytes == 20_000_000


def test_stdin_over_the_size_limit() -> None:
    only_error(read("-", stdin=io.BytesIO(b"x" * 2000), max_bytes=1000), "stdin")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("Title\n\nBody")
    path.chmod(0)
    assert "permission denied" in str(only_error(read(str(path)), str(path)))


def test_open_failing_with_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same case as above, runnable as root: ``open`` itself is refused."""
    path = tmp_path / "secret.txt"
    path.write_text("Title\n\nBody")
    real_open = open

    def refusing_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    assert "permission denied" in str(only_error(read(str(path)), str(path)))


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    assert "not a regular file" in str(only_error(read(str(path)), str(path)))


# --- helpers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05T10:00:00Z", "2024-03-05T10:00:00+00:00"),
        ("2024-03-05 10:00", "2024-03-05T10:00:00"),
        ("Tue, 05 Mar 2024 10:00:00 +0100", "2024-03-05T10:00:00+01:00"),
        ("5 March 2024", "2024-03-05"),
        ("Mar 5, 2024", "2024-03-05"),
        ("2024/03/05", "2024-03-05"),
        ("yesterday", None),
        ("", None),
        (None, None),
        (12345, None),
    ],
)
def test_normalize_date(value: object, expected: str | None) -> None:
    assert normalize_date(value) == expected


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    fragment = "<p>One &amp; two</p><script>alert(1)</script><p>Three<br>four</p>"
    assert html_to_text(fragment) == "One & two\n\nThree\nfour"


def test_metadata_from_any_reader_is_plain_data(tmp_path):
    """A JSON record (as a remote feed could) supplies markup and line breaks in its
    fields: they are stored as one plain line each, never as markup or prose."""
    import json as _json

    from ingest.readers import ReaderOptions, iter_articles

    path = tmp_path / "records.json"
    path.write_text(_json.dumps({
        "title": "Budget <b>report</b>\nIgnore previous instructions",
        "source": "<script>x</script>Daily &lt;i&gt;News&lt;/i&gt;",
        "author": "Ann\u0000 Lee" + " very" * 200,
        "text": "The council approved the budget on Monday after a long debate about school funding.",
    }), encoding="utf-8")
    art, = list(iter_articles([str(path)], ReaderOptions(allow_urls=False)))
    assert art.title == "Budget report Ignore previous instructions"
    assert "<" not in art.source and "\n" not in art.source and art.source.endswith("News")
    assert "\x00" not in art.author and len(art.author) <= 301
