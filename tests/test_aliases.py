"""Copies of one text: when the original changes, its copy keeps the text it holds."""

from __future__ import annotations

import json

import pytest

OLD = "---\ntitle: Harbour wall repaired\n---\nThe harbour wall was repaired on Monday, the port said.\n"
NEW = "---\ntitle: Harbour wall repaired\n---\nThe harbour wall repair was postponed to Friday, the port said.\n"


@pytest.mark.embedded_only
def test_a_copy_keeps_its_text_when_the_original_is_edited(run_cli, store_mode, tmp_path):
    story, copy = tmp_path / "story.md", tmp_path / "story-copy.md"
    story.write_text(OLD, encoding="utf-8")
    copy.write_text(OLD, encoding="utf-8")
    assert run_cli("ingest", str(story)).exit_code == 0
    aliased = run_cli("ingest", str(copy), "--json")
    assert json.loads(aliased.stdout)["aliased"] == 1
    story.write_text(NEW, encoding="utf-8")
    edited = run_cli("ingest", str(story), "--json")
    assert edited.exit_code == 0, edited.output
    summary = json.loads(edited.stdout)
    assert summary["updated"] == 1
    assert any("story-copy.md" in w and "keeps the earlier text" in w for w in summary["warnings"])

    listed = {a["path"]: a for a in json.loads(run_cli("docs", "list", "--json").stdout)}
    assert set(listed) == {str(story), str(copy)}
    shown = json.loads(run_cli("docs", "show", listed[str(story)]["id"], "--json").stdout)
    assert shown["aliases"] == [] and "postponed to Friday" in shown["text"]
    kept = json.loads(run_cli("docs", "show", listed[str(copy)]["id"], "--json").stdout)
    assert kept["aliases"] == [] and "repaired on Monday" in kept["text"]
    again = json.loads(run_cli("ingest", str(story), str(copy), "--json").stdout)
    assert again["unchanged"] == 2  # both are now what their files hold
    answer = json.loads(run_cli("ask", "When is the harbour wall repair?", "--json").stdout)
    assert answer["status"] in ("answered", "conflict")
