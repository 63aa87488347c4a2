"""Encodings: byte order marks, guessed legacy encodings in text files and feeds,
and feeds that declare their own XML entities (issue 10 points 9 and 11, issue 13 point 1).

Every non-UTF-8 file here is made by encoding a text written for the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.readers import ReaderOptions, ReadLog, iter_articles
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

RUSSIAN_TITLE = "Парламент принял бюджет"
RUSSIAN = (
    "Депутаты в среду одобрили бюджет на следующий год. Расходы на образование и "
    "здравоохранение вырастут, а дефицит сократится, заявил министр финансов."
)
CHINESE_TITLE = "市政府公佈新預算"  # traditional characters, as Big5 holds them
CHINESE = "市政府星期三公佈了明年的預算。教育和醫療支出將會增加，財政赤字將會減少。"


def read(path: Path, log: ReadLog | None = None) -> list[RawArticle | SourceError]:
    return list(iter_articles([str(path)], ReaderOptions(allow_urls=False), log))


def rss(title: str, items: str, declaration: str = '<?xml version="1.0"?>') -> str:
    return f"""{declaration}
<rss version="2.0"><channel><title>{title}</title><link>https://news.example/</link>
<description>{title}</description>{items}</channel></rss>"""


def item(title: str, text: str, n: int = 1) -> str:
    return f"<item><title>{title}</title><link>https://news.example/{n}</link><description>{text}</description></item>"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_text_with_a_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.txt"
    text = f"{RUSSIAN_TITLE}\n\n{RUSSIAN}"
    bom = {"utf-16-be": b"\xfe\xff", "utf-32-be": b"\x00\x00\xfe\xff"}.get(encoding, b"")
    path.write_bytes(bom + text.encode(encoding))
    [article] = read(path)
    assert isinstance(article, RawArticle), article
    assert article.title == RUSSIAN_TITLE and article.text == RUSSIAN
    assert article.warnings == []  # a byte order mark is not a guess


def test_koi8r_text_is_detected_and_the_guess_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "budget.txt"
    path.write_bytes(f"{RUSSIAN_TITLE}\n\n{RUSSIAN}".encode("koi8-r"))
    [article] = read(path)
    assert article.title == RUSSIAN_TITLE and article.text == RUSSIAN
    assert article.warnings == ["not valid UTF-8; decoded as koi8-r (guessed)"]


def test_koi8r_feed_without_a_declaration_is_stored_as_russian(tmp_path: Path) -> None:
    path = tmp_path / "news.xml"
    path.write_bytes(rss("Новости", item(RUSSIAN_TITLE, RUSSIAN)).encode("koi8-r"))
    log = ReadLog()
    [article] = read(path, log)
    assert isinstance(article, RawArticle), article
    assert article.title == RUSSIAN_TITLE and article.text == RUSSIAN and article.source == "Новости"
    assert log.warnings == [f"{path}: the feed declares no encoding and is not UTF-8; decoded as koi8-r (guessed)"]


def test_a_declared_feed_encoding_is_trusted_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "news.xml"
    path.write_bytes(rss("Новости", item(RUSSIAN_TITLE, RUSSIAN), '<?xml version="1.0" encoding="koi8-r"?>')
                     .encode("koi8-r"))
    log = ReadLog()
    [article] = read(path, log)
    assert article.title == RUSSIAN_TITLE and article.text == RUSSIAN and log.warnings == []


def test_big5_feed_with_entries_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "zh.xml"
    path.write_bytes(rss("每日新聞", item(CHINESE_TITLE, CHINESE)).encode("big5"))
    [article] = read(path)
    assert article.title == CHINESE_TITLE and article.text == CHINESE


def test_big5_feed_without_entries_says_what_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(rss("每日新聞", "").replace("<description>每日新聞",
                     "<description>本報每日提供本地與國際新聞報導，內容涵蓋政治、經濟與文化").encode("big5"))
    [error] = read(path)
    assert isinstance(error, SourceError)
    assert str(error) == f"{path}: the feed (its encoding guessed as big5) holds no entries"
    assert "declared as utf-8" not in str(error)


def test_utf16_feed_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "wide.rss"
    path.write_bytes(rss("Новости", item(RUSSIAN_TITLE, RUSSIAN), '<?xml version="1.0" encoding="utf-16"?>')
                     .encode("utf-16"))
    [article] = read(path)
    assert article.title == RUSSIAN_TITLE and article.text == RUSSIAN


def test_json_file_in_a_legacy_encoding_warns_once_for_the_file(tmp_path: Path) -> None:
    path = tmp_path / "records.json"
    records = [{"title": f"Café story {n}", "text": f"The café on rue {n} raised its prices by 10 € this week."}
               for n in range(3)]
    path.write_bytes(json.dumps(records, ensure_ascii=False).encode("cp1252"))
    log = ReadLog()
    articles = read(path, log)
    assert [a.title for a in articles] == ["Café story 0", "Café story 1", "Café story 2"]
    assert all(a.warnings == [] for a in articles)
    assert log.warnings == [f"{path}: not valid UTF-8; decoded as cp1252 (guessed)"]


LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>Funny</title><link>https://news.example/lol</link><description>&lol3;</description></item>
</channel></rss>"""

BLOWUP = f"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY a "{'x' * 5000}">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Blowup</title>
<entry><title>Big</title><id>urn:big</id><link href="https://news.example/big"/>
<content>{'&a;' * 2000}</content></entry></feed>"""


@pytest.mark.parametrize("content", [LAUGHS, BLOWUP], ids=["billion-laughs", "quadratic-blowup"])
def test_entity_expansion_feeds_are_refused_in_one_line(tmp_path: Path, content: str) -> None:
    path = tmp_path / "attack.xml"
    path.write_text(content, encoding="utf-8")
    [error] = read(path)
    assert isinstance(error, SourceError), error
    assert str(error).startswith(f"{path}: refused: the feed declares its own XML entities")
    assert "\n" not in str(error)
