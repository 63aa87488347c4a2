"""The chat page in a real headless browser: Debian's Chromium driven by Playwright.

Skipped, with the reason, where no Chromium is installed (`.ci/run` installs it).
Playwright's own browser downloads are never used: only the system's Chromium.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.serve_fixtures import SEED_QUESTION, live_server, sample_app  # noqa: F401 (fixtures)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def find_chromium() -> str | None:
    """$NEWSBOT_TEST_CHROMIUM, else Debian's chromium, else one on the PATH."""
    for candidate in (os.environ.get("NEWSBOT_TEST_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (/usr/bin/chromium): install Debian's `chromium` package "
                    "(`.ci/run` does) to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):  # noqa: F811
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    failures = []
    page.on("requestfailed", lambda request: failures.append(request.url))
    page.goto(live_server.url + "/")
    yield page
    context.close()
    assert not [url for url in failures if not url.startswith(live_server.url)]  # nothing from elsewhere


def ask(page, question: str):
    turns = page.locator(".turn")
    count = turns.count()
    page.fill("#question", question)
    page.click("#ask-button")
    turn = turns.nth(count)
    turn.locator(".status:not(.status-pending)").wait_for(timeout=120_000)
    return turn


def test_page_shows_the_report_and_the_denial_in_two_columns_then_a_follow_up(page):
    turn = ask(page, SEED_QUESTION)
    assert turn.locator(".status").text_content() == "Sources disagree"
    assert "null" not in turn.inner_text() and "undefined" not in turn.inner_text()  # an absent notice
    reported, denied = turn.locator(".side.supports"), turn.locator(".side.denies")
    assert "Washington Post" in reported.inner_text()
    assert "Peskov" in turn.locator(".answer-text").inner_text() + denied.inner_text()
    assert denied.locator("blockquote").count() >= 1
    left, right = reported.bounding_box(), denied.bounding_box()
    assert left["x"] + left["width"] <= right["x"]  # side by side ...
    assert abs(left["y"] - right["y"]) < 5  # ... on the same line

    # the verdict comes first, in bold; each column names its side and counts its outlets
    verdict = turn.locator(".verdict")
    assert verdict.inner_text().startswith("Sources conflict")
    assert verdict.evaluate("v => Number(getComputedStyle(v).fontWeight)") >= 600
    assert verdict.bounding_box()["y"] < left["y"]
    assert turn.locator(".sides > .side").count() == 2
    assert "Washington Post" in reported.locator("h3").inner_text()
    assert "Peskov" in denied.locator("h3").inner_text()
    assert "1 outlet, 1 independent" in reported.locator(".side-count").inner_text()
    assert_timeline_in_order(turn)

    # a source opens with the quoted sentences highlighted in the article's text
    turn.locator(".sources .source-toggle").first.click()
    marks = turn.locator(".article mark")
    marks.first.wait_for()
    marked = " ".join(marks.all_inner_texts())
    quotes = " ".join(turn.locator(".side blockquote").all_inner_texts())
    assert marks.count() >= 2 and all(m in quotes for m in marks.all_inner_texts())
    assert "Washington Post" in marked

    follow = ask(page, "Who denied it?")  # resolved with the first question
    assert "Peskov" in follow.locator(".answer-text").inner_text()
    assert page.locator(".turn").count() == 2


def assert_timeline_in_order(turn):
    days = turn.locator(".timeline li time").all_inner_texts()
    assert days[:2] == ["Sun 10 Nov 2024", "Mon 11 Nov 2024"], days


def test_timeline_button_lists_the_story_in_date_order(page):
    turn = ask(page, SEED_QUESTION)
    turn.locator(".timeline-button").click()
    story = page.locator(".turn").nth(1)
    story.locator(".status:not(.status-pending)").wait_for(timeout=120_000)
    assert story.locator(".question").inner_text() == f"Timeline: {SEED_QUESTION}"
    assert_timeline_in_order(story)
    assert "Washington Post" in story.locator(".timeline li").first.inner_text()
    story.locator(".timeline .cite").first.click()  # a date's citation opens its article, quotes marked
    story.locator(".article mark").first.wait_for()


def test_an_error_is_shown_as_a_message(page):
    page.eval_on_selector("#question", "box => box.removeAttribute('maxlength')")
    turn = ask(page, "x" * 2001)  # longer than the server accepts
    assert turn.locator(".status").text_content() == "Error"
    assert "2,000" in turn.inner_text()
