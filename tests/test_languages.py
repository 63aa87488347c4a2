"""Languages: Chinese text is searchable by words, and another embedding model can be configured."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from retrieval.index.embeddings import resolve_model
from retrieval.common.terms import words
from retrieval.common.text import sentence_spans

BRIDGE = """---
title: 河畔市批准新建跨江大桥
source: 河畔日报
published: 2024-05-14
---
河畔市议会周二以七票对二票批准了新建跨江大桥的计划。大桥预计耗资三亿元，将于二〇二六年完工。市长李明表示，新桥将缓解老城区的交通拥堵。反对者认为，该项目会破坏河岸湿地。
"""
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def test_cjk_runs_become_character_bigrams() -> None:
    assert words("北京大学 Tesla在上海") == ["北京", "京大", "大学", "tesla", "在上", "上海"]
    assert words("東京タワー") == ["東京", "京タ", "タワ", "ワー"]
    assert words("서울대학교 hello") == ["서울", "울대", "대학", "학교", "hello"]
    assert words("新") == ["新"]


def test_chinese_full_stops_end_sentences() -> None:
    pieces = [span.piece for span in sentence_spans("市长表示，新桥将缓解拥堵。反对者认为，该项目会破坏湿地！")]
    assert pieces == ["市长表示，新桥将缓解拥堵。", "反对者认为，该项目会破坏湿地！"]


def test_a_chinese_question_is_answered_from_a_chinese_article(tmp_path: Path, run_cli) -> None:
    (tmp_path / "bridge.md").write_text(BRIDGE, encoding="utf-8")
    assert run_cli("ingest", str(tmp_path / "bridge.md"), str(SAMPLE)).exit_code == 0
    result = run_cli("ask", "跨江大桥预计耗资多少？", "--json")
    answer = json.loads(result.output)
    assert answer["status"] == "answered"
    assert answer["citations"][0]["title"] == "河畔市批准新建跨江大桥"
    assert "三亿元" in answer["citations"][0]["quote"]


LIRA = """---
title: Turkey raises interest rates again
source: Ankara Wire
published: 2024-03-21
---
The central bank raised its main interest rate to 50 percent on Thursday, surprising markets.
President Recep Tayyip Erdogan had long opposed high rates, but he backed the move this year.
The lira firmed after the decision, traders in Istanbul said.
"""


def test_a_name_asked_with_its_accents_finds_the_article_that_writes_it_without(tmp_path: Path, run_cli) -> None:
    """Outlets spell names with and without their accents: "Erdoğan" asked finds "Erdogan"
    written, and the answer cites it; letters of other scripts are not folded."""
    from retrieval.common.terms import load_lexicon, terms

    lexicon = load_lexicon()
    assert terms("Erdoğan Zürich São Paulo", lexicon) == terms("Erdogan Zurich Sao Paulo", lexicon)
    assert terms("йод", lexicon) == ["йод"] and terms("иод", lexicon) == ["иод"]
    (tmp_path / "lira.md").write_text(LIRA, encoding="utf-8")
    assert run_cli("ingest", str(tmp_path / "lira.md"), str(SAMPLE)).exit_code == 0
    result = run_cli("ask", "Did Erdoğan back the rate rise?", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["status"] != "not_found", answer["answer"]
    assert any("Erdogan" in c["quote"] for c in answer["citations"]), answer["answer"]


def _cli(store: Path, model: str | None = None):
    env = {"NEWSBOT_STORE_PATH": str(store), "NEWSBOT_EMBEDDING_BACKEND": "torch"}
    if model:
        env["NEWSBOT_EMBEDDING_MODEL"] = model

    def run(*args: str):
        return CliRunner().invoke(cli, list(args), env=env)

    return run


def test_a_model_named_by_path_loads_and_a_store_refuses_another_model(tmp_path: Path) -> None:
    # The packaged model, configured by its folder as any other local sentence-transformers model is.
    other = resolve_model("all-MiniLM-L6-v2")
    assert Path(other).is_dir()
    (tmp_path / "bridge.md").write_text(BRIDGE, encoding="utf-8")
    by_path = _cli(tmp_path / "by-path", other)
    result = by_path("ingest", str(tmp_path / "bridge.md"))
    assert result.exit_code == 0, result.output
    assert "河畔市" in by_path("ask", "跨江大桥预计耗资多少？").output

    default = _cli(tmp_path / "by-path")  # the same store, the default model
    refused = default("ask", "跨江大桥预计耗资多少？")
    assert refused.exit_code == 1
    assert "was built with the embedding model" in refused.output and other in refused.output
    assert "Traceback" not in refused.output
