"""The short answer a sentence gives to a wh-question: "3,559 people" for "What is the
population of Broken Bow?", "Millbrook Rovers" for "Who won the cup final?".

Read from the sentence itself, never made up: the first number (with its unit or
the noun after it), date (or span of dates) or name that the question does not already
hold (a when-question's to the day where the sentence gives it); for "What sport ...?", the
sport named (a player, "weightlifter", names the sport as its own word: "weightlifting"); for
"What is the genre of ...?", what the sentence says the thing is ("a novel by ...": novel).
When nothing of the kind stands out, there is no short answer and the quote speaks.
"""

from __future__ import annotations

import re
from typing import Sequence

from retrieval.common.terms import words
from retrieval.engine.evidence import Evidence, Question
from retrieval.engine.kinds import asks_kind, asks_party, asks_relative, defined, party, relative

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
           "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
# a day with its month: "1 November", "3rd May", "November 1st", "Nov. 1"
_DAY_FIRST = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})"
_MONTH_FIRST = rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:{_DAY_FIRST}\.?(?:\s+\d{{4}})?|{_MONTH_FIRST}(?:,?\s+\d{{4}})?|(?:{_MONTHS})\s+\d{{4}}|"
    rf"(?:1[0-9]|20)\d{{2}}s?)\b")
# A date to the day: "1 November 2007", "November 1st, 2007", "Nov. 1"
DAY = re.compile(rf"\b{_DAY_FIRST}\b|\b{_MONTH_FIRST}\b")
# A span of dates: "1861–1862", "1 August 1848 – 2 December 1848", "between 1861 and 1862",
# "from 1900 to 1904" (the words that make it a span come along; "in 1920 and 1935" is two dates)
_SPAN_TAIL = re.compile(rf"\s*[–-]\s*({_DATE.pattern})|\s+(?:and|to|until|through)\s+({_DATE.pattern})")
_SPAN_HEAD = re.compile(r"\b(between|from)\s+$", re.IGNORECASE)
# ... unless a life is asked about: "(1924–1995)" after a name is when they lived, and
# "When was Groves born?" asks for the first year alone, "When did Groves die?" the second
_ASKS_LIFE = re.compile(r"\b(?:born|birth|die|died|dies|death)\b", re.IGNORECASE)
_ASKS_DEATH = re.compile(r"\b(?:die|died|dies|death)\b", re.IGNORECASE)  # ... the date after the dash
_SCALE = r"(?:\s+(?:million|billion|trillion|thousand|hundred))?"
_UNIT = (r"(?:\s*(?:%|percent|per cent)|\s+(?:[a-z][a-z-]{1,20}))?")
_ABOUT = r"(?:(?:about|around|approximately|nearly|almost|over|more than|some|roughly|up to)\s+)?"
_NUMBER = re.compile(rf"{_ABOUT}(?:[$€£¥]\s?)?\b\d(?:[\d,.]*\d)?{_SCALE}{_UNIT}")
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:of|de|van|von|the|and|&)?\s*[A-Z][\w'’.-]*)*")
_DULL_UNITS = frozenset("and or the a an in on at of to for by with from as was were is are had has "
                        "that which who when it its".split())
_NOT_NAMES = frozenset("the a an we it this that these those he she they his her their our its note however "
                       "also but and in on at for after before during while when according from".split())
# The words of a web page's furniture and an infobox's labels ("Wikipedia Home Random Nearby
# Log in", "URL Download QR", "Genre Dance Length"): a run of capitalised words made mostly
# of them is the page around an article, not a name that answers a question.
_FURNITURE = frozenset("""home random nearby log login sign menu search tools tool download url qr pdf
printable print cite citation uri concept share title track genre length label released recorded
producer producers studio format running time edit view talk contents main page privacy policy cookie
cookies subscribe newsletter advertisement related next previous skip navigation settings donate
statements references external links help contact terms permalink wikipedia wikidata wikimedia
commons imdb info information actions read history upload file changes link permanent special article
discussion languages""".split())
# A preposition of place before a name: "in Warsaw", "at the Palace of Versailles", "in
# eastern Ukraine", "in the city of Kherson", "brought floods to Port Avell" (not "according
# to Reuters", "due to", "spoke to Reuters", "published in Nature").
_PLACE_WORDS = ("in", "at", "near", "outside", "inside", "within", "across", "throughout")
_LOCATIVE = re.compile(
    r"\b(?:" + "|".join(_PLACE_WORDS) + "|"
    r"(?<!according )(?<!due )(?<!thanks )(?<!owing )(?<!close )(?<!next )(?<!spoke )(?<!talked )"
    r"(?<!said )(?<!wrote )(?<!told )to)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|north-eastern|"
    r"north-western|south-eastern|south-western|northeastern|northwestern|southeastern|southwestern|"
    r"downtown|rural|coastal|nearby|neighbouring|neighboring)\s+)?"
    r"(?:(?:city|town|village|region|province|state|county|district|capital|island|port)\s+of\s+)?$",
    re.IGNORECASE)


# "published in Nature", "wrote in The Atlantic": a journal or a paper, not a place, unless
# the question asks where something is published
_IN_PRINT = re.compile(r"\b(?:published|wrote|written)\s+in\s+(?:the\s+)?$", re.IGNORECASE)
_ASKS_PRINT = re.compile(r"\b(?:publish\w*|appear\w*|wr[io]te\w*|written)\b", re.IGNORECASE)
# "Where did polo originate?", "Where does the tool come from?": a name after "from" answers
_ASKS_ORIGIN = re.compile(r"\b(?:originat\w*|origins?|comes?\s+from|came\s+from|hails?\s+from|from\s+where|"
                          r"born|birthplace)\b", re.IGNORECASE)
# "Originating from Persia", "comes from Gotland" (not "flown from Pakistan", "a letter from Anna")
_FROM = re.compile(r"\b(?:originat\w*|comes?|came|coming|hails?|hailed|hailing)\s+from\s+(?:the\s+)?$", re.IGNORECASE)
# "Argentina, the birthplace of polo": a name its apposition makes the origin
_BIRTHPLACE_AFTER = re.compile(r"(?:[A-Z][\w'’.-]*\s){0,3}[A-Z][\w'’.-]*,\s+(?:the\s+)?(?:birthplace|cradle)\s+of\b")


# "Where does Erin Spiceland work?": the employer after a job or "works for" ("a Software
# Engineer for SpaceX", "works at CloudBees")
_ASKS_WORK = re.compile(r"^\s*where\b.*\b(?<!the\s)(?<!this\s)(?<!their\s)(?<!its\s)work(?:s|ed|ing)?\b|"
                        r"\bemployed\b", re.IGNORECASE)
_WORKS_FOR = re.compile(r"\b(?:(?:works?|worked|working|engineer|developer|director|manager|officer|editor|"
                        r"reporter|correspondent|scientist|researcher|analyst|designer|lead|head|chief|president|"
                        r"founder|executive|ceo|cto|cfo|consultant|professor|lecturer)\s+(?:for|at)|"
                        r"employed\s+(?:by|at))\s+(?:the\s+)?$", re.IGNORECASE)


def placed(text: str, start: int, question: str = "") -> bool:
    """Whether the name at ``start`` of ``text`` follows a preposition of place (only the
    few words before it are read); for an origin, "from" after a verb of coming from; for
    where someone works, "for" or "at" after a job or "works"."""
    before = text[max(0, start - 80):start]
    if _IN_PRINT.search(before) and not _ASKS_PRINT.search(question):
        return False
    if _ASKS_ORIGIN.search(question) and (_FROM.search(before) or _BIRTHPLACE_AFTER.match(text, start)):
        return True  # "Originating from Persia", "Argentina, the birthplace of polo"
    if _ASKS_WORK.search(question) and _WORKS_FOR.search(before):
        return True  # "a Software Engineer for SpaceX"
    return bool(_LOCATIVE.search(before))


# ", Pennsylvania" after a town: the state, province or country that places it. It stands
# alone, at the end of the clause ("in Springfield, Massachusetts, in 1850", "in Chester
# Springs, Pennsylvania near the village"), not a list ("in Warsaw, Kyiv and Berlin") or a
# clause of its own ("in Warsaw, Poland's president said", "In Kyiv, Zelensky said").
_REGION_NAME = r"[A-Z][\w-]*+(?:\.[A-Z][\w-]*+)*+(?:\.(?=[A-Z]|\s*$|\s+[a-z]))?"  # "Lithuania", "D.C."
_REGION = re.compile(rf",\s+({_REGION_NAME}(?:\s+{_REGION_NAME}){{0,2}})(?=\s*(?:$|[,.;:)]|\s(?:near|in|"
                     r"since|until|during|where|which|who|when|between)\b))")


def _region(text: str, end: int, asked: set[str]) -> str:
    """", Massachusetts" when the name ending at ``end`` is followed by the region that places it."""
    m = _REGION.match(text, end)
    if m is None or set(words(m.group(1))) <= asked or m.group(1).lower() in _NOT_NAMES:
        return ""
    further = _REGION.match(text, m.end())  # "Fulton, Illinois, USA"
    stop = (further or m).end()
    if re.match(r",\s+(?:(?:and|or)\b|[A-Z])", text[stop:stop + 6]):
        return ""  # "in Warsaw, Kyiv, and Berlin", "in Warsaw, Kyiv, Vilnius and Berlin": a list
    out = m.group() + (further.group() if further else "")
    if re.search(r"\.[A-Z][\w-]*$", out) and text[stop:stop + 1] == ".":
        out += "."  # "Washington, D.C. and Paris": the abbreviation keeps its last full stop
    # a full stop after the region ends the sentence ("in Warsaw, Poland."), unless it closes
    # an abbreviation ("Washington, D.C.")
    return out[:-1] if out.endswith(".") and "." not in out.split()[-1][:-1] else out


# "What sport is Keith Butler associated with?": the sport a sentence names, or the sport of
# the player it names ("a retired Finnish weightlifter", "a Welsh professional snooker player").
_SPORTS = """american football|association football|australian rules football|gaelic football|football|soccer|
rugby union|rugby league|rugby|cricket|baseball|softball|basketball|netball|volleyball|beach volleyball|handball|
ice hockey|field hockey|hockey|lacrosse|water polo|polo|tennis|table tennis|badminton|squash|golf|boxing|kickboxing|
professional wrestling|wrestling|mixed martial arts|judo|karate|taekwondo|fencing|archery|cycling|bmx|
speed skating|figure skating|skating|cross-country skiing|alpine skiing|ski jumping|skiing|snowboarding|biathlon|
bobsleigh|luge|curling|athletics|track and field|middle-distance running|long-distance running|sprinting|
triathlon|decathlon|heptathlon|swimming|rowing|canoeing|sailing|surfing|skateboarding|gymnastics|
artistic gymnastics|weightlifting|powerlifting|bodybuilding|equestrianism|show jumping|horse racing|motor racing|
auto racing|motorsport|formula one|darts|snooker|billiards|bowling|chess|mountaineering"""
_PLAYERS = {"footballer": "football", "boxer": "boxing", "kickboxer": "kickboxing", "wrestler": "wrestling",
            "cyclist": "cycling", "skier": "skiing", "golfer": "golf", "cricketer": "cricket",
            "swimmer": "swimming", "rower": "rowing", "gymnast": "gymnastics", "weightlifter": "weightlifting",
            "powerlifter": "powerlifting", "bodybuilder": "bodybuilding", "fencer": "fencing", "jockey": "horse racing",
            "sprinter": "sprinting", "triathlete": "triathlon", "decathlete": "decathlon", "skater": "skating",
            "speed skater": "speed skating", "figure skater": "figure skating", "snowboarder": "snowboarding",
            "racing driver": "motor racing", "canoeist": "canoeing", "surfer": "surfing", "judoka": "judo",
            "biathlete": "biathlon", "mountaineer": "mountaineering", "cross-country skier": "cross-country skiing",
            "alpine skier": "alpine skiing", "ski jumper": "ski jumping"}
_SPORT = re.compile(r"\b(?:" + "|".join(sorted(_SPORTS.replace("\n", "").split("|") + [p + "s?" for p in _PLAYERS],
                                              key=len, reverse=True)) + r")\b", re.IGNORECASE)
_ASKS_SPORT = re.compile(r"\b(?:what|which)\s+sports?\b", re.IGNORECASE)


def sport(text: str, asked: frozenset[str] | set[str] = frozenset()) -> str | None:
    """The first sport ``text`` names, as written ("ice hockey"), or the sport of the player it
    names ("boxer": "boxing"); not a word of a longer name ("Bowling Green", "VW Polo",
    "National Football League") nor a sport the question already names."""
    for m in _SPORT.finditer(text):
        found = m.group()
        if found[:1].isupper() and not found.startswith("American") and (
                re.match(r"\s+[A-Z]", text[m.end():]) or re.search(r"[A-Z][\w.-]*\s+$", text[:m.start()])):
            continue
        player = _PLAYERS.get(found.lower().rstrip("s")) or _PLAYERS.get(found.lower())
        value = player or found
        if not set(words(value)) <= asked:
            return value
    return None


_GLUE = frozenset("from the of and & a an in on at by".split())
MAX_VALUE = 60
MAX_NAME_WORDS = 5  # words of a name taken as a short answer (longer runs are menus, category lists)


def _date_span(text: str, m: re.Match[str], tail: re.Match[str] | None) -> str:
    """The date ``m`` found in ``text``, or the span of dates it begins (``tail``: what may
    end it)."""
    head = _SPAN_HEAD.search(text, max(0, m.start() - 10), m.start())
    if tail is None or tail.group(2) and head is None:
        return m.group()  # "and"/"to" make a span only after "between"/"from"
    if text[:m.start()].rstrip().endswith("(") and text[tail.end():].lstrip().startswith(")"):
        return m.group()  # "Walter Erskine (17 December 1839 – 16 September 1888)": a life
    start = head.start(1) if head else m.start()
    return text[start:tail.end()]


def value_of(ev: Evidence, question: Question) -> str | None:
    """The short answer ``ev`` gives to ``question``, verbatim from the sentence, if any."""
    if question.kind != "wh":
        return None
    asked = set(words(question.resolved))
    text = ev.text
    kind = question.answer_type
    if kind == "date":
        for m in _DATE.finditer(text):
            if not set(words(m.group())) <= asked:
                if _headline(text, m) and not (_SPAN_TAIL.match(text, m.end()) and (
                        _ASKS_DEATH.search(question.text) or not _ASKS_LIFE.search(question.text))):
                    # "Killswitch Engage (2000 album) ... released July 4, 2000": the year's day
                    # (and a birth's: "(1885–1955) ... born 22 October 1885"; not a death's)
                    m = next((d for d in _DATE.finditer(text, m.end()) if DAY.search(d.group())
                              and set(words(m.group())) <= set(words(d.group()))), m)
                tail = _SPAN_TAIL.match(text, m.end())
                if not _ASKS_LIFE.search(question.text):
                    return _date_span(text, m, tail)
                # "(26 June 1624 – 18 June 1668)": a life
                dies = _ASKS_DEATH.search(question.text) and tail is not None and tail.group(1)
                return tail.group(1) if dies else m.group()
        return None
    if question.counts:
        # counts in words only for "how many" ("four survivors"); a population is in figures
        spelled = spelled_counts(text) if "how many" in question.text.lower() else []
        return next((v for v in count_values(text) + spelled if not set(words(v)) <= asked), None)
    if question.measures:
        return measured(text, question.measures)
    if kind in ("number", "amount"):
        for m in _NUMBER.finditer(text):
            value = m.group().strip()
            last = value.split()[-1].lower()
            if last in _DULL_UNITS:
                value = value.rsplit(None, 1)[0]
            if set(words(value)) <= asked or _DATE.fullmatch(value):
                continue
            return value[:MAX_VALUE]
        return None
    if kind == "person" and (relation := asks_relative(question)):
        found = relative(text, relation, asked)  # "her husband Cleonymus", "son of ... Li Deming"
        if found:
            return found[:MAX_VALUE]
    if kind in ("person", "place"):
        names = []
        located = []  # (place) names a preposition of place introduces: "met in Warsaw"
        for m in _NAME.finditer(text):
            value = m.group().strip(" .")
            if kind == "person":
                value = _owner(value)
            if m.start() == 0 and len(value.split()) == 1:
                continue  # "The", "Officials": the sentence's first word is capitalised anyway
            if set(words(value)) <= asked or len(value) < 2 or value.lower() in _NOT_NAMES:
                continue
            if len(value.split()) > MAX_NAME_WORDS:
                continue  # a run of capitalised words from a menu or a category list, not a name
            if furniture(value):
                continue
            names.append(value[:MAX_VALUE])
            if kind == "place" and placed(text, m.start(), question.resolved):
                located.append((value + _region(text, m.start() + len(m.group().rstrip(" .")), asked))[:MAX_VALUE])
            elif kind == "place" and value.split()[0].lower() in _PLACE_WORDS and len(value.split()) > 1:
                # "In Warsaw, the leaders met", "At the Palace of Versailles"
                located.append(value.split(None, 1)[1].removeprefix("the ")[:MAX_VALUE])
        if kind == "place":
            # "European and Ukrainian ministers met in Warsaw": the place is Warsaw, and a
            # sentence that names no place after "in", "at", "near" ... gives no short answer
            return located[0] if located else None
        # A full name ("Mahesh Bhatt") before a lone capitalised word ("Hindi", "IMDb").
        return next((v for v in names if len(v.split()) > 1), names[0] if names else None)
    if _ASKS_SPORT.search(question.text):
        return sport(text, asked)
    if asks_party(question):
        return party(text, asked)
    if asks_kind(question):
        value = defined(text, asked)
        return value[:MAX_VALUE] if value and not furniture(value) else None
    return None


def _headline(text: str, m: re.Match[str]) -> bool:
    """Whether a date stands as a headline's does: in brackets beside other words ("(2000
    album)", "(footballer, born 1891)"), or before the sentence's first word in lower case
    ("2018 Spanish women's strike On March 8, 2018, ..."), not in what the sentence says
    happened ("Founded in 1998, the band released its debut album on 3 May 1998")."""
    if text.rfind("(", 0, m.start()) > text.rfind(")", 0, m.start()) and ")" in text[m.end():m.end() + 30]:
        return True
    return not re.search(r"\b[a-z]", text[:m.start()])


def fuller_date(ev: Evidence, others: Sequence[Evidence], question: Question, *,
                same_article: bool = True) -> Evidence:
    """The sentence (of ``ev``'s article, with ``same_article``) that dates what a
    when-question asks to the day, where ``ev`` gives only the year or the month: "It was
    released ... on November 1, 2007." over the headline's "Girls' Generation (2007 album)
    ...". The fuller date holds the shorter one, and its sentence says as much of what the
    question says happened; in ``ev``'s own article, some of it ("released"), so that another
    event of that year ("recorded in a chapel on March 3, 1998") is not taken for it."""
    short = value_of(ev, question) if question.answer_type == "date" else None
    if short is None or DAY.search(short):
        return ev
    for other in others:
        if (other is ev or same_article and other.article_id != ev.article_id
                or other.predicate_coverage < ev.predicate_coverage or same_article and other.predicate_coverage <= 0):
            continue
        full = value_of(other, question)
        if full and DAY.search(full) and set(words(short)) <= set(words(full)):
            return other
    return ev


# Numbers in words ("sixteen", "five-hundred") and a year ("1951", "the 1950s"), here and in
# the scoring of sentences.
NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                "hundred|thousand|million|billion|dozen|dozens|half")
YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")
# A sentence that dates itself by the one before ("Shortly after, ...", "Two years later, ...",
# "Hours later, ...", "The following year, ..."): its "when" is that sentence's date.
_UNIT = r"(?:moments?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?)"
RELATIVE_TIME = re.compile(
    rf"^(?:(?:(?:shortly|soon|immediately|not long|some time|(?:(?:a|{NUMBER_WORDS}|a few|a couple of|several|\d+)"
    rf"(?:[- ](?:{NUMBER_WORDS}))? )?{_UNIT})\s+)?(?:after(?:wards?)?|later(?: on| in the day)?|thereafter|earlier)"
    r"|(?:(?:later|earlier) |in )?(?:the (?:next|following|previous|same)|that(?: same)?) (?:day|night|morning|"
    r"afternoon|evening|week|month|year|spring|summer|autumn|fall|winter))\s*,", re.IGNORECASE)
_COUNT_WORDS = rf"(?:{NUMBER_WORDS}|a few|several)"
_UNITS = (r"(?:kilo|centi|milli)?(?:metre|meter)s?|km|cm|mm|m(?![a-z])|miles?|mi|feet|foot|ft|inch(?:es)?|"
          r"yards?|acres?|hectares?|ha|km2|m2|sq|square|cubic|tonnes?|tons?|kg|kilograms?|grams?|pounds?|lbs?|"
          r"light[- ]years?|parsecs?|storeys?|stories|floors|cc|litres?|liters?|gallons?|"
          r"years?|seasons?|months?|weeks?|days?|hours?|minutes?|decades?|centuries")
# A number with its unit: "500-metre", "20.5 acres", "hundred-foot", "four hours".
MEASURE = re.compile(rf"(?:\b\d[\d,.]*|\b{_COUNT_WORDS}(?:[- ]{_COUNT_WORDS})*)\s*(?:-\s*)?(?:{_UNITS})\b",
                     re.IGNORECASE)


def measured(text: str, measures: str) -> str | None:
    """The measure a sentence gives to a how-big or how-long question (a year, "since
    1951", answers how long), or None."""
    m = MEASURE.search(text) or (YEAR.search(text) if measures == "long" else None)
    return m.group() if m else None


_COUNT = re.compile(rf"(?<![\w.,$€£¥#\[-])({_ABOUT})(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?({_SCALE})(?![\w,.]\d)")
_NOT_COUNTED = re.compile(
    r"\s*(?:%|percent\b|per\b|square\b|sq\b|km|kilomet|mi\b|miles?\b|met(?:er|re)s?\b|m\b|ft\b|feet\b|foot\b|"
    r"acres?\b|hectares?\b|ha\b|mph\b|kg\b|tons?\b|tonnes?\b|lbs?\b|inch|°|degrees?\b|years?\b|months?\b|"
    r"weeks?\b|days?\b|hours?\b|minutes?\b|seconds?\b|times\b|[-–/:]\s*\d)", re.IGNORECASE)
_PEOPLE = frozenset("people persons inhabitants residents individuals families households citizens "
                    "members employees workers".split())


def count_values(text: str) -> list[str]:
    """The whole numbers of things a sentence gives ("3,559 people", "about 50,000",
    "15 libraries"), with the noun after each: the answers to "how many" and "what is the
    population of".  A share ("9.62%"), a sum of money, a measure ("257.2 per square
    mile", "15,575 square kilometres"), a year ("the 2010 census"), a part of a date, a
    bracketed reference ("[ 11 ]") or a zero-padded code ("04") is not a count."""
    dates: list[tuple[int, int]] | None = None  # read only when a number might be part of one
    out = []
    for m in _COUNT.finditer(text):
        digits, decimals, scale = m.group(2), m.group(3), m.group(4)
        after = text[m.end():]
        if _NOT_COUNTED.match(after) or (decimals and not scale) or digits.startswith("0"):
            continue
        if text[:m.start()].rstrip()[-1:] in ("[", "$", "€", "£", "¥", "#"):
            continue  # "[ 11 ]", "$ 1,455"
        noun = _noun_after(after)
        if noun not in _PEOPLE and "," not in digits:
            if dates is None:
                dates = [d.span() for d in _DATE.finditer(text)]
            if any(a <= m.start(2) < b for a, b in dates):
                continue  # "June 11, 1963", "the 2010 census", unless it counts people ("1066 residents")
        value = m.group().strip()
        out.append(f"{value} {noun}" if noun else value)
    return out


_SPELLED = re.compile(rf"\b(?:{NUMBER_WORDS})(?:[- ](?:{NUMBER_WORDS}))*\b", re.IGNORECASE)


_ONE_OF = frozenset("person man woman child boy girl worker resident".split())
_SCALES = frozenset("hundred thousand million billion dozen dozens half".split())


def spelled_counts(text: str) -> list[str]:
    """Counts written in words, as news style writes small numbers ("four survivors",
    "Three people died"), each with the noun after it (a number word without one is no
    count: "thirteen of the fifteen").  "One" counts a person only ("one person died",
    not "one of the last four survivors")."""
    out = []
    for m in _SPELLED.finditer(text):
        value, after = m.group(), text[m.end():]
        noun = _noun_after(after)
        first = value.lower().split("-")[0].split()[0]
        if not noun or (value.lower() == "one" and noun not in _ONE_OF):
            continue  # "one of the last four"; "one person died" counts
        if first in _SCALES or _NOT_COUNTED.match(after):
            continue  # "(half a) million people", "half the island", "two days", "ten percent"
        out.append(f"{value} {noun}")
    return out


def _noun_after(after: str) -> str:
    """The word after a number, unless it is a dull one ("of", "and", "were"): "" then."""
    nxt = re.match(r"\s+([a-z][a-z-]+)", after)
    return nxt.group(1) if nxt and nxt.group(1) not in _DULL_UNITS else ""


def furniture(name: str) -> bool:
    """Whether a run of capitalised words is mostly page furniture ("Tools Tools",
    "Concept URI Cite"), not a name."""
    ws = [w for w in (w.lower().strip(".,'’") for w in name.split()) if w not in _GLUE]
    return bool(ws) and sum(w in _FURNITURE for w in ws) * 2 > len(ws)


_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")  # "Beethoven's", "Williams'"


def _owner(name: str) -> str:
    """A person's name ends at its possessive: "Ludwig van Beethoven's Symphony No" is
    Ludwig van Beethoven's ("St James's Park" is a place's name, and stays whole)."""
    out = []
    for w in name.split():
        if _POSSESSIVE.search(w):
            out.append(_POSSESSIVE.sub("", w))
            break
        out.append(w)
    return " ".join(out)
