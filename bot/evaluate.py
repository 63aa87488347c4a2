"""Evaluation of the answer engine: the sample suite and the public dev sets.

* The **sample suite** (``sample_suite.toml``, over ``data/sample/``): each
  case names its question (and earlier turns), the expected status, the
  sides (stance and article) that must be cited, the only articles that may
  be cited, and phrases the answer must contain.
* **WikiContradict-dev**: every passage (``context1``, ``context2``: the
  dataset's contradicting statements, stored as they are) an article of one
  fresh store.  A side is presented when a citation of its own passage has a
  quote that contains the side's answer (``answerN``, case, punctuation and
  spacing aside, on word boundaries) or covers at least half of the content
  words of that passage's contradicting statement (``contextN``); both sides
  presented is the score.  Also: the share whose answer text contains both
  answers.
* **RAMDocs-dev**: every document an article of one fresh store.  All gold:
  every gold answer in the answer; exact: all gold and no wrong answer
  anywhere; wrong as fact: a wrong answer in an answer not marked conflict.
* **Abstention**: the questions of each dev set asked of the *other* dev
  set's store (which cannot answer them), plus the sample suite's
  unanswerable cases; wrong abstention: answerable questions answered
  not_found.

Answers are matched after folding case and punctuation (``3,559`` and
``3 559`` match), on word boundaries.  Stores are built with the project's
ingest pipeline in temporary folders; nothing is written to the repository.
"""

from __future__ import annotations

import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

from retrieval.engine.answer import Answer

from bot.eval_sets import (
    article_ids,
    build_store,
    median_chars,
    ramdocs_articles,
    read_jsonl,
    read_sample_articles,
    score_ramdocs,
    score_wikicontradict,
    wikicontradict_articles,
)

TARGETS = {
    "sample pass rate": ">= 1.00",
    "wikicontradict both sides cited": ">= 0.70",
    "fnc-1 balanced stance accuracy": ">= 0.75",
    "fnc-1 both sides cited with their stance": ">= 0.40",
    "ramdocs exact": ">= 0.35",
    "ramdocs all gold": ">= 0.55",
    "ramdocs wrong as fact": "<= 0.02",
    "abstained on unanswerable": ">= 0.95",
    "wrongly abstained on answerable": "<= 0.05",
    "median answer chars": "<= 700",
}


# -- the sample suite -------------------------------------------------------------
@dataclass
class SampleCase:
    id: str
    question: str
    status: str
    history: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)  # articles (file stems) that must be cited
    sides: list[dict[str, str]] = field(default_factory=list)  # {stance, article}
    contains: list[str] = field(default_factory=list)
    closest: list[str] = field(default_factory=list)  # not_found: articles it must name
    source: str | None = None
    since: str | None = None
    note: str = ""


def load_sample_suite(path: Path | None = None) -> list[SampleCase]:
    """The sample suite's cases (the packaged ``sample_suite.toml`` by default)."""
    if path is None:
        text = resources.files("bot").joinpath("sample_suite.toml").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return [SampleCase(**case) for case in data.get("case", [])]


def check_case(case: SampleCase, answer: Answer, stem_of: dict[str, str]) -> list[str]:
    """What is wrong with an answer to a sample case (empty when it passes)."""
    problems = []
    if answer.status != case.status:
        problems.append(f"status {answer.status!r}, expected {case.status!r}")
    cited = {stem_of.get(c.article_id, c.article_id) for c in answer.citations}
    if set(case.cited) != cited:
        problems.append(f"cited {sorted(cited)}, expected {sorted(case.cited)}")
    for side in case.sides:
        if not any(
            c.stance == side["stance"] and stem_of.get(c.article_id) == side["article"]
            for c in answer.citations
        ):
            problems.append(f"missing side {side['stance']} from {side['article']}")
    for phrase in case.contains:
        if phrase.lower() not in answer.answer.lower():
            problems.append(f"answer lacks {phrase!r}")
    named = {stem_of.get(a.article_id, a.article_id) for a in answer.closest}
    for stem in case.closest:
        if stem not in named:
            problems.append(f"not_found does not name {stem}")
    return problems


def run_sample_suite(engine: Any, store: Any, cases: Sequence[SampleCase] | None = None) -> dict[str, Any]:
    """Ask every sample case; returns pass rate, failures and the answers."""
    cases = list(cases if cases is not None else load_sample_suite())
    stem_of = {a.id: Path(a.path or a.location).stem for a in store.list_articles()}
    failures: dict[str, list[str]] = {}
    answers: dict[str, Answer] = {}
    for case in cases:
        history: list[tuple[str, Answer]] = []
        for earlier in case.history:
            history.append((earlier, engine.answer(earlier, history)))
        ans = engine.answer(case.question, history, source=case.source, since=case.since)
        answers[case.id] = ans
        problems = check_case(case, ans, stem_of)
        if problems:
            failures[case.id] = problems
    n = len(cases)
    return {
        "cases": n,
        "passed": n - len(failures),
        "pass_rate": (n - len(failures)) / n if n else 0.0,
        "failures": failures,
        "answers": answers,
        "unanswerable": [c.id for c in cases if c.status == "not_found"],
    }


# -- running everything -------------------------------------------------------------
@dataclass
class EvalReport:
    """Metrics by suite, and the rows of the summary table."""

    metrics: dict[str, dict[str, Any]]
    skipped: dict[str, str]
    seconds: float

    def rows(self) -> list[tuple[str, str, str]]:
        """(metric, value, target) rows for the summary table."""
        m = self.metrics
        rows: list[tuple[str, str, str]] = []

        def add(name: str, value: float | None, fmt: str = "{:.2f}") -> None:
            if value is not None:
                rows.append((name, fmt.format(value), TARGETS.get(name, "")))

        if "sample" in m:
            s = m["sample"]
            add("sample pass rate", s["pass_rate"])
            rows.append(("sample cases passed", f"{s['passed']}/{s['cases']}", ""))
        if "wikicontradict" in m:
            w = m["wikicontradict"]
            add("wikicontradict both sides cited", w["both_sides_cited"])
            add("wikicontradict both answers in text", w["both_answers_in_text"])
            add("wikicontradict median answer chars", w["median_chars"], "{:.0f}")
        if "fnc1" in m:
            f = m["fnc1"]
            add("fnc-1 balanced stance accuracy", f["balanced_stance"])
            add("fnc-1 both sides cited with their stance", f["both_sides"])
            rows.append(("fnc-1 cited bodies (agree/disagree)",
                         f"{f['cited_agree']}/{f['cited_disagree']}", ""))
        if "ramdocs" in m:
            r = m["ramdocs"]
            add("ramdocs all gold", r["all_gold"])
            add("ramdocs exact", r["exact"])
            add("ramdocs wrong as fact", r["wrong_as_fact"])
            add("ramdocs median answer chars", r["median_chars"], "{:.0f}")
        if "abstention" in m:
            a = m["abstention"]
            add("abstained on unanswerable", a["abstained_unanswerable"])
            add("wrongly abstained on answerable", a["wrongly_abstained_answerable"])
        if "overall" in m:
            add("median answer chars", m["overall"]["median_chars"], "{:.0f}")
        return rows

    def table(self) -> str:
        """The summary as a Markdown table."""
        rows = self.rows()
        width = max((len(r[0]) for r in rows), default=10)
        vw = max([5] + [len(r[1]) for r in rows])
        tw = max([6] + [len(r[2]) for r in rows])
        lines = [f"| {'metric':<{width}} | {'value':>{vw}} | {'target':<{tw}} |",
                 f"|{'-' * (width + 2)}|{'-' * (vw + 2)}|{'-' * (tw + 2)}|"]
        lines += [f"| {name:<{width}} | {value:>{vw}} | {target:<{tw}} |" for name, value, target in rows]
        for suite, reason in self.skipped.items():
            lines.append(f"\n{suite}: skipped ({reason})")
        return "\n".join(lines)


def run_all(
    app: Any,
    *,
    sample_dir: Path,
    eval_path: Path,
    train_path: Path,
    limit: int | None = None,
    work_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    """Run the sample suite and the dev sets.  ``app`` (:class:`bot.app.App`) builds every
    store and engine, as configured; the three folders are ``[eval]`` of the configuration."""
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    metrics: dict[str, dict[str, Any]] = {}
    skipped: dict[str, str] = {}
    unanswered: list[bool] = []  # abstained, per unanswerable question
    answerable_abstained: list[bool] = []
    all_answers: list[Answer] = []

    with tempfile.TemporaryDirectory(prefix="newsbot-eval-", dir=work_dir) as tmp:
        tmp_path = Path(tmp)
        say("sample suite")
        store = build_store(tmp_path / "sample", read_sample_articles(sample_dir), app)
        sample = run_sample_suite(app.engine_for(store), store)
        metrics["sample"] = {k: v for k, v in sample.items() if k != "answers"}
        for case_id, ans in sample["answers"].items():
            all_answers.append(ans)
            if case_id in sample["unanswerable"]:
                unanswered.append(ans.status == "not_found")
            else:
                answerable_abstained.append(ans.status == "not_found")

        folder = Path(eval_path)
        wiki_file, ram_file = folder / "wikicontradict-dev.jsonl", folder / "ramdocs-dev.jsonl"
        engines: dict[str, Any] = {}
        questions: dict[str, list[str]] = {}
        if wiki_file.exists():
            say("WikiContradict-dev")
            recs = read_jsonl(wiki_file, limit)
            arts = list(wikicontradict_articles(recs))
            store = build_store(tmp_path / "wiki", arts, app)
            engine = engines["wiki"] = app.engine_for(store)
            answers = [engine.answer(r["question"]) for r in recs]
            ids = article_ids(store, [a.location for a in arts])
            metrics["wikicontradict"] = score_wikicontradict(recs, answers, ids)
            questions["wiki"] = [r["question"] for r in recs]
            all_answers += answers
            answerable_abstained += [a.status == "not_found" for a in answers]
        else:
            skipped["wikicontradict"] = f"{wiki_file} not found"
        if ram_file.exists():
            say("RAMDocs-dev")
            recs = read_jsonl(ram_file, limit)
            store = build_store(tmp_path / "ramdocs", ramdocs_articles(recs), app)
            engine = engines["ram"] = app.engine_for(store)
            answers = [engine.answer(r["question"]) for r in recs]
            metrics["ramdocs"] = score_ramdocs(recs, answers)
            questions["ram"] = [r["question"] for r in recs]
            all_answers += answers
            answerable_abstained += [a.status == "not_found" for a in answers]
        else:
            skipped["ramdocs"] = f"{ram_file} not found"
        from bot.eval_fnc import run_fnc

        fnc_root = Path(train_path)
        if (fnc_root / "fnc1" / "train_stances.csv").exists():
            say("FNC-1 held-out stories")
            scores = run_fnc(fnc_root, app, tmp_path / "fnc1", limit)
            all_answers += scores.pop("answers")
            metrics["fnc1"] = scores
        else:
            skipped["fnc1"] = f"{fnc_root / 'fnc1'} not found"
        if "wiki" in engines and "ram" in engines:
            say("abstention (each dev set's questions asked of the other's store)")
            for q in questions["wiki"]:
                unanswered.append(engines["ram"].answer(q).status == "not_found")
            for q in questions["ram"]:
                unanswered.append(engines["wiki"].answer(q).status == "not_found")

    metrics["abstention"] = {
        "unanswerable": len(unanswered),
        "abstained_unanswerable": sum(unanswered) / len(unanswered) if unanswered else 0.0,
        "answerable": len(answerable_abstained),
        "wrongly_abstained_answerable": (
            sum(answerable_abstained) / len(answerable_abstained) if answerable_abstained else 0.0
        ),
    }
    metrics["overall"] = {"median_chars": median_chars(all_answers)}
    return EvalReport(metrics, skipped, time.perf_counter() - started)
