"""``newsbot ask``: batch files with bad lines, and questions holding control characters."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE


def test_a_question_with_control_characters_is_answered_like_the_clean_one(engine):
    clean = engine.answer("Did the call happen?")
    dirty = engine.answer("Did\x01 the\x1b[31m call\x7f happen?")
    assert clean.status == "conflict"
    assert (dirty.question, dirty.status, dirty.answer) == (clean.question, clean.status, clean.answer)
    assert [c.article_id for c in dirty.citations] == [c.article_id for c in clean.citations]


@pytest.mark.embedded_only
def test_batch_answers_the_good_lines_and_names_the_bad_ones(run_cli, store_mode, tmp_path):
    assert run_cli("ingest", str(SAMPLE)).exit_code == 0
    batch = tmp_path / "questions.txt"
    batch.write_bytes(b"Did the call happen?\n"
                      b"Is the \xff\xfe plant closing?\n"
                      b'{"question": null}\n'
                      b"\n"
                      b'{"question": "Is the Millbrook plant closing?"}\n'
                      b"Did\x01 the\x1b[31m call\x7f happen?\n")
    result = run_cli("ask", "--batch", str(batch))
    assert result.exit_code == 1
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["Did the call happen?", "Is the Millbrook plant closing?",
                                                "Did the call happen?"]
    assert answers[0]["status"] == answers[2]["status"] == "conflict"
    assert result.stderr.splitlines() == [
        "Error: line 2: not valid UTF-8 (byte 0xff at column 8)",
        "Error: line 3: 'question' must be a non-empty string (got null)",
    ]
    assert "Traceback" not in result.output
