"""Extraction benchmark: newsbot's HTML reader against trafilatura alone, on real pages.

Run from the repository root: ``python bench/extract.py`` (part of ``make bench``);
``--data DIR`` reads the pages from elsewhere.  Not a test: it prints a markdown
table and writes ``bench/out/extract.md`` and ``bench/out/extract.json``.

Data: ``../shared/extract/trafilatura/`` (read in place, never copied): the
pages of trafilatura's real-world test suite (``cache/``) and the test file
``realworld_tests.py``.  Its source is parsed (``ast``, never imported or run)
into expectations per page:

* body: ``assert "X" in result`` (must contain) and ``... not in result``
  (must not contain), from the text-output branch of ``test_extract``;
* date: the day in the page's URL (``/2019/05/14/``), where it holds one
  and the test file states no date;
* title, author, date: ``metadata.title == ...`` (also ``startswith``,
  ``endswith`` and ``"X" in metadata.author``) from ``test_pages``.  Where a
  comment gives the truth (``# actually 'Ben Knight'``) or a commented-out
  assert states it (``# assert metadata.author == 'Clemens Höges'  #
  currently ...``), that truth is expected instead: those are the known
  failures of trafilatura.

Contenders, on the same bytes and URL:

* ``trafilatura``: ``trafilatura.bare_extraction(page, url=url,
  with_metadata=True)``, what newsbot used alone before.
* ``newsbot``: newsbot's own reader, ``iter_articles([url])`` with a fetcher
  that serves the cached page as ``text/html`` (the whole URL path: decoding,
  extraction, metadata, refusals).

A page newsbot refuses (not an article) counts as missing every string it
must contain.  Must-contain strings that trafilatura finds only among the
page's reader comments are left out (neither contender stores comments).
A title counts as right when it equals the expected one, or
the expected one with a trailing ``- Site`` / ``| Site`` part removed (newsbot
strips site names from titles on purpose).  About 1-2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "extract"
OUT = ROOT / "bench" / "out"
# The branch of test_extract whose result is plain text, as newsbot stores it.
_FLAGS = {"xmloutput": False, "formatting": False}
_COMMENTED_ASSERT = re.compile(r"#\s*assert metadata\.(title|author|date) == (['\"])(.+?)\2")
_ACTUALLY = re.compile(r"#\s*actually (['\"])(.+?)\1")
_SITE_SUFFIX = re.compile(r"\s+[-|–—:]\s+[^-|–—:]+$")
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?:/|-|$)")


@dataclass
class Expect:
    """What one page's extraction must give."""

    url: str
    file: str
    must: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)
    meta: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (test, value)


@dataclass
class Extracted:
    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    refused: str | None = None


# --- expectations from the test file ----------------------------------------


def load_expectations(data: Path) -> list[Expect]:
    source = (data / "trafilatura" / "realworld_tests.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    pages: dict[str, Expect] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and _target(node) == "MOCK_PAGES":
            for key, value in zip(node.value.keys, node.value.values):
                pages[key.value] = Expect(url=key.value, file=value.value)
        elif isinstance(node, ast.FunctionDef) and node.name == "test_extract":
            _body_expectations(node.body, pages, [None])
        elif isinstance(node, ast.FunctionDef) and node.name == "test_pages":
            _meta_expectations(node, pages, lines)
    for page in pages.values():
        match = _URL_DATE.search(page.url)
        if match and "date" not in page.meta:
            page.meta["date"] = ("eq", "-".join(match.groups()))
    return list(pages.values())


def _target(node: ast.Assign) -> str | None:
    target = node.targets[0]
    return target.id if isinstance(target, ast.Name) else None


def _call_url(call: ast.AST, names: dict[str, str]) -> str | None:
    """The page URL a ``do_load_page(...)``/``extract_metadata(...)`` call reads."""
    for inner in ast.walk(call):
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and inner.value.startswith("http"):
            return inner.value
        if isinstance(inner, ast.Name) and inner.id in names:
            return names[inner.id]
    return None


def _body_expectations(body: list[ast.stmt], pages: dict[str, Expect], current: list[str | None]) -> None:
    for node in body:
        if isinstance(node, ast.Assign) and _target(node) == "result":
            current[0] = _call_url(node.value, {})
        elif isinstance(node, ast.If):
            branch = node.body if eval(compile(ast.Expression(node.test), "<if>", "eval"), {}, dict(_FLAGS)) else node.orelse
            _body_expectations(branch, pages, current)
        elif isinstance(node, ast.Assert) and current[0] in pages:
            for test in _conjuncts(node.test):
                if (isinstance(test, ast.Compare) and isinstance(test.left, ast.Constant)
                        and isinstance(test.comparators[0], ast.Name) and test.comparators[0].id == "result"):
                    kind = pages[current[0]].must if isinstance(test.ops[0], ast.In) else pages[current[0]].must_not
                    kind.append(test.left.value)


def _conjuncts(test: ast.expr) -> list[ast.expr]:
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return test.values
    return [test]


def _meta_expectations(function: ast.FunctionDef, pages: dict[str, Expect], lines: list[str]) -> None:
    names: dict[str, str] = {}
    starts: list[tuple[int, str]] = []  # (line, url) where each page's checks begin
    for node in function.body:
        if isinstance(node, ast.Assign) and _target(node) == "url":
            names["url"] = node.value.value
        elif isinstance(node, ast.Assign) and _target(node) == "metadata":
            url = _call_url(node.value, names)
            if url in pages:
                starts.append((node.lineno, url))
        elif isinstance(node, ast.Assert) and starts:
            found = _meta_assert(node.test)
            if found:
                name, test, value = found
                truth = _ACTUALLY.search(" ".join(lines[node.lineno - 1:node.end_lineno]))
                if truth:
                    test, value = "eq", truth.group(2)
                pages[starts[-1][1]].meta.setdefault(name, (test, value))
    for number, line in enumerate(lines, start=1):
        match = _COMMENTED_ASSERT.search(line)
        if match and line.lstrip().startswith("#"):
            before = [url for start, url in starts if start < number]
            if before and function.lineno <= number <= function.end_lineno:
                pages[before[-1]].meta[match.group(1)] = ("eq", match.group(3))


def _meta_assert(test: ast.expr) -> tuple[str, str, str] | None:
    """(field, test, value) of ``metadata.F == v``, ``.startswith(v)``, ``.endswith(v)``, ``v in metadata.F``."""
    def field_of(node: ast.expr) -> str | None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "metadata":
            return node.attr if node.attr in ("title", "author", "date") else None
        return None

    if isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.Eq) and isinstance(test.comparators[0], ast.Constant):
        name = field_of(test.left)
        return (name, "eq", test.comparators[0].value) if name else None
    if isinstance(test, ast.Compare) and isinstance(test.ops[0], ast.In) and isinstance(test.left, ast.Constant):
        name = field_of(test.comparators[0])
        return (name, "contains", test.left.value) if name else None
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr in ("startswith", "endswith"):
        name = field_of(test.func.value)
        return (name, test.func.attr, test.args[0].value) if name else None
    return None


# --- the contenders -----------------------------------------------------------


def drop_comment_strings(expects: list[Expect], pages: dict[str, bytes]) -> int:
    """Drop must-contain strings that trafilatura finds only among a page's reader comments.

    Neither contender stores reader comments as article text; the test file
    expects some comments because trafilatura's ``extract`` keeps them by
    default.  Returns how many strings were dropped.
    """
    import trafilatura

    dropped = 0
    for e in expects:
        page, url = pages[e.url], e.url
        without = trafilatura.extract(page, url=url, include_comments=False) or ""
        with_comments = trafilatura.extract(page, url=url, include_comments=True) or ""
        keep = [s for s in e.must if s in without or s not in with_comments]
        dropped += len(e.must) - len(keep)
        e.must = keep
    return dropped


def run_trafilatura(page: bytes, url: str) -> Extracted:
    import trafilatura

    try:
        document = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False)
    except Exception as error:  # noqa: BLE001 - a crash counts as a refusal
        return Extracted(refused=type(error).__name__)
    if document is None or not (document.text or "").strip():
        return Extracted(refused="no text")
    return Extracted(text=document.text, title=document.title, author=document.author, date=document.date)


def newsbot_runner():
    from ingest.fetch import Fetcher, FetchResult
    from ingest.readers import ReaderOptions, iter_articles
    from retrieval.common.errors import SourceError

    class CachedPages(Fetcher):
        """Serves the cached page for its URL, as a web server sending text/html would."""

        def __init__(self) -> None:
            super().__init__()
            self.pages: dict[str, bytes] = {}

        def fetch(self, url: str) -> FetchResult:
            return FetchResult(url=url, content=self.pages[url], content_type="text/html", charset=None)

    fetcher = CachedPages()
    options = ReaderOptions(fetcher=fetcher)

    def run(page: bytes, url: str) -> Extracted:
        fetcher.pages = {url: page}
        results = list(iter_articles([url], options))
        article = next((r for r in results if not isinstance(r, SourceError)), None)
        if article is None:
            return Extracted(refused=results[0].reason if results else "nothing")
        return Extracted(text=article.text, title=article.title, author=article.author, date=article.published)

    return run


# --- scoring ----------------------------------------------------------------


def _norm(value: str | None) -> str:
    return " ".join((value or "").replace("’", "'").replace("&#039;", "'").split()).casefold()


def meta_right(name: str, test: str, expected: str, got: str | None) -> bool:
    have, want = _norm(got), _norm(expected)
    if name == "date":
        return have[:10] == want[:10]
    if not have:
        return False
    if name == "title" and test == "eq":
        return have in (want, _norm(_SITE_SUFFIX.sub("", expected)))
    if test == "eq":
        return have == want
    if test == "startswith":
        return have.startswith(want)
    if test == "endswith":
        return have.endswith(want)
    return want in have


def score(expects: list[Expect], results: dict[str, Extracted]) -> dict:
    must = [(s in results[e.url].text) for e in expects for s in e.must]
    must_not = [(s not in results[e.url].text) for e in expects for s in e.must_not]
    body_pages = [e for e in expects if e.must or e.must_not]
    clean = [all(s in results[e.url].text for s in e.must) and not any(s in results[e.url].text for s in e.must_not)
             for e in body_pages]
    out = {
        "pages": len(expects),
        "refused": sorted(e.file for e in expects if results[e.url].refused),
        "must_contain": _rate(must),
        "must_not_contain": _rate(must_not),
        "body_pages_right": _rate(clean),
        "body_pages": len(body_pages),
        "body_strings": (len(must), len(must_not)),
    }
    out["titles_with_pipe"] = sum("|" in (results[e.url].title or "") for e in expects)
    for name in ("title", "author", "date"):
        checks = [meta_right(name, *e.meta[name], results[e.url].__dict__[name]) for e in expects if name in e.meta]
        out[name] = _rate(checks)
        out[f"{name}_n"] = len(checks)
    return out


def _rate(values: list[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared extract folder (default ../shared/extract)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print each page's misses")
    args = parser.parse_args()
    if not (args.data / "trafilatura" / "realworld_tests.py").is_file():
        sys.exit(f"{args.data}: no trafilatura/realworld_tests.py there (pass --data)")
    cache = args.data / "trafilatura" / "cache"
    listed = load_expectations(args.data)
    expects = [e for e in listed if (cache / e.file).is_file()]
    pages = {e.url: (cache / e.file).read_bytes() for e in expects}
    if len(expects) < len(listed):
        print(f"{len(listed) - len(expects)} listed page(s) missing from {cache}: skipped", file=sys.stderr)
    dropped = drop_comment_strings(expects, pages)
    print(f"{dropped} must-contain string(s) found only among reader comments: left out", file=sys.stderr)
    contenders = {"trafilatura": run_trafilatura, "newsbot": newsbot_runner()}
    scores, seconds, results = {}, {}, {}
    for name, run in contenders.items():
        start = time.perf_counter()
        results[name] = {url: run(page, url) for url, page in pages.items()}
        seconds[name] = time.perf_counter() - start
        scores[name] = score(expects, results[name])
    if args.verbose:
        _print_misses(expects, results)
    table = _table(scores, seconds)
    print(table)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "extract.md").write_text(table + "\n", encoding="utf-8")
    (OUT / "extract.json").write_text(json.dumps({"scores": scores, "seconds": seconds}, indent=1), encoding="utf-8")


def _table(scores: dict, seconds: dict) -> str:
    first = next(iter(scores.values()))
    rows = [
        ("pages refused (not an article)", lambda s: f"{len(s['refused'])} / {s['pages']}"),
        (f"body: must-contain strings found ({first['body_strings'][0]})", lambda s: f"{s['must_contain']:.3f}"),
        (f"body: must-not-contain strings absent ({first['body_strings'][1]})", lambda s: f"{s['must_not_contain']:.3f}"),
        (f"body: pages with every check right ({first['body_pages']})", lambda s: f"{s['body_pages_right']:.3f}"),
        (f"title right ({first['title_n']} pages)", lambda s: f"{s['title']:.3f}"),
        ("titles holding a ' | ' site/section suffix", lambda s: f"{s['titles_with_pipe']}"),
        (f"author right ({first['author_n']} pages)", lambda s: f"{s['author']:.3f}"),
        (f"date right ({first['date_n']} pages)", lambda s: f"{s['date']:.3f}"),
    ]
    names = list(scores)
    lines = ["| measure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += [f"| {label} | " + " | ".join(cell(scores[n]) for n in names) + " |" for label, cell in rows]
    lines.append("| seconds | " + " | ".join(f"{seconds[n]:.1f}" for n in names) + " |")
    refused = scores.get("newsbot", first)["refused"]
    if refused:
        lines.append(f"\nnewsbot refused: {', '.join(refused)}")
    return "\n".join(lines)


def _print_misses(expects: list[Expect], results: dict[str, dict[str, Extracted]]) -> None:
    for e in expects:
        for name, by_url in results.items():
            got = by_url[e.url]
            misses = [f"missing {s[:40]!r}" for s in e.must if s not in got.text]
            misses += [f"has {s[:40]!r}" for s in e.must_not if s in got.text]
            misses += [f"{f}={got.__dict__[f]!r} want {t} {v!r}" for f, (t, v) in e.meta.items()
                       if not meta_right(f, t, v, got.__dict__[f])]
            if got.refused:
                misses.insert(0, f"refused ({got.refused})")
            if misses:
                print(f"{e.file} [{name}]: " + "; ".join(misses))


if __name__ == "__main__":
    main()
