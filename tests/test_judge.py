"""The judgement model newsbot ships: stance and answerability on unambiguous cases,
the ONNX runtime against torch, and the errors a user can meet."""

from __future__ import annotations

import pytest

from retrieval.common.errors import ConfigError

CALL = "Did the call happen?"
AFP = "Kremlin denies Putin and Trump spoke on the phone: "  # the engine puts the headline first

# Known failures of the shipped model, kept as strict expected failures: each turns into an
# error the day a better model passes it, so the test is then made an ordinary one.
_KNOWN = pytest.mark.xfail(strict=True, reason="the shipped judgement model (dev stance 0.80) "
                           "does not read this case right yet; see the model card")


def test_the_post_report_supports_and_the_kremlin_denial_contradicts(judge):
    report, denial = judge.judge([
        (CALL, AFP + "The Washington Post reported Sunday that Trump talked by phone on Thursday with Putin, "
                     "telling him not to inflame the conflict."),
        (CALL, AFP + "Kremlin spokesman Dmitry Peskov told journalists that the Washington Post report was "
                     "“simply false information”, denying any phone call took place."),
    ])
    assert report.stance == "supports"
    assert denial.stance == "contradicts"


def test_does_not_have_plans_to_is_a_denial(judge):
    j, = judge.judge([("Will Norden Steel close its Millbrook plant?",
                       "A spokeswoman said the company does not have plans to close the Millbrook plant.")])
    assert j.stance == "contradicts"


def test_a_sentence_on_the_topic_that_takes_no_side_is_neutral(judge):
    j, = judge.judge([("Did Trump and Putin speak on the phone?",
                       "The Russian president has demanded Ukraine withdraw from swathes of its "
                       "eastern and southern territory as a precondition to peace talks.")])
    assert j.stance == "neutral"
    assert j.answers < 0.5


@_KNOWN
def test_answerability_tells_the_answer_from_a_neighbour(judge):
    answer, other = judge.judge([
        ("Who scored for Millbrook Rovers in the final?",
         "Striker Ana Ruiz scored both goals for Millbrook Rovers in the final."),
        ("Who won the football World Cup in 2022?",
         "Millbrook Rovers won the county cup final on Saturday, beating Eastfield 2-1."),
    ])
    assert answer.answers > 0.5
    assert other.answers < 0.5




def test_probabilities_are_well_formed_and_order_is_kept(judge):
    pairs = [(CALL, "x" * n) for n in (5, 400, 40)]
    out = judge.judge(pairs)
    assert len(out) == 3
    for j in out:
        assert abs(j.supports + j.contradicts + j.neutral - 1.0) < 1e-6
        assert 0.0 <= j.answers <= 1.0
    assert judge.judge(pairs[1:2])[0] == pytest.approx(out[1])
    assert judge.judge([]) == []


def test_onnx_runtime_gives_the_torch_outputs(judge, tmp_path):
    from retrieval.judge.model import Judge

    assert judge.active_backend == "onnx"
    torch_judge = Judge(backend="torch")
    pairs = [(CALL, "Peskov called the report false."), ("How many jobs?", "About 800 jobs will go.")]
    for a, b in zip(judge.judge(pairs), torch_judge.judge(pairs)):
        assert a.supports == pytest.approx(b.supports, abs=1e-3)
        assert a.contradicts == pytest.approx(b.contradicts, abs=1e-3)
        assert a.answers == pytest.approx(b.answers, abs=1e-3)


def test_a_missing_model_folder_is_a_clear_error(tmp_path):
    from retrieval.judge.model import Judge

    with pytest.raises(ConfigError, match="no judgement model"):
        Judge(weights=tmp_path).judge([(CALL, "anything")])
    with pytest.raises(ConfigError, match="judge.backend"):
        Judge(backend="gpu")


def test_the_shipped_model_is_small_and_documented():
    import json

    from retrieval.judge.model import DEFAULT_WEIGHTS

    size = sum(f.stat().st_size for f in DEFAULT_WEIGHTS.iterdir())
    assert size <= 25 * 1024 * 1024
    meta = json.loads((DEFAULT_WEIGHTS / "judge.json").read_text())
    assert meta["outputs"] == ["supports", "contradicts", "neutral", "answers"]
    assert meta["dev"]["stance_balanced"] > 0.6


# -- the engine with the model ----------------------------------------------------


def test_a_question_the_sample_cannot_answer_is_not_answered_from_a_lookalike(engine):
    """The county cup article shares "won", "cup" and a final with the question, and the
    model reads its sentence as answering "who won?"; but "World Cup" is named in no
    article the answer would cite, and the model is not sure enough to let that pass."""
    ans = engine.answer("Who won the football World Cup in 2022?")
    assert ans.status == "not_found"
    assert ans.citations == []


def test_the_jobs_question_finds_the_denial_of_any_cuts(engine, stem_of):
    ans = engine.answer("How many jobs would be cut at Millbrook?")
    cited = {stem_of[c.article_id]: c.stance for c in ans.citations}
    assert "steel-plant-to-close" in cited and "800 jobs" in ans.answer
    assert cited.get("steel-plant-denial") == "denies"
    assert ans.status == "conflict"
    assert "No other stored article addresses this" not in ans.answer


def test_a_paraphrase_without_cue_words_keeps_both_sides_and_no_bystander(engine, stem_of):
    """The paraphrase from the judgement-model issue: Zelensky's warning of "no concessions"
    to Putin shares "president" with the question, and the model leans against it as a
    report, so it is no report (it was quoted as one); the reported side is a sentence
    about the call itself, with a plural voice's verb ("people familiar with Thursday's
    call report it")."""
    ans = engine.answer("Was there really a phone conversation between the two presidents?")
    assert ans.status == "conflict"
    by_stance = {c.stance for c in ans.citations}
    assert {"supports", "denies"} <= by_stance
    for c in ans.citations:
        if c.stance == "supports":
            assert "Zelensky" not in c.quote  # a warning about concessions reports no call
            assert "denied" not in c.quote  # the Kremlin's denial is not its report
    reported = ans.answer.split("\n")[1]
    assert reported.startswith("Reported by") and "call" in reported, reported
    assert "report it;" in ans.verdict, ans.verdict


def test_the_first_use_prints_no_loading_table(tmp_path, capfd):
    """The first question exports the model to ONNX; a user meets the answer, not
    transformers' table of the base checkpoint's unused pooler weights."""
    from retrieval.judge.model import Judge

    fresh = Judge(cache_dir=tmp_path / "cache", backend="onnx")
    assert len(fresh.judge([(CALL, "Peskov called the report false.")])) == 1
    assert fresh.active_backend == "onnx"
    out, err = capfd.readouterr()
    assert "LOAD REPORT" not in out + err and "UNEXPECTED" not in out + err
    assert "Loading weights" not in out + err  # (transformers' progress bar)


def test_she_is_read_as_the_person_asked_only_after_the_article_names_her(judge):
    """ "She died in Vienna in 1931." is read with "Maria Kessler" in place of "She" when its
    article names her last before it (then it answers "When did Maria Kessler die?"); in an
    article that names someone else first, or after her, it is read as it stands."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import Evidence, analyze
    from retrieval.engine.judging import JudgeSettings, judge_evidence

    lex = load_lexicon(None)
    q = analyze("When did Maria Kessler die?", [], lex)
    died = "She died in Vienna in 1931."
    texts = {"kessler": "Maria Kessler painted the harbour for forty years. " + died,
             "brandt": "Elsa Brandt ran the ferry for forty years. " + died + " Maria Kessler bought her boat.",
             "pupil": "Maria Kessler taught Anna Weber in Graz for ten years. " + died}

    def evidence(article):
        start = texts[article].index(died)
        return Evidence(article_id=article, start=start, end=start + len(died), text=died, meta={},
                        coverage=0.5, own_coverage=0.2, dense=0.5, score=0.5, stance="supports",
                        speaker=None, when=None, terms=frozenset(), has_answer_type=True, bears=True)

    read = judge_evidence(q, [evidence(a) for a in texts], judge, JudgeSettings(), texts=texts)
    named, bare = judge.judge([(q.resolved, "Maria Kessler died in Vienna in 1931."), (q.resolved, died)])
    assert read[0].judgement.answers == pytest.approx(named.answers, abs=1e-4) and named.answers >= 0.5
    assert bare.answers < 0.5
    for other in read[1:]:  # someone else named first, or last before the sentence
        assert other.judgement.answers == pytest.approx(bare.answers, abs=1e-4), other.article_id


def test_a_claim_s_own_words_negated_deny_it_and_not_only_adds():
    """ "not a penitentiary" and "wasn't peeing" deny the claims that ask about them; "not only
    ... but" adds to the claim, and a name after "no" ("no Harlow guard") is not the claim."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.judging import negates_claim

    lex = load_lexicon(None)
    jail = analyze("Did the Harlow riot take place in a penitentiary?", [], lex)
    assert negates_claim("It was a detention centre, not a penitentiary.", jail)
    assert not negates_claim("The riot not only took place in a penitentiary but spread to the town.", jail)
    assert not negates_claim("No Harlow guard was hurt in the riot.", jail)
    for sure in ("There is no doubt the riot took place in the penitentiary.",
                 "Guards could not stop the riot in the penitentiary.", "Guards had never seen a riot like it."):
        assert not negates_claim(sure, jail), sure  # a verb's "not", "no doubt": nothing denied
    pee = analyze("Was the weatherman peeing on camera?", [], lex)
    assert negates_claim("Seidel wasn't peeing in the snow, the network said.", pee)
    assert not negates_claim("Seidel was peeing in the snow, viewers said.", pee)


def test_a_claim_asked_in_the_negative_is_read_as_the_claim_itself():
    """ "Is it true that Cesar Millan is not dead?" and a hoax headline ask about a claim by
    denying it: the model reads each sentence against the claim itself, with the negation and
    the words that call it untrue taken out. A negation in a clause of its own, or a claim put
    plainly, leaves nothing to take out."""
    from retrieval.engine.claims import claim_core

    assert claim_core("Is it true that Cesar Millan is not dead?") == "Is it true that Cesar Millan is dead?"
    assert claim_core("Did Trump and Putin not speak on the phone?") == "Did Trump and Putin speak on the phone?"
    assert claim_core("Is it true that KFC isn't going to sell weed?") == "Is it true that KFC is going to sell weed?"
    assert claim_core("Is it true that Willie Nelson dead? Another celebrity death hoax makes the rounds?") \
        == "Is it true that Willie Nelson dead?"
    assert claim_core("Is it true that the report that the town is under quarantine is false?") \
        == "Is it true that the town is under quarantine?"
    assert claim_core("Is it true that no, a bird didn't land on the podium?") \
        == "Is it true that a bird did land on the podium?"
    assert claim_core("Did the call happen?") is None
    assert claim_core("Was the clerk sacked after not turning up for work for 25 years?") is None
    assert claim_core("Is it true that USDA debunks the hoax?") is None  # nothing of a claim is left
    assert claim_core("Is the Willie Nelson death story a hoax?") == "Is it true that the Willie Nelson death?"
    # "not" that denies nothing of the claim, and someone calling it false: nothing to turn
    for plain in ("Did Trump not only call Putin but also Xi?", "Did Trump say whether or not he called Putin?",
                  "Was the fire not an accident but arson?", "Did Musk say the story is false?",
                  "Is it true that fact checkers found the photo was fake?"):
        assert claim_core(plain) is None, plain


def test_only_the_claim_asked_decides_whether_a_question_is_turned_round():
    """A remark after the question, another possibility offered ("Or is it another hoax?"),
    what the asker tells first, a follow-up and "Didn't ...?" (asking for the claim to be
    confirmed) leave a plain question plain; a negation after an opening phrase asks in the
    negative."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.claims import turned
    from retrieval.engine.evidence import analyze

    lex = load_lexicon()

    def turns(q, before=()):
        return turned(analyze(q, list(before), lex))

    assert not turns("Did the Fed cut rates? I don't know.")
    assert not turns("Did Willie Nelson die? Or is it another hoax?")
    assert not turns("Did Willie Nelson die - or is that a hoax?")
    assert not turns("The Kremlin said they did not speak. Did Trump and Putin speak?")
    assert not turns("Did they speak?", ["Did Trump and Putin not speak on the phone?"])
    assert not turns("Didn't Trump call Putin?")  # asks for the call to be confirmed
    assert not turns("Isn't it true that Trump and Putin spoke on the phone?")
    assert not turns("Is it true that Trump and Putin spoke on the phone? I heard they didn't.")
    assert turns("Did Trump and Putin not speak?")
    assert turns("In November, did Trump and Putin not speak?")
    assert turns("Is it true that Willie Nelson dead? Another celebrity death hoax makes the rounds?")
