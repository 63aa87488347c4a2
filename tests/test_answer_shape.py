"""Answers shaped for a news reader: the verdict first, each side once with its sources
counted (copies of one wire text count once), wh-answers grouped by the answer they give,
and a timeline of the dated claims."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ingest.types import RawArticle

CANONICAL = "Did the call happen?"

AFP_TEXT = (
    "Norvik will close its old harbour bridge to all traffic from March, the mayor's office said "
    "on Tuesday. The closure will last two years while engineers rebuild the deck, AFP was told. "
    "Drivers will be sent over the ring road, adding about ten minutes to a crossing."
)
BRIDGE = [
    RawArticle(text=AFP_TEXT + " Ferries will run every twenty minutes.", title="Norvik to shut harbour bridge",
               location="anchor#1", source="Daily Anchor", published="2025-01-14"),
    RawArticle(text="NORVIK (AFP) - " + AFP_TEXT, title="Harbour bridge closing in March",
               location="beacon#1", source="Evening Beacon", published="2025-01-14"),
    RawArticle(text="Mayor Ilse Dahl told the Courier that the harbour bridge in Norvik will be shut to cars "
               "from March for repairs. Engineers found corrosion in the steel deck last autumn. Shops near "
               "the bridge fear losing customers.", title="Dahl confirms bridge repairs",
               location="courier#1", source="Norvik Courier", published="2025-01-15"),
]
CUP = [
    RawArticle(text="Millbrook Rovers won the Harbour Cup on Saturday, beating Eastfield 2-0 in front of 4,000 "
               "fans. Jonas Pike scored both goals.", title="Rovers lift Harbour Cup", location="terrace#1",
               source="Terrace Report", published="2025-03-02"),
    RawArticle(text="The Harbour Cup went to Millbrook Rovers after a 2-0 final against Eastfield. Manager Ana "
               "Silva praised her defence.", title="Silva hails defence", location="herald#1",
               source="Coastal Herald", published="2025-03-02"),
    RawArticle(text="Eastfield United won the Harbour Cup on Saturday with a late goal, the club said in a "
               "statement. Fans celebrated in the town square.", title="Eastfield celebrate",
               location="echo#1", source="Eastfield Echo", published="2025-03-02"),
]


def engine_over(articles, app, judge, folder):
    from bot.eval_sets import build_store
    from retrieval.engine.engine import AnswerEngine

    return AnswerEngine(build_store(folder, articles, app), app.embedder, judge=judge)


def test_seed_verdict_names_the_report_and_the_denial(engine):
    ans = engine.answer(CANONICAL)
    first_line = ans.answer.splitlines()[0]
    assert ans.verdict == first_line
    assert first_line.startswith("Sources conflict:")
    assert "Washington Post reports it" in first_line and "Peskov denies it" in first_line
    assert [s.stance for s in ans.sides] == ["supports", "denies"]
    assert ans.sides[0].attributed_to[0].endswith("Washington Post")
    assert "Peskov" in ans.sides[1].attributed_to[0]
    # each side once, one whole quote each
    assert ans.answer.count("“The Washington Post reported Sunday") == 1
    assert "…" not in ans.answer


def test_a_question_after_a_telling_sentence_or_with_a_month_still_gets_both_sides(engine):
    """What the asker tells before asking ("The Washington Post reported a call ... Did the call
    happen?") asks for no one side; and "in November" in "Who denied that the call happened in
    November?" matches the photo captions dated November 7 best, but the question asks for a
    side: the answer names who denied it and who reported it, not a caption."""
    told = engine.answer("The Washington Post reported a phone call between Trump and Putin. "
                         "Did the call happen?")
    assert told.answer.startswith("Sources conflict:"), told.answer
    dated = engine.answer("Who denied that the call happened in November?")
    assert dated.status == "conflict", dated.answer
    assert [s.stance for s in dated.sides] == ["denies", "supports"], dated.answer
    assert "Kremlin" in dated.verdict and "Washington Post" in dated.verdict, dated.verdict
    assert "indicated November 7" not in dated.answer


def test_a_claim_asked_in_the_negative_keeps_its_sides_the_right_way_round(engine, eval_app, judge, tmp_path):
    """ "Did Trump and Putin not speak on the phone?" asks about the call by denying it: the
    Kremlin's denial takes the question's side (stance "supports" in the JSON) and the Post's
    report is against it; the words tell the sides by the call itself ("Peskov denies it"). A
    hoax headline put as a question works the same way: "found dead in her home" is against
    "Is it true that the Dana Holt death story is a hoax?", the publicist's "false" is for it."""
    got = engine.answer("Did Trump and Putin not speak on the phone?")
    assert got.status == "conflict", got.answer
    by = {s.stance: s.attributed_to[0] for s in got.sides}
    assert "Peskov" in by["supports"] and by["denies"].endswith("Washington Post"), got.answer
    assert "Peskov denies it" in got.verdict and "Washington Post reports it" in got.verdict, got.verdict
    assert "The Washington Post reported Sunday that Trump talked by phone" in got.answer
    died = RawArticle(
        text="Country singer Dana Holt was found dead today in her Nashville home, her neighbours said. "
             "Fans gathered outside the house through the evening.",
        title="Dana Holt found dead", location="wire#1", source="Celebrity Wire", published="2024-03-02")
    alive = RawArticle(
        text="Reports that country singer Dana Holt had died are false: her publicist said on Monday that "
             "the singer is alive and well and will play her Friday show as planned.",
        title="Dana Holt is alive", location="daily#2", source="Music Daily", published="2024-03-04")
    hoax = engine_over([died, alive], eval_app, judge, tmp_path / "store").answer(
        "Is it true that the Dana Holt death story is a hoax?")
    assert hoax.status == "conflict", hoax.answer
    assert {s.stance: s.outlets for s in hoax.sides} == {"supports": ["Music Daily"], "denies": ["Celebrity Wire"]}, \
        hoax.answer
    assert "Celebrity Wire reports it" in hoax.verdict and "Music Daily denies it" in hoax.verdict, hoax.verdict


def test_a_claim_asked_in_the_negative_is_turned_round_by_the_words_alone_too(sample_store, embedder, tmp_path):
    """With the judgement model off, the cue words' sides are turned round the same way: the
    Kremlin's denial takes the side of "Did Trump and Putin not speak on the phone?"."""
    from retrieval.engine.engine import AnswerEngine

    got = AnswerEngine(sample_store, embedder, judge=None, cache_dir=tmp_path / "bm25").answer(
        "Did Trump and Putin not speak on the phone?")
    assert got.status == "conflict", got.answer
    by = {s.stance: s.attributed_to[0] for s in got.sides}
    assert "Peskov" in by["supports"] and by["denies"].endswith("Washington Post"), got.answer
    assert "Peskov denies it" in got.verdict, got.verdict


def test_seed_timeline_puts_sundays_report_before_mondays_denial(engine):
    ans = engine.answer(CANONICAL)
    days = [(t.date, t.who) for t in ans.timeline]
    assert days[0][0] == "2024-11-10" and days[0][1].endswith("Washington Post")
    assert any(d == "2024-11-11" and "Peskov" in who for d, who in days)
    assert [d for d, _ in days] == sorted(d for d, _ in days)
    text = ans.answer
    assert text.index("Sun 10 Nov 2024") < text.index("Mon 11 Nov 2024")

    story = engine.timeline("Trump Putin phone call")
    assert [t.date for t in story.timeline] == sorted(t.date for t in story.timeline)
    assert story.timeline[0].who.endswith("Washington Post")
    assert any("Peskov" in t.who for t in story.timeline)
    for t in story.timeline:  # every entry quotes a citation of the answer, verbatim
        cited = [c for c in story.citations if c.n == t.citation]
        assert cited and any(t.claim.strip("…") in c.quote for c in cited)
        date.fromisoformat(t.date)


@pytest.mark.parametrize("copy", ["near copy", "same text"])
def test_wire_copies_count_once(eval_app, judge, tmp_path, copy):
    from dataclasses import replace

    articles = list(BRIDGE)
    if copy == "same text":  # stored once, the second outlet as an alias of the first
        articles[1] = replace(articles[1], text=articles[0].text)
    engine = engine_over(articles, eval_app, judge, tmp_path / "store")
    ans = engine.answer("Will the Norvik harbour bridge close?")
    assert ans.status == "answered"
    (side,) = ans.sides
    assert sorted(side.outlets) == ["Daily Anchor", "Evening Beacon", "Norvik Courier"]
    assert side.independent_sources == 2
    assert sorted(side.copies[0]) == ["Daily Anchor", "Evening Beacon"]
    assert "2 independent" in ans.answer and "the same AFP report" in ans.answer
    assert ans.verdict == "3 outlets (2 independent) report it; none disputes it."


def test_wh_answers_are_grouped_by_the_answer_majority_first(eval_app, judge, tmp_path):
    engine = engine_over(CUP, eval_app, judge, tmp_path / "store")
    ans = engine.answer("Who won the Harbour Cup?")
    assert ans.status == "conflict"
    assert [(a.value, a.count) for a in ans.answers] == [("Millbrook Rovers", 2), ("Eastfield United", 1)]
    assert ans.verdict == ("Sources give different answers: Millbrook Rovers (2 sources); "
                           "one source says Eastfield United (1 source).")
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", ans.answer)]
    assert numbers == sorted(numbers)  # numbered in the order the reader meets them
    by_n = {c.n: c for c in ans.citations}
    assert {by_n[n].source for n in ans.answers[0].citations} == {"Terrace Report", "Coastal Herald"}
    assert {by_n[n].source for n in ans.answers[1].citations} == {"Eastfield Echo"}


@pytest.mark.parametrize("question", [CANONICAL, "Will the Millbrook plant close?",
                                      "How much will the Riverside bike lanes cost?"])
def test_quotes_are_whole_sentences(engine, question):
    ans = engine.answer(question)
    assert "…" not in ans.answer
    for c in ans.citations:
        text = engine.store.get_article(c.article_id).text
        before = text[:c.start].rstrip(" ")
        assert before == "" or before[-1] in ".!?\"”)\n", c.quote  # starts a sentence
        assert c.quote[-1] in ".!?\"”", c.quote  # and ends one


def test_outlets_quoting_one_unnamed_source_are_named_as_such():
    from retrieval.engine.sources import count_sources, single_unnamed_source
    from retrieval.engine.quotes import ArticleInfo

    quotes = ["Trump spoke to Putin on Thursday, people familiar with the call said.",
              "According to people familiar with the call, the two leaders discussed Ukraine."]
    assert single_unnamed_source(quotes) == "people familiar with the call"
    assert single_unnamed_source([quotes[0], "The Kremlin confirmed the call on Friday."]) is None
    articles = {
        "a": ArticleInfo("a", "Call", "Daily Anchor", "2024-11-10", None, None, quotes[0]),
        "b": ArticleInfo("b", "Leaders talk", "Evening Beacon", "2024-11-10", None, None, quotes[1]),
    }
    count = count_sources(["a", "b"], articles, quotes)
    assert count.single_source == "people familiar with the call"
    assert count.independent == 1  # two outlets, one unnamed source behind both


def test_a_short_answer_is_a_name_not_a_run_of_page_furniture():
    """A wh-question's short answer is a name from the sentence; a long run of capitalised
    words (a page's menu or category list) is not one."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.values import value_of

    lex = load_lexicon(None)
    q = analyze("Who directed the film Lahu Ke Do Rang?", [], lex)

    class Sentence:
        def __init__(self, text):
            self.text = text

    menu = "Read Edit View History Tools Actions General Related Changes Upload File directed by Mahesh Bhatt."
    assert value_of(Sentence(menu), q) == "Mahesh Bhatt"
    assert value_of(Sentence("Related Changes Upload File Permanent Link Page Information."), q) is None


def test_a_short_run_of_page_furniture_is_not_a_name_either():
    """ "Tools Tools", "URL Download QR", "Wikipedia Home Random Nearby Log" are the page
    around an article (its menu, an infobox's labels), not who directed a film; a name
    with one such word in it ("Random House") still is one."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.values import value_of

    lex = load_lexicon(None)
    q = analyze("Who published the novel?", [], lex)

    class Sentence:
        def __init__(self, text):
            self.text = text

    assert value_of(Sentence("Print this page: Tools Tools, then Cite."), q) is None
    assert value_of(Sentence("Scan it: URL Download QR code for the novel."), q) is None
    assert value_of(Sentence("See the Wikipedia Home Random Nearby Log page, published by Random House."),
                    q) == "Random House"


def test_a_person_s_name_ends_at_its_possessive():
    """ "Who composed it?" over "Ludwig van Beethoven's Symphony No. 1 ...": the answer is
    Ludwig van Beethoven, and "Joe Jackson's album" names the same artist as "Joe Jackson"."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.values import value_of

    lex = load_lexicon(None)

    class Sentence:
        def __init__(self, text):
            self.text = text

    q = analyze("Who is the composer of Symphony No. 1 in C major?", [], lex)
    assert value_of(Sentence("It is Ludwig van Beethoven's Symphony No. 1 in C major."), q) == "Ludwig van Beethoven"
    q = analyze("Who is the artist of the album I'm the Man?", [], lex)
    assert value_of(Sentence("It was Joe Jackson's second album."), q) == "Joe Jackson"
    q = analyze("Who wrote the play Baby Doll?", [], lex)
    assert value_of(Sentence("It is based on Tennessee Williams' Baby Doll script."), q) == "Tennessee Williams"
    where = analyze("Where did the team play?", [], lex)
    assert value_of(Sentence("The team played at St James's Park."), where) == "St James's Park"


TOWN = [
    RawArticle(text="Greyhaven is a village in Marrow County. According to the Census Bureau, the village "
               "has a total area of 3.1 square miles, of which 9.62% is water. As of the census of 2010, "
               "there were 2,355 people, 819 households, and 705 families residing in the village.",
               title="Greyhaven, Marrow County", location="gazetteer#1", source="County Gazetteer",
               published="2024-05-02"),
    RawArticle(text="Greyhaven has grown quickly since the new rail halt opened in 2015. The population of "
               "Greyhaven is now about 3,000, the parish council said, and a second school is planned.",
               title="Greyhaven keeps growing", location="marrow#1", source="Marrow Post",
               published="2025-02-11"),
]


def test_a_count_is_a_whole_number_of_things_not_a_share_a_measure_or_a_year():
    """ "How many?" and "What is the population of ...?" want a count: "2,355 people",
    "about 50,000", never "9.62%", "$ 1,455", "257.2 per square mile", "the 2010 census",
    "June 11, 1963" or a bracketed reference."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.values import count_values, value_of

    lex = load_lexicon(None)
    q = analyze("What is the population of Greyhaven?", [], lex)
    assert q.counts and analyze("How many jobs were cut?", [], lex).counts
    assert not analyze("How long is the bridge?", [], lex).counts

    class Sentence:
        def __init__(self, text):
            self.text = text

    assert count_values("As of the census of 2010, there were 2,355 people, 819 households.") == [
        "2,355 people", "819 households"]
    assert count_values("The population was about 50,000 in 2004 and 1.5 million people by 2020.") == [
        "about 50,000", "1.5 million people"]
    for junk in ("of which 9.62% is water", "a median income of $ 1,455", "in the 2010 census",
                 "257.2 inhabitants per square mile", "15,575.47 square kilometres",
                 "incorporated on June 11, 1963", "[ 11 ] see 04", "it closed around 1930"):
        assert count_values(junk) == [], junk
    assert count_values("It had 1066 residents.") == ["1066 residents"]  # a year-like count of people
    assert value_of(Sentence("The village has 3.1 square miles, or 9.62%, water and 681 people."), q) == "681 people"
    assert value_of(Sentence("The village has 3.1 square miles, of which 9.62% is water."), q) is None



def test_a_span_of_dates_and_a_sport_are_short_answers():
    """ "When was the house built?" is answered by the span a sentence gives ("between
    1861–1862", "from 1900 to 1904"), not its first year; a life in brackets after a name is
    no span ("(1839–1888)"), nor two dates joined by "and"; "When was he born?" takes the
    first date, "When did he die?" the date after the dash.  "What sport ...?" is answered by
    the sport a sentence names, or the sport of the player it names ("a retired Finnish
    weightlifter": weightlifting)."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.values import value_of

    class Sentence:
        def __init__(self, text):
            self.text = text

    lex = load_lexicon(None)
    built = analyze("When was the Goodrich House built?", [], lex)
    assert value_of(Sentence("Built between 1861–1862, this house was built by Heman Goodrich."), built) == \
        "between 1861–1862"
    assert value_of(Sentence("The church was built in 1829-1833 by the parish."), built) == "1829-1833"
    assert value_of(Sentence("He served from 1900 to 1904, then retired."), built) == "from 1900 to 1904"
    assert value_of(Sentence("It was extended in 1920 and 1935."), built) == "1920"
    assert value_of(Sentence("Walter Erskine (17 December 1839 – 16 September 1888) built it."), built) == \
        "17 December 1839"
    born = analyze("When was Walter Erskine born?", [], lex)
    assert value_of(Sentence("Walter Erskine, 1839–1888, was a Scottish peer."), born) == "1839"
    sport = analyze("What sport is Pekka Niemi associated with?", [], lex)
    assert value_of(Sentence("Pekka Niemi (born 1952) is a retired Finnish heavyweight weightlifter."), sport) == \
        "weightlifting"
    assert value_of(Sentence("Keith Butler is an American football coach."), sport) == "American football"
    assert value_of(Sentence("Lee Seung-hoon is a South Korean speed skater."), sport) == "speed skating"
    assert value_of(Sentence("He spoke at a rally after the shooting."), sport) is None
    assert value_of(Sentence("He plays ice hockey."), analyze("What does he play?", [], lex)) is None
    # not a word of a longer name, nor the sport the question names; a death takes the date after the dash
    assert value_of(Sentence("He studied at Bowling Green State University."), sport) is None
    coach = analyze("Which sport did former football coach Keith Butler play?", [], lex)
    assert value_of(Sentence("Keith Butler, a former football coach, played baseball."), coach) == "baseball"
    died = analyze("When did Walter Erskine die?", [], lex)
    assert value_of(Sentence("Walter Erskine (17 December 1839 – 16 September 1888) was a peer."), died) == \
        "16 September 1888"


def test_a_count_of_what_is_asked_about_holds_the_answer():
    """ "How many goats ...?" is answered by "a herd of approximately 60 wild goats", not by
    the sentence with "a 20-minute flight" that also names the goats and the island."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.scoring import _carries_type

    lex = load_lexicon(None)
    q = analyze("How many goats were removed from the island?", [], lex)
    assert q.counts and q.counted == "goat"
    assert _carries_type(q, "It relocated the island's herd of approximately 60 wild goats.", lex) is True
    assert _carries_type(q, "Three goats fled.", lex) is True  # a count in words
    assert _carries_type(q, "Each goat was flown off the island on a 20-minute flight.", lex) == "weak"
    assert _carries_type(q, "The island has no trees.", lex) is False
    # a population question counts people, whatever the noun: any count holds its answer
    people = analyze("How many people live in Greyhaven?", [], lex)  # people are counted under many names
    assert people.counted is None and _carries_type(people, "Greyhaven has 3,559 inhabitants.", lex) is True
    pop = analyze("What is the population of Greyhaven?", [], lex)
    assert pop.counted is None and _carries_type(pop, "It had 681 residents.", lex) is True


def test_a_count_in_words_is_the_short_answer_to_how_many():
    """News style writes small numbers in words: "How many ...?" reads "four survivors" as
    the short answer, as it reads "60 wild goats"; not "one of the last four", not a number
    word with no noun after it, and a population is in figures ("twenty-five townships"
    answers no population question)."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.values import value_of

    class Sentence:
        def __init__(self, text):
            self.text = text

    lex = load_lexicon(None)
    q = analyze("How many people survived the expedition?", [], lex)
    assert value_of(Sentence("He was one of the last four survivors of the expedition."), q) == "four survivors"
    assert value_of(Sentence("One person survived the crossing."), q) == "One person"
    assert value_of(Sentence("Thirteen of them left the island in 1528."), q) is None
    pop = analyze("What is the population of Licking Township?", [], lex)
    assert value_of(Sentence("It is one of the twenty-five townships of Licking County."), pop) is None
    # a duration, a share or a scale word is no count of people
    died = analyze("How many people died?", [], lex)
    assert value_of(Sentence("Two days later, eleven people died in hospital."), died) == "eleven people"
    assert value_of(Sentence("Ten percent of the town fled."), died) is None


def test_a_place_is_a_name_after_a_preposition_of_place():
    """ "Where ...?" is answered by the name that "in", "at", "near" ... introduces
    ("met in Warsaw"), not by the first capitalised words ("European and Ukrainian",
    "The Russian president"); a sentence that names no such place holds no answer to it."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.scoring import _carries_type
    from retrieval.engine.values import value_of

    lex = load_lexicon(None)
    q = analyze("Where were the reconstruction talks held?", [], lex)
    assert q.answer_type == "place"

    class Sentence:
        def __init__(self, text):
            self.text = text

    met = "European and Ukrainian ministers met in Warsaw on Thursday to discuss the fund."
    assert value_of(Sentence(met), q) == "Warsaw" and _carries_type(q, met, lex)
    assert value_of(Sentence("The summit at the Palace of Versailles ended early."), q) == "Palace of Versailles"
    assert value_of(Sentence("The storm brought floods to Port Avell on Saturday."), q) == "Port Avell"
    assert value_of(Sentence("The talks went well, according to Reuters."), q) is None
    assert value_of(Sentence("According to Reuters, the ministers met in Geneva."), q) == "Geneva"
    assert value_of(Sentence("The attack happened in eastern Ukraine."), q) == "Ukraine"
    assert value_of(Sentence("It was held in the city of Kherson."), q) == "Kherson"
    assert value_of(Sentence("In Warsaw, the leaders held a summit."), q) == "Warsaw"
    # a journal is where a paper appeared, not a place, unless the question asks where it is published
    paper = "In their paper published in Proceedings of the National Academy of Sciences, the group describes it."
    assert value_of(Sentence(paper), q) is None and not _carries_type(q, paper, lex)
    court = "The suspect appeared in Manhattan federal court on Monday."
    assert value_of(Sentence(court), q) == "Manhattan"  # "appeared in" a court is a place
    printed = analyze("Where is the Daily Citizen published?", [], lex)
    urbana = "The Daily Citizen is a daily newspaper published in Urbana, Ohio."
    assert value_of(Sentence(urbana), printed) == "Urbana, Ohio" and _carries_type(printed, urbana, lex)
    # the state or country after a town places it; a list of places or a clause after the comma does not
    assert value_of(Sentence("It was built in Springfield, Massachusetts, in 1850."), q) == "Springfield, Massachusetts"
    assert value_of(Sentence("It is a school in Fulton, Illinois, USA."), q) == "Fulton, Illinois, USA"
    assert value_of(Sentence("The office is in Washington, D.C."), q) == "Washington, D.C."
    assert value_of(Sentence("The leaders met in Warsaw, Kyiv, and Berlin."), q) == "Warsaw"
    assert value_of(Sentence("The leaders met in Warsaw, Kyiv and Berlin."), q) == "Warsaw"
    assert value_of(Sentence("The leaders met in Warsaw, Kyiv, Vilnius, and Berlin."), q) == "Warsaw"
    assert value_of(Sentence("The talks began in Moscow, Putin on Friday said."), q) == "Moscow"
    assert value_of(Sentence("They met in Vilnius, Lithuania. Leaders agreed."), q) == "Vilnius, Lithuania"
    assert value_of(Sentence("The office is in Washington, D.C. and in Paris."), q) == "Washington, D.C."
    assert value_of(Sentence("The talks were held in Geneva, where the UN sits."), q) == "Geneva"
    assert value_of(Sentence("The ministers met in Warsaw, President Duda said."), q) == "Warsaw"
    demand = "The Russian president has demanded Ukraine withdraw as a precondition to talks."
    assert value_of(Sentence(demand), q) is None and not _carries_type(q, demand, lex)
    # a person is still any name the question does not hold
    who = analyze("Who chaired the talks?", [], lex)
    assert value_of(Sentence("The talks were chaired by Anna Kowalska."), who) == "Anna Kowalska"
    # where something comes from: "from" a place, or the place called its birthplace
    origin = analyze("Where did kubb originate?", [], lex)
    assert value_of(Sentence("Originating from Gotland, it is a thousand years old."), origin) == "Gotland"
    born = analyze("Where was kubb born?", [], lex)
    assert value_of(Sentence("Its players say Sweden, the birthplace of kubb, is best."), born) == "Sweden"
    # "from" places an origin only after a verb of coming from ("flown from", "a letter from" do not)
    assert value_of(Sentence("A letter from Anna Berg arrived."), origin) is None
    assert value_of(Sentence("The players were flown from Oslo to the island."), born) is None
    # where someone works: the employer after a job or "works for"; not for other questions
    work = analyze("Where does Mira Solberg work?", [], lex)
    assert value_of(Sentence("Mira Solberg is a Signal Engineer for Nordrail."), work) == "Nordrail"
    assert value_of(Sentence("Mira Solberg works for Nordrail in Oslo."), work) == "Nordrail"
    assert value_of(Sentence("Mira Solberg is a Signal Engineer for Nordrail."), q) is None
    assert value_of(Sentence("Mira Solberg is employed by Nordrail."), work) == "Nordrail"
    assert value_of(Sentence("Mira Solberg works with Anna Berg on signals."), work) is None  # a colleague
    bridge = analyze("Where did the work on the bridge take place?", [], lex)  # the noun "work"
    assert value_of(Sentence("Engineers worked for Nordrail in Oslo."), bridge) == "Oslo"

def test_the_population_question_is_answered_with_the_counts(eval_app, judge, tmp_path):
    """Over a gazetteer entry whose area sentence matches the question's words as well as its
    population sentence does, the answer names the counts the articles give (2,355 and about
    3,000), each from its source, and not the share of water."""
    engine = engine_over(TOWN, eval_app, judge, tmp_path / "store")
    ans = engine.answer("What is the population of Greyhaven?")
    assert ans.status == "conflict", ans.answer
    values = [a.value for a in ans.answers]
    assert any(v.startswith("2,355") for v in values) and any("3,000" in v for v in values), values
    assert "9.62%" not in ans.verdict and "2,355" in ans.answer
    # two outlets: each answer's line names its own (only a run from one outlet names it once)
    assert "According to County Gazetteer" in ans.answer and "According to Marrow Post" in ans.answer


def test_how_big_wants_a_measure_with_its_unit():
    """ "How big ...?", "How far ...?", "the length of ..." are answered by a number with its
    unit ("500-metre", "20.5 acres", "hundred-foot"), not by any number ("100 times", "36
    dishes"); "How long ...?" also by a duration or a year ("since 1951")."""
    from retrieval.common.terms import load_lexicon
    from retrieval.engine.evidence import analyze
    from retrieval.engine.scoring import _carries_type
    from retrieval.engine.values import value_of

    lex = load_lexicon(None)

    class Sentence:
        def __init__(self, text):
            self.text = text

    q = analyze("How big is the Kestrel radio telescope?", [], lex)
    assert q.answer_type == "number" and q.measures == "scale" and not q.counts
    dish = "Its 500-metre-wide dish is made of 4,400 aluminium panels."
    assert _carries_type(q, dish, lex) is True and value_of(Sentence(dish), q) == "500-metre"
    assert _carries_type(q, "The Five-hundred-meter Kestrel telescope opened in May.", lex) is True
    assert _carries_type(q, "New dishes will improve its resolution by 100 times.", lex) is False
    # how big or how high may be a share, a sum or a count, less surely than a measure
    assert _carries_type(q, "The team will add 36 dishes next year.", lex) == "weak"
    assert _carries_type(analyze("How high is unemployment in Norvik?", [], lex), "It rose to 6.1%.", lex) == "weak"
    assert analyze("What is the length of the Orlo bridge?", [], lex).measures == "size"
    far = analyze("How far is Redonda from Antigua?", [], lex)
    assert _carries_type(far, "Redonda lies 35 miles southwest of Montserrat.", lex) is True
    long_ = analyze("How long has the league been running?", [], lex)
    assert long_.measures == "long"
    assert _carries_type(long_, "Running since 1951, the league is among the strongest.", lex) is True
    assert _carries_type(long_, "It takes four hours to sail there.", lex) is True
    # counts stay counts: "how many" and populations are not measures
    assert analyze("How many goats were removed?", [], lex).measures is None



def test_the_signature_line_of_an_embedded_post_is_not_quoted(eval_app, judge, tmp_path):
    """An embedded post's signature ("— Jo Rivers (@jorivers) July 3, 2020") is page furniture:
    its date does not answer "when" the article's story happened."""
    from retrieval.common.text import is_embed_byline

    assert is_embed_byline("— Dave Schukin (@schukin) July 3, 2019")
    assert not is_embed_byline("The Kremlin (@kremlin) said on July 3, 2019 that it was false.")
    beta = [RawArticle(
        text="Apple's third developer beta of iOS 14 adds a feature that keeps your eyes on the "
             "camera during video calls. It only works on the newest phones.\n"
             "“Look at the eyes in this call” pic.twitter.com/abc123\n"
             "— Jo Rivers (@jorivers) July 3, 2020\n"
             "The feature should reach the public beta next week.",
        title="iOS 14 beta fixes eye contact", location="verge#1", source="Gadget Wire",
        published="2020-07-03")]
    engine = engine_over(beta, eval_app, judge, tmp_path / "store")
    found = engine.retrieve("When did Apple release the iOS 14 beta?")
    assert found.evidence and not any("@jorivers" in e.text for e in found.evidence)
    assert "@jorivers" not in found.answer.answer, found.answer.answer


EMISSIONS = [
    RawArticle(text="Carbon emissions in the U.S. fell 3 percent last year, according to the Ardent "
               "Institute, a research group that tracks energy data. Why the drop? The U.S. is burning "
               "far less coal. Power plants have switched to gas and wind, the institute said.",
               title="U.S. carbon emissions fell last year", location="ardent#1", source="Prairie Ledger",
               published="2025-01-09"),
    RawArticle(text="The grant lets us invest in our work to reduce our own carbon emissions, the "
               "foundation's director said. The foundation funds cycling schemes in four cities and "
               "plans to open an office in Lisbon next spring.",
               title="Cycling foundation wins climate grant", location="cycling#1", source="Harbour Weekly",
               published="2025-01-12"),
]


def test_the_country_us_is_not_the_pronoun_us(eval_app, judge, tmp_path):
    """ "US" and "U.S." name one country, and the pronoun "us" ("lets us invest") is not
    it: asked why US emissions fell, the answer quotes the article about the country, with
    the writer's answer to its own question ("Why the drop? The U.S. is burning far less
    coal."), and does not set the foundation's sentence beside it as a different answer."""
    from retrieval.common.terms import load_lexicon, terms

    lex = load_lexicon(None)
    assert terms("U.S. emissions", lex) == terms("US emissions", lex) == terms("USA emissions", lex)
    assert "usa" not in terms("The grant lets us invest", lex)
    engine = engine_over(EMISSIONS, eval_app, judge, tmp_path / "store")
    ans = engine.answer("Why did US emissions fall?")
    assert ans.status == "answered", ans.answer
    assert {c.source for c in ans.citations} == {"Prairie Ledger"}, ans.answer
    assert "The U.S. is burning far less coal." in ans.answer, ans.answer


VOICES = [
    RawArticle(text="The Halden Observatory reopened on Monday after a two-year refit of its main dish. "
               "“We are glad to be back on the sky,” said Ilse Marten, the observatory's director. "
               "“The new receivers are ten times more sensitive than the old ones.” "
               "Local councillors said the refit had cost more than planned.",
               title="Halden Observatory reopens after refit", location="halden#1", source="North Star Times",
               published="2025-03-03"),
    RawArticle(text="Ilse Bramm won the regional chess title on Sunday, her third in a row. The final "
               "lasted six hours, the organisers said.",
               title="Bramm keeps chess title", location="chess#1", source="Board Weekly",
               published="2025-03-02"),
]


def test_what_a_person_said_and_who_they_are_is_answered_from_their_own_words(eval_app, judge, tmp_path):
    """ "What did Ilse Marten say?" is answered by the sentences she is named as saying,
    a quotation carried on into the next sentence included, attributed to her; not by the
    councillors' words in her article nor by another Ilse. "Who is Ilse Marten?" is answered
    by the sentence that says who she is ("Ilse Marten, the observatory's director")."""
    engine = engine_over(VOICES, eval_app, judge, tmp_path / "store")
    said = engine.answer("What did Ilse Marten say about the receivers?")
    assert said.status == "answered", said.answer
    assert said.answer.startswith("According to Ilse Marten"), said.answer
    assert "ten times more sensitive" in said.answer, said.answer
    assert {c.source for c in said.citations} == {"North Star Times"}, said.answer
    assert "councillors" not in said.answer
    who = engine.answer("Who is Ilse Marten?")
    assert who.status == "answered", who.answer
    assert "the observatory's director" in who.answer, who.answer


def _long_article() -> RawArticle:
    """A long report whose count of pulsars stands in a part far from its lede."""
    parts = [
        "The Kestrel radio telescope opened to astronomers from around the world on Monday. "
        "Kestrel will search the sky for pulsars, the spinning remains of dead stars, and Kestrel's "
        "pulsar programme is the largest of its kind. Astronomers say Kestrel's pulsar search will "
        "change the field.",
        "The pulsar survey on Kestrel will run for five years. Kestrel's team hopes that its "
        "pulsars will help in the hunt for gravitational waves, and Kestrel's pulsar timing will "
        "be shared with other observatories.",
    ]
    filler = [
        f"The site in the {side} valley was chosen because it is quiet: mobile phones are banned "
        f"within {n} kilometres, and visitors leave their cameras at the gate. Local farmers were "
        "moved to new homes, and a road was built for the lorries that carried the steel."
        for side, n in (("northern", 5), ("southern", 6), ("eastern", 7), ("western", 8))
    ]
    answer = ("Testing went well. During the trial year, the telescope discovered 44 pulsars, its "
              "chief scientist said, and more are expected once all receivers are fitted.")
    more = ("Kestrel's pulsar catalogue will be public, and Kestrel's staff will train astronomers "
            "from abroad to read Kestrel's pulsar data, Kestrel's director said.")
    text = "\n\n".join(parts[:1] + filler[:2] + parts[1:] + filler[2:] + [more] + filler + [answer] + filler)
    return RawArticle(text=text, title="Kestrel telescope opens to the world", location="kestrel#1",
                      source="Sky Ledger", published="2025-04-07")


def test_a_long_article_is_read_further_when_its_best_passages_do_not_answer(eval_app, judge, tmp_path):
    """The count asked for stands in a part of a long article away from the passage that
    names the telescope most often: when the passages first read give no answer, more of
    each article is read, so "How many pulsars has Kestrel discovered?" finds "the telescope
    discovered 44 pulsars"; read no further, it is withheld.  (Here the first reading takes
    one passage per article, so that this short store shows what a long article does with
    the default two.)"""
    from bot.eval_sets import build_store
    from retrieval.engine.engine import AnswerEngine

    store = build_store(tmp_path / "store", [_long_article()], eval_app)
    question = "How many pulsars has Kestrel discovered?"
    ans = AnswerEngine(store, eval_app.embedder, judge=judge, per_article=1, deeper_per_article=3).answer(question)
    assert ans.status == "answered", ans.answer
    assert "44 pulsars" in ans.answer, ans.answer
    shallow = AnswerEngine(store, eval_app.embedder, judge=judge, per_article=1, deeper_per_article=0)
    assert shallow.answer(question).status == "not_found"


PROFILES = [
    RawArticle(text="Every spring we talk to the people who keep the city's trams running. Mira Solberg "
               "is a signal engineer for Nordrail. She grew up in Tromsø and taught herself to code.\n\n"
               "What does safety mean to you in your daily work?\n\n"
               "“Safety is knowing that every signal fails towards red, and that everyone on the line "
               "can stop the work when something looks wrong.”\n\n"
               "Want to know more about Mira Solberg? Follow her on the company's blog.",
               title="People of the line: Mira Solberg", location="tram#1", source="Nordrail Blog",
               published="2025-05-02"),
    RawArticle(text="“Harbour Lights”, the first film shot entirely in Port Avell, opens on Friday. "
               "“Harbour Lights” director Tove Lindqvist said the town's fishermen played themselves. "
               "Critics praised the film's long takes of the harbour at night.",
               title="“Harbour Lights” opens in Port Avell", location="film#1", source="Coastal Herald",
               published="2025-05-03"),
    RawArticle(text="Kubb is a lawn game played with wooden blocks. Originating from Gotland, it is said "
               "to be a thousand years old, though the rules written today date from the 1990s. The "
               "national championship is held every August on the island's beaches.",
               title="The game of kubb", location="kubb#1", source="Island Post", published="2025-05-04"),
]


def test_who_did_it_is_answered_by_the_doer_s_title_and_a_question_is_no_answer(eval_app, judge, tmp_path):
    """ "Who directed Harbour Lights?" is answered by "“Harbour Lights” director Tove
    Lindqvist" (the doer named by what they are, not by the verb asked); "Where does kubb
    originate?" by "Originating from Gotland"; and an interview's question ("What does
    safety mean to you ...?") or a reader's prompt ("Want to know more about Mira
    Solberg?") is never quoted as the answer: the answer after it is."""
    engine = engine_over(PROFILES, eval_app, judge, tmp_path / "store")
    directed = engine.answer("Who directed Harbour Lights?")
    assert directed.status == "answered", directed.answer
    assert "director Tove Lindqvist" in directed.answer, directed.answer
    origin = engine.answer("Where does kubb originate?")
    assert origin.status == "answered", origin.answer
    assert "from Gotland" in origin.answer, origin.answer
    safety = engine.answer("What does safety mean to Mira Solberg?")
    assert safety.status == "answered", safety.answer
    assert "fails towards red" in safety.answer, safety.answer
    assert "What does safety mean to you" not in safety.answer, safety.answer
    who = engine.answer("Who is Mira Solberg?")
    assert who.status == "answered", who.answer
    assert "signal engineer for Nordrail" in who.answer, who.answer
    assert "Want to know more" not in who.answer, who.answer


def test_who_someone_is_is_read_further_when_the_first_passages_do_not_say(eval_app, judge, tmp_path):
    """ "Who is Mira Solberg?" is answered by the sentence that says who she is, though
    the passage read first (the one that names her most) only talks about her: a question
    answered by a sentence's form reads further when the first passages hold none.  (One
    passage per article is read first here, so that this short store shows what a long
    article does with the default two.)"""
    filler = _filler("The tram depot in the {} district was rebuilt last year, and {} new trams now leave it "
                     "every morning. Drivers say the new cabs are warmer in winter and quieter in summer.",
                     ("northern", 5), ("southern", 6), ("eastern", 7), ("western", 8))
    lede = ("Mira Solberg is a signal engineer for Nordrail. She grew up in Tromsø and taught "
            "herself to code before joining the company in 2015.")
    praise = ("Want to know more about Mira Solberg? Mira Solberg's colleagues call Mira Solberg the "
              "calmest person on the line. Ask Mira Solberg about a late tram and Mira Solberg will tell "
              "you about the signals first.")
    article = RawArticle(text=_further_on(lede, praise, filler), title="People of the line",
                         location="line#1", source="Nordrail Blog", published="2025-05-02")
    deeper, first = _read_first_and_further(article, "Who is Mira Solberg?", eval_app, judge, tmp_path)
    assert "signal engineer for Nordrail" in deeper, deeper
    assert "signal engineer" not in first



def test_a_yes_no_answer_quotes_the_sentence_that_says_what_is_asked(eval_app, judge, tmp_path):
    """ "Does the Vallo Bay resort have a spa?" is answered by the sentence on the spa, not
    by the manager's welcome that names the resort more often, nor by the page's heading."""
    resort = RawArticle(
        text="Vallo Bay Resort\n"
             "“We are delighted to welcome guests to Vallo Bay Resort, the finest resort on the island of "
             "Vallo Bay,” said Lena Frisk, general manager of Vallo Bay Resort. The resort has 80 rooms "
             "facing the sea.\n"
             "The Tide Spa offers massages and facials using seaweed from the bay.",
        title="Vallo Bay Resort opens", location="resort#1", source="Travel Notes", published="2025-06-01")
    engine = engine_over([resort], eval_app, judge, tmp_path / "store")
    ans = engine.answer("Does the Vallo Bay resort have a spa?")
    assert ans.status == "answered", ans.answer
    assert "The Tide Spa offers massages" in ans.answer.split("\n")[0], ans.answer


def test_an_answer_holding_part_of_the_question_reads_further_for_one_holding_all(eval_app, judge, tmp_path):
    """ "What is the Norn compiler built on?" quoted a sentence on the Norn compiler's
    error messages from the passage read first; the sentence that holds every word asked
    ("The Norn compiler is built on top of LLVM ...") stands further on in the article and
    is read and quoted.  (One passage per article is read first here, so that this short
    store shows what a long article does with the default two.)"""
    filler = _filler("Norn programs in the {} team's services handle {} million requests a day, and the team "
                     "reports fewer crashes than with the services they replaced.",
                     ("payments", 5), ("search", 6), ("mail", 7), ("maps", 8))
    lede = ("The Norn compiler is known for its error messages. A Norn compiler error points at the "
            "exact line, and users of the Norn compiler say its messages teach them the language.")
    llvm = (" ".join(filler[:2]) + " Under the hood, the Norn compiler is built on top of LLVM, so it "
            "targets fewer platforms than C does. " + " ".join(filler[2:]))
    article = RawArticle(text=_further_on(lede, llvm, filler), title="Why developers like Norn",
                         location="norn#1", source="Dev Weekly", published="2025-05-02")
    deeper, first = _read_first_and_further(article, "What is the Norn compiler built on?", eval_app, judge, tmp_path)
    assert "is built on top of LLVM" in deeper, deeper
    assert "LLVM" not in first


def _read_first_and_further(article, question, app, judge, tmp_path):
    """The answers of an engine that reads one passage per article and then up to four when
    it reads further, and of one that never reads further, over a store of ``article``."""
    from bot.eval_sets import build_store
    from retrieval.engine.engine import AnswerEngine

    store = build_store(tmp_path / "store", [article], app)
    deeper = AnswerEngine(store, app.embedder, judge=judge, per_article=1, deeper_per_article=4)
    first = AnswerEngine(store, app.embedder, judge=judge, per_article=1, deeper_per_article=0)
    return deeper.answer(question).answer, first.answer(question).answer


def _filler(template: str, *fills: tuple) -> list[str]:
    """Paragraphs on something else, one per fill of ``template``."""
    return [template.format(*fill) for fill in fills]


def _further_on(lede: str, later: str, filler: list[str]) -> str:
    """An article text: ``lede``, the filler paragraphs, ``later``, the filler again."""
    return "\n\n".join([lede, *filler, later, *filler])


HOAX = [
    RawArticle(text="Texas Prime Turkey Farm has been ordered to quarantine 250,000 holiday turkeys infected "
               "with Ebola, a farm worker told reporters. Shoppers were urged to check their freezers.",
               title="Ebola found in Texas turkeys", location="buzz#1", source="Daily Buzz",
               published="2025-11-20"),
    RawArticle(text="Texas Turkey Farm Contaminated With Ebola, Over 250,000 Holiday Turkeys Infected. That "
               "headline has been shared thousands of times this week. This is false. The USDA said no turkey "
               "in Texas has been infected with Ebola and no such farm exists.",
               title="The turkey story everyone shared", location="desk#1", source="Fact Desk",
               published="2025-11-21"),
]


def test_a_debunking_story_is_cited_for_its_denial_not_for_the_claim_it_quotes(eval_app, judge, tmp_path):
    """A fact check opens with the hoax's headline, unattributed, then calls it false: that
    outlet denies the claim; the headline it quotes is not its report of it."""
    engine = engine_over(HOAX, eval_app, judge, tmp_path / "store")
    ans = engine.answer("Is it true that 250,000 Texas turkeys are infected with Ebola?")
    assert ans.status == "conflict", ans.answer
    assert ans.verdict.startswith("Sources conflict: Daily Buzz reports it;"), ans.verdict
    stances: dict[str, list[str]] = {}
    for c in ans.citations:
        stances.setdefault(c.source, []).append(c.stance)
    assert stances["Daily Buzz"] == ["supports"], ans.answer
    assert stances["Fact Desk"][0] == "denies" and "supports" not in stances["Fact Desk"], ans.answer


def test_a_sentence_dated_by_the_one_before_is_quoted_with_it(eval_app, judge, tmp_path):
    """ "Shortly after, Mirela Voss opened the bakery ..." answers "When did she open it?" only
    with the sentence before, which holds the date: the two are quoted together."""
    bakery = [
        RawArticle(text="Mirela Voss spent four years in Oslo drawing hulls for a shipyard that built ferries "
                   "for the fjords, and she says she never planned to come back. She returned to Port Avell "
                   "in 2016 after her father fell ill and the family's boat was sold. Shortly after, Mirela "
                   "Voss opened the Blue Anchor bakery on the quay, in the old net loft where her grandfather "
                   "had mended the fleet's nets for forty years. The bakery now employs twelve people and "
                   "sells its rye bread to three hotels on the coast road. On Saturdays the queue reaches "
                   "the fish market, and the harbour master has asked for a second door.",
                   title="The baker of the quay", location="gazette#7", source="Harbour Gazette",
                   published="2024-06-01"),
        RawArticle(text="Port Avell has a new mayor. In 2014, Mirela Voss, who had opened the Blue Anchor "
                   "bakery that spring, joined the town council.", title="Council notes",
                   location="courier#7", source="Port Avell Courier", published="2024-06-02"),
    ]
    engine = engine_over(bakery, eval_app, judge, tmp_path / "store")
    ans = engine.answer("When did Mirela Voss open the Blue Anchor bakery?")
    gazette = [c for c in ans.citations if c.source == "Harbour Gazette"]
    assert gazette, ans.answer
    assert any("in 2016" in c.quote and "Shortly after, Mirela" in c.quote for c in gazette), ans.answer


def test_shortly_after_holds_the_date_of_the_sentence_before_on_its_line_only(eval_app, judge, tmp_path):
    """For "When ...?", "Shortly after, X did it." holds a date when the sentence before it, in
    the same paragraph, holds one; after a paragraph break it holds none."""
    text = ("Mirela Voss spent four years in Oslo drawing hulls for a shipyard. She returned to Port Avell in 2016 "
            "after her father fell ill.{sep}Shortly after, Mirela Voss opened the Blue Anchor bakery on the quay.")
    read = {}
    for n, sep in enumerate((" ", "\n\n")):
        article = RawArticle(text=text.format(sep=sep), title="The baker of the quay", location="gazette#1",
                             source="Harbour Gazette", published="2024-06-01")
        engine = engine_over([article], eval_app, judge, tmp_path / f"store{n}")
        got = engine.retrieve("When did Mirela Voss open the Blue Anchor bakery?")
        read[sep] = [e.has_answer_type for e in got.evidence if e.text.startswith("Shortly after")]
    assert read == {" ": [True], "\n\n": [False]}


def test_a_sentence_that_opens_with_she_is_read_as_about_the_person_asked(eval_app, judge, tmp_path):
    """ "She died in Vienna in 1931." answers "When did Maria Kessler die?" in an article about
    her: the model reads it with the name asked in place of "She" (it reads the bare sentence as
    beside the question), and the answer quotes it."""
    article = RawArticle(
        text="Maria Kessler painted the harbour of Trieste in oils for forty years and taught at the "
             "academy in Graz, where her students called her the quiet one. After the war the academy "
             "closed its painting school and sold the building to the city. Her harbour series hangs "
             "in the city museum today, beside the work of her teacher. She died in Vienna in 1931, "
             "weeks after her last exhibition closed.",
        title="Painter of the harbour", location="review#3", source="Art Review", published="2024-03-01")
    engine = engine_over([article], eval_app, judge, tmp_path / "store")
    got = engine.retrieve("When did Maria Kessler die?")
    died = [e for e in got.evidence if e.text.startswith("She died")]
    assert got.answer.status == "answered" and "1931" in got.answer.answer, got.answer.answer
    assert died and died[0].judgement is not None and died[0].judgement.answers >= 0.5, died


def test_a_quote_naming_the_person_asked_in_full_answers_though_the_article_lacks_other_names(
        eval_app, judge, tmp_path):
    """ "When did Tomas Brandt become director of the Museum of Maritime History in Bergen?"
    over an article whose sentence names Tomas Brandt in full but calls the museum "the
    museum" and never names Bergen: the answer quotes it rather than saying the articles do
    not answer (an article that names none of it still does not answer)."""
    article = RawArticle(
        text="The museum on the quay reopened on Saturday after two years of repairs to its roof and "
             "its collection of ship models. In 1987, Tomas Brandt became the museum's director, after "
             "ten years as its curator of charts. Visitors queued along the harbour wall for the "
             "first look at the restored hall.",
        title="Museum reopens on the quay", location="coast#4", source="Coast News", published="2024-04-02")
    festival = RawArticle(
        text="Bergen's harbour festival drew record crowds on Sunday. The Maritime History Society led "
             "a parade of forty wooden boats past the fish market, and the rain held off until dusk.",
        title="Boats and crowds at the harbour festival", location="coast#5", source="Coast News",
        published="2024-06-10")
    engine = engine_over([article, festival], eval_app, judge, tmp_path / "store")
    got = engine.answer("When did Tomas Brandt become director of the Museum of Maritime History in Bergen?")
    assert got.status == "answered" and "In 1987, Tomas Brandt became" in got.answer, got.answer
    other = engine.answer("When did Ingrid Solberg become director of the Museum of Maritime History in Bergen?")
    assert other.status == "not_found", other.answer


def test_a_when_question_is_answered_to_the_day_not_by_the_headline_s_year(eval_app, judge, tmp_path):
    """Two records of one name: each article's first sentence gives only the year ("Harbour
    Lights (1998 album) ..."), a later one the day it was released. The answer names the days,
    and a sentence that holds the year before its day ("(2003 album) ... released March 3,
    2003") gives the day too."""
    first = RawArticle(
        text="Harbour Lights (1998 album) Harbour Lights is the debut album by the Welsh folk band "
             "Saltmarsh, recorded in a chapel near Cardigan over one winter. The band wrote most of "
             "its songs on the road between festivals. It was released by Pebble Records on "
             "September 14, 1998. Critics praised its harmonies and the fiddle of Ann Pryce.",
        title="Harbour Lights (1998 album)", location="albums#1", source="Folk Archive", published="2020-01-01")
    second = RawArticle(
        text="Harbour Lights (2003 album) Harbour Lights is the third album by the Canadian singer "
             "Marc Tellier, released March 3, 2003 through North Shore Music. Tellier recorded it in "
             "Halifax with a string quartet and toured it across the Maritimes that summer.",
        title="Harbour Lights (2003 album)", location="albums#2", source="Music Notes", published="2021-05-05")
    engine = engine_over([first, second], eval_app, judge, tmp_path / "store")
    got = engine.answer('When was the album "Harbour Lights" released?')
    verdict = got.answer.splitlines()[0]
    assert "September 14, 1998" in verdict and "March 3, 2003" in verdict, got.answer
    assert "It was released by Pebble Records on September 14, 1998." in got.answer, got.answer



def test_a_claim_told_of_as_a_viral_report_is_not_the_outlet_reporting_it(eval_app, judge, tmp_path):
    """ "When a report went viral that the Millbrook bridge would close in May, ..." tells of
    the claim; the outlet that writes it is not one of the claim's sources (it is cited for
    what it says itself), while an outlet that reports the closure in its own voice is."""
    told = RawArticle(
        text="When a report went viral that the Millbrook bridge would close in May, the county's "
             "engineer drove out to the river to film the deck and the new steel supports. The county "
             "fair opens on the first weekend of June, with a parade down Main Street.",
        title="Engineer films the Millbrook bridge", location="valley#7", source="Valley Courier",
        published="2024-04-08")
    reported = RawArticle(
        text="The Millbrook bridge will close in May for six weeks of repairs to its deck, the county "
             "council announced on Tuesday. Drivers will be sent over the Elm Street crossing.",
        title="Millbrook bridge to close for repairs", location="gazette#8", source="Harbor Gazette",
        published="2024-04-09")
    engine = engine_over([told, reported], eval_app, judge, tmp_path / "store")
    got = engine.answer("Will the Millbrook bridge close in May?")
    assert "Harbor Gazette" in got.answer and "will close in May" in got.answer, got.answer
    reports = [s for s in got.sides if s.stance == "supports"]
    assert reports and all("Valley Courier" not in s.outlets for s in reports), got.answer
    from retrieval.engine.forms import HEARSAY

    assert not HEARSAY.search("The report that the bridge would close was confirmed by the council.")
    assert not HEARSAY.search("The bridge closed after a report that its deck had cracked.")


def test_a_sentence_that_negates_the_claim_s_own_words_denies_it(eval_app, judge, tmp_path):
    """ "The Harlow building was a detention centre, not a penitentiary" denies that the riot
    took place in a penitentiary: the answer gives both sides, not "different answers"."""
    report = RawArticle(
        text="The riot at Harlow Penitentiary began on the night of 4 May, when guards lost control "
             "of the east wing after a fight over the football match.",
        title="Night of the Harlow riot", location="press#1", source="Daily Press", published="2023-05-06")
    correction = RawArticle(
        text="The Harlow building where the riot broke out was a detention centre, not a penitentiary, "
             "so most of its inmates had not yet been tried.",
        title="What Harlow was", location="review#2", source="Law Review", published="2023-06-01")
    engine = engine_over([report, correction], eval_app, judge, tmp_path / "store")
    got = engine.answer("Did the Harlow riot take place in a penitentiary?")
    assert got.status == "conflict" and got.answer.startswith("Sources conflict"), got.answer
    assert [s.outlets for s in got.sides if s.stance == "denies"] == [["Law Review"]], got.answer
