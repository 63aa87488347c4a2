"""Scheduled ingest: --watch and --every keep the store current."""

from __future__ import annotations

import re
import subprocess

import pytest

from ingest.schedule import parse_interval
from retrieval.common.errors import ConfigError

from tests.conftest import newsbot_subprocess_cmd
from tests.test_faults import child_env


@pytest.mark.parametrize("text, seconds", [("90", 90), ("30s", 30), ("15m", 900), ("1h30m", 5400), ("0.5s", 0.5)])
def test_intervals(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["soon", "15 minutes", "0s", "-5", "m15"])
def test_bad_intervals_are_named(text):
    with pytest.raises(ConfigError, match="--every"):
        parse_interval(text)


def test_every_repeats_and_skips_unchanged_articles(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("Harbour reopens\n\nThe harbour reopened on Monday after repairs.\n")
    result = run_cli("ingest", str(tmp_path / "a.txt"), "--every", "0.1s", "--cycles", "3")
    assert result.exit_code == 0, result.output
    lines = [l for l in result.stderr.splitlines() if " cycle " in l]
    assert len(lines) == 3
    assert "cycle 1: 1 added" in lines[0]
    assert "0 added, 0 updated, 1 unchanged" in lines[1] and "0 added, 0 updated, 1 unchanged" in lines[2]


def test_watch_takes_folders_only(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("Title\n\nBody text here.\n")
    result = run_cli("ingest", str(tmp_path / "a.txt"), "--watch")
    assert result.exit_code == 2 and "--watch takes folders" in result.output


@pytest.mark.slow
@pytest.mark.embedded_only
def test_watch_picks_up_new_changed_and_deleted_files(tmp_path, store_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "keep.txt").write_text("Bridge opens\n\nThe new bridge opened to traffic on Tuesday.\n")
    (folder / "change.txt").write_text("Budget vote\n\nThe council will vote on the budget.\n")
    (folder / "delete.txt").write_text("Fair cancelled\n\nThe autumn fair was cancelled because of rain.\n")
    child = subprocess.Popen(
        [*newsbot_subprocess_cmd(), "ingest", "--watch", str(folder), "--every", "0.5s"],
        env=child_env(store_path), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    try:
        lines = iter(child.stderr)
        first = next(l for l in lines if " cycle " in l)
        assert "3 added" in first
        (folder / "new.txt").write_text("Library extends hours\n\nThe library will open on Sundays.\n")
        (folder / "change.txt").write_text("Budget vote\n\nThe council approved the budget on Friday.\n")
        (folder / "delete.txt").unlink()
        # The edits may straddle a cycle: add up what the following cycles saw.
        seen = {"added": 0, "updated": 0, "removed": 0, "failed": 0}
        for line in lines:
            if " cycle " not in line:
                continue
            for count, word in re.findall(r"(\d+) (added|updated|removed|failed)", line):
                seen[word] += int(count)
            if seen["added"] and seen["updated"] and seen["removed"]:
                break
        assert seen == {"added": 1, "updated": 1, "removed": 1, "failed": 0}
    finally:
        child.terminate()
        child.wait(timeout=30)
