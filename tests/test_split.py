"""The chat message splitter: Discord's 2,000-character limit, natural cut points,
quotes and code fences kept whole, nothing lost."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chat import DISCORD_LIMIT, no_unfurl, protected_spans, split_message

# -- generated chat text: paragraphs of sentences, quotes, fences, links ----------------
word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄéß0123456789@#<>&*_-", min_size=1, max_size=12)
sentence = st.builds(
    lambda ws, end: " ".join(ws) + end,
    st.lists(word, min_size=1, max_size=25),
    st.sampled_from([".", "!", "?", ". [1]", "…", ""]),
)
curly = st.builds(lambda s: f"“{s}”", sentence)
nested = st.builds(lambda a, b: f"“{a} “{b}” {a}”", sentence, sentence)
straight = st.builds(lambda s: f'"{s}"', sentence)
fence = st.builds(lambda s: f"```\n{s}\n\n{s}\n```", sentence)
blockquote = st.builds(lambda ss: "\n".join(f"> {s}" for s in ss), st.lists(sentence, min_size=1, max_size=4))
link = st.just("https://example.org/news/story?id=42")
piece = st.one_of(sentence, sentence, sentence, curly, nested, straight, link)
paragraph = st.one_of(st.builds(" ".join, st.lists(piece, min_size=1, max_size=12)), fence, blockquote)
separator = st.sampled_from(["\n\n", "\n", "\n\n\n", " ", "\n \n"])
chat_text = st.builds(
    lambda paras, seps: "".join(p + seps[i % len(seps)] for i, p in enumerate(paras)),
    st.lists(paragraph, min_size=1, max_size=40),
    st.lists(separator, min_size=1, max_size=5),
)


def cut_points(parts: list[str]) -> list[int]:
    points, pos = [], 0
    for part in parts[:-1]:
        pos += len(part)
        points.append(pos)
    return points


@settings(max_examples=300, deadline=None)
@given(chat_text, st.sampled_from([DISCORD_LIMIT, 400, 120]))
def test_parts_fit_join_back_and_never_cut_a_quote_or_fence(text, limit):
    parts = split_message(text, limit)
    assert "".join(parts) == text
    assert all(0 < len(p) <= limit for p in parts)
    for cut in cut_points(parts):
        for start, end in protected_spans(text):
            if end - start <= limit:
                assert not start < cut < end, (text[start:end], cut)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=5000), st.integers(min_value=1, max_value=2500))
def test_any_text_at_all_is_split_losslessly(text, limit):
    parts = split_message(text, limit)
    assert "".join(parts) == text
    assert all(0 < len(p) <= limit for p in parts)


def test_short_text_is_one_message_and_empty_text_none():
    assert split_message("Hello.") == ["Hello."]
    assert split_message("") == []


def test_prefers_paragraphs_then_sentences_over_words():
    para1 = "First sentence here. " * 40  # 840 characters
    para2 = "Second paragraph. " * 40
    text = para1.strip() + "\n\n" + para2.strip()
    parts = split_message(text, 1000)
    assert parts[0] == para1.strip() + "\n\n"
    long_para = ("This is one sentence of a long paragraph. " * 60).strip()
    parts = split_message(long_para, 2000)
    assert len(parts) == 2 and parts[0].endswith("paragraph. ") and parts[1].startswith("This is")


def test_a_quote_straddling_the_limit_moves_whole_to_the_next_part():
    quote = "“" + "The minister said the plan would go ahead as announced. " * 5 + "”"
    text = "Intro sentence. " * 110 + quote + " Closing remark."
    parts = split_message(text)
    assert len(parts) == 2
    assert quote in parts[1] and "“" not in parts[0]


def test_a_code_fence_is_never_split_when_it_fits():
    code = "```\n" + "\n\n".join(f"line {i} of code." for i in range(60)) + "\n```"
    text = "Some words. " * 150 + "\n\n" + code + "\n\nAfter."
    parts = split_message(text)
    assert all(p.count("```") in (0, 2) for p in parts)
    assert any(code in p for p in parts)


def test_links_are_wrapped_so_that_discord_does_not_unfurl_them():
    text = "See https://example.org/a/b. Or <https://already.example>, or (https://x.example/c)."
    assert no_unfurl(text) == (
        "See <https://example.org/a/b>. Or <https://already.example>, or (<https://x.example/c>)."
    )
    assert re.findall(r"(?<!<)https?://", no_unfurl(text)) == []
