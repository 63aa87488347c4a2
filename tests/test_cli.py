"""The newsbot command line, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from bot.cli import cli

from tests.conftest import SAMPLE, SEED


def all_commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize("path, command", list(all_commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_text(path, command):
    assert command.help and len(command.help.strip()) > 20, path
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help"


def test_ingest_sample_then_list_show_remove(run_cli):
    result = run_cli("ingest", str(SAMPLE), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    n = len(list(SAMPLE.glob("*.md")))
    assert summary["added"] == n and summary["failed"] == 0 and summary["chunks_added"] >= n

    listed = json.loads(run_cli("docs", "list", "--json").stdout)
    assert len(listed) == n
    kremlin = next(a for a in listed if a["title"].startswith("Kremlin denies"))
    assert kremlin["source"] == "AFP" and kremlin["published"] == "2024-11-11"

    table = run_cli("docs", "list").stdout
    assert "Kremlin denies Putin and Trump spoke on the phone" in table and f"{n} articles" in table

    shown = run_cli("docs", "show", kremlin["id"][:8])
    assert shown.exit_code == 0
    assert "simply false information" in shown.stdout and "AFP" in shown.stdout

    removed = run_cli("docs", "remove", kremlin["id"])
    assert removed.exit_code == 0 and "Kremlin denies" in removed.stdout
    assert len(json.loads(run_cli("docs", "list", "--json").stdout)) == n - 1

    again = run_cli("ingest", str(SAMPLE), "--json")
    assert json.loads(again.stdout)["added"] == 1
    assert json.loads(again.stdout)["unchanged"] == n - 1


def test_a_failed_source_exits_1_and_the_others_still_go_in(run_cli, tmp_path):
    missing = tmp_path / "nope.txt"
    result = run_cli("ingest", str(SEED), str(missing))
    assert result.exit_code == 1
    assert str(missing) in result.stderr and "Traceback" not in result.output
    assert "1 added" in result.stderr and "1 failed" in result.stderr
    assert len(json.loads(run_cli("docs", "list", "--json").stdout)) == 1


def test_ingest_from_stdin(run_cli):
    result = run_cli("ingest", "-", "--json", input=SEED.read_bytes())
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 1


def test_unknown_article_id_is_a_clear_error(run_cli):
    run_cli("ingest", str(SEED))
    result = run_cli("docs", "show", "zzzz")
    assert result.exit_code == 1 and "no article with id 'zzzz'" in result.stderr


def test_bad_config_value_is_named_without_traceback(run_cli, tmp_path):
    (tmp_path / "bad.toml").write_text("[chunking]\nsize = 'huge'\n")
    result = run_cli("--config", str(tmp_path / "bad.toml"), "docs", "list")
    assert result.exit_code == 1
    assert "[chunking] size" in result.stderr and "Traceback" not in result.output


def test_empty_store_says_how_to_add_articles(run_cli):
    result = run_cli("docs", "list")
    assert result.exit_code == 0 and "newsbot ingest" in result.stdout


def test_ask_over_the_sample_names_both_sides(run_cli):
    assert run_cli("ingest", str(SAMPLE)).exit_code == 0
    result = run_cli("ask", "Did the call happen?", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["status"] == "conflict"
    assert "Washington Post" in answer["answer"] and "simply false information" in answer["answer"]
    assert {c["stance"] for c in answer["citations"]} >= {"supports", "denies"}
    human = run_cli("ask", "Did the call happen?")
    assert "Sources" in human.stdout and "[1] Kremlin denies Putin and Trump spoke on the phone" in human.stdout


def test_timeline_orders_the_claims_and_pins_its_json(run_cli):
    assert run_cli("ingest", str(SAMPLE)).exit_code == 0
    result = run_cli("timeline", "Did the Kremlin deny the phone call?", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    entries = data["timeline"]
    assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
    assert entries[0]["date"] == "2024-11-10" and "Washington Post" in entries[0]["who"]
    assert any(e["date"] == "2024-11-11" and "Peskov" in e["who"] for e in entries)
    numbers = {c["n"] for c in data["citations"]}
    assert all(e["citation"] in numbers for e in entries)
    human = run_cli("timeline", "Did the Kremlin deny the phone call?").stdout
    assert human.index("Sun 10 Nov 2024") < human.index("Mon 11 Nov 2024") and "Sources" in human
    nothing = run_cli("timeline", "Nobel Prize in Literature")
    assert nothing.exit_code == 0 and "do not answer" in nothing.stdout


@pytest.mark.embedded_only  # eval builds its own temporary stores
def test_eval_runs_the_sample_suite_and_skips_absent_dev_sets_with_a_reason(run_cli, tmp_path):
    sample = Path(__file__).resolve().parent.parent / "data" / "sample"  # no config file here: cwd is tmp_path
    result = run_cli("eval", "--eval-dir", str(tmp_path / "absent"), "--json",
                     env={"NEWSBOT_EVAL_SAMPLE_DIR": str(sample), "NEWSBOT_TRAIN_DIR": str(tmp_path / "absent")})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["metrics"]["sample"]["pass_rate"] == 1.0
    assert set(report["skipped"]) >= {"wikicontradict", "ramdocs"}
    assert all("absent" in reason or "not found" in reason or "no " in reason
               for reason in report["skipped"].values()), report["skipped"]
