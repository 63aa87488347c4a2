"""HTML pages as a user feeds them: hidden text, structured data, junk refused, metadata as data."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.meta import clean_field, split_people, strip_site_name
from ingest.readers import ReaderOptions, iter_articles
from ingest.types import RawArticle
from retrieval.common.errors import SourceError

PARAGRAPHS = [
    "The river rose three metres overnight, forcing hundreds of residents of Millbrook to leave their homes "
    "before dawn on Tuesday, the county emergency office said.",
    "Volunteers filled sandbags at the fire station while the mayor asked people living near the old mill "
    "to move their cars to higher ground and to stay away from the bridges.",
    "Forecasters expect the water to fall slowly over the next two days, although more rain is due at the "
    "weekend and the ground is already saturated across the whole valley.",
    "Insurance companies said claims would be handled quickly, and the regional government promised an "
    "emergency fund for the shops along the river front that were flooded.",
]


def page(body: str, head: str = "", title: str = "Flood hits river town") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>{head}</head>"
        f"<body><header><a href='/'>Home</a></header><article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright Daily Courier</footer></body></html>"
    )


def paragraphs(items: list[str] = PARAGRAPHS) -> str:
    return "".join(f"<p>{p}</p>" for p in items)


def json_ld(**fields: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", **fields}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def read_page(tmp_path: Path, html: str, name: str = "page.html") -> RawArticle | SourceError:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    results = list(iter_articles([str(path)], ReaderOptions()))
    assert len(results) == 1, results
    return results[0]


def article_of(tmp_path: Path, html: str) -> RawArticle:
    result = read_page(tmp_path, html)
    assert isinstance(result, RawArticle), result
    return result


def refusal_of(tmp_path: Path, html: str, name: str = "page.html") -> str:
    result = read_page(tmp_path, html, name)
    assert isinstance(result, SourceError), f"stored as an article: {result.title!r} {result.text[:200]!r}"
    assert result.source == str(tmp_path / name)
    assert "\n" not in str(result)
    return result.reason


# --- issue 10.7: text hidden from readers is not evidence ----------------------


def test_hidden_elements_are_not_read(tmp_path: Path) -> None:
    hidden = [
        "<p hidden>The White House said the call never took place and called the report a hoax.</p>",
        '<p style="display: none">Officials privately confirmed that the dam had been sabotaged overnight.</p>',
        '<div style="VISIBILITY:hidden"><p>The mayor admitted that the evacuation order was a mistake.</p></div>',
        '<p aria-hidden="true">Residents were told the flood was caused by a secret weather experiment.</p>',
        "<template><p>The governor resigned this morning after the flood response failed.</p></template>",
        "<noscript><p>Please enable JavaScript to read that the bridge collapsed completely.</p></noscript>",
    ]
    body = PARAGRAPHS[0] and f"<p>{PARAGRAPHS[0]}</p>{''.join(hidden)}" + paragraphs(PARAGRAPHS[1:])
    article = article_of(tmp_path, page(body))
    for phrase in ("never took place", "sabotaged", "admitted", "weather experiment", "governor resigned",
                   "bridge collapsed"):
        assert phrase not in article.text
    assert PARAGRAPHS[0] in article.text and PARAGRAPHS[3] in article.text


def test_aria_hidden_wrapper_of_the_whole_page_is_kept(tmp_path: Path) -> None:
    # A page saved while a dialog was open hides everything else from screen readers only.
    article = article_of(tmp_path, page(f'<div aria-hidden="true">{paragraphs()}</div>'))
    assert PARAGRAPHS[2] in article.text


def test_hard_wrapped_source_lines_read_as_whole_sentences(tmp_path: Path) -> None:
    # A page written with its paragraphs wrapped in the HTML source shows whole sentences in a
    # browser; the stored text has them too (a quote can run on to the next sentence), while
    # <br> and preformatted code keep their lines.  (A paragraph with inline code is where
    # trafilatura keeps the source's line breaks.)
    wrapped = ["<p>" + p.replace(" before dawn", "\nbefore dawn").replace(" the county", "\r\nthe <code>county</code>")
               + "</p>" for p in PARAGRAPHS[:1]]
    body = "".join(wrapped) + paragraphs(PARAGRAPHS[1:3]) + (
        "<p>Roads closed:<br>Mill Lane<br>River Street</p><pre>level = 3.0\nrising = True</pre>"
        '<div style="white-space: pre">Gauge  Level\nMill   3.0</div>')
    article = article_of(tmp_path, page(body))
    assert PARAGRAPHS[0] in article.text, article.text
    assert "Roads closed:\nMill Lane\nRiver Street" in article.text, article.text
    assert "level = 3.0\nrising = True" in article.text, article.text
    assert "Gauge Level\nMill 3.0" in article.text, article.text


# --- issue 10.7: metadata fields are data ---------------------------------------


def test_html_metadata_is_plain_capped_text(tmp_path: Path) -> None:
    head = '<meta name="author" content="Jane &lt;b&gt;Roe&lt;/b&gt;\u0007">'
    html = page(paragraphs(), head=head, title="Budget &lt;script&gt;alert(1)&lt;/script&gt; report " + "x" * 5000)
    article = article_of(tmp_path, html)
    assert "<" not in article.title and "script" not in article.title.replace("alert", "")
    assert len(article.title) <= 301
    assert article.author == "Jane Roe"


def test_clean_field_makes_one_plain_line() -> None:
    assert clean_field("  Jane\n<i>Roe</i>\x1b[31m ") == "Jane Roe [31m"
    assert clean_field({"name": "Reuters"}) == "Reuters"
    assert clean_field(["A. Smith", {"name": "B. Jones"}, None]) == "A. Smith, B. Jones"
    assert clean_field("word " * 100, limit=20) == "word word word word…"
    assert clean_field("<br>") is None and clean_field(None) is None and clean_field(True) is None


# --- issue 13.2: junk is not stored as an article -------------------------------


def test_angular_template_page_is_refused(tmp_path: Path) -> None:
    body = (
        "<h2>Modification de page en cours</h2>"
        "<p>{{nrco.contentDetailController.content.status === 'published' ? 'Publié' : 'Brouillon'}}</p>"
        "<p>{{nrco.contentDetailController.content.title}}</p>"
        "<p>{{nrco.contentDetailController.content.chapo}} {{nrco.contentDetailController.content.body}}</p>"
    )
    reason = refusal_of(tmp_path, page(body, title="Family Park"), "angular.html")
    assert "template" in reason


def test_article_body_from_json_ld_beats_a_photo_caption(tmp_path: Path) -> None:
    # All the page shows (the article is drawn by scripts) is a long photo caption.
    caption = (
        "<div class='photo'><img src='a.jpg'><p>Volunteers fill sandbags at the Millbrook fire station on "
        "Tuesday morning as the river keeps rising; behind them, the old mill and the bridge over the river, "
        "closed to traffic since Monday night, when the water first reached the road. The county expects the "
        "flood to peak on Wednesday. (Photo: J. Roe)</p></div>"
    )
    head = json_ld(headline="Flood hits river town", articleBody="\n\n".join(PARAGRAPHS * 2),
                   datePublished="2024-03-05T10:00:00Z")
    article = article_of(tmp_path, page(caption, head=head))
    assert all(p in article.text for p in PARAGRAPHS)
    assert "Photo: J. Roe" not in article.text
    assert any("articleBody" in warning for warning in article.warnings)


def test_visible_article_is_not_replaced_by_structured_data(tmp_path: Path) -> None:
    head = json_ld(headline="Flood hits river town", articleBody="A different text the page never shows. " * 3)
    article = article_of(tmp_path, page(paragraphs(), head=head))
    assert "never shows" not in article.text and PARAGRAPHS[1] in article.text


def test_blank_lines_and_teaser_list_are_dropped(tmp_path: Path) -> None:
    teasers = [
        "Council approves new budget for the coming year",
        "Local team wins the county cup final at last",
        "Storm warning issued for the coast this weekend",
        "New bike lanes open along the riverside road",
        "Steel plant to close by the end of next year",
        "School holidays moved because of the elections",
    ]
    body = (
        paragraphs(PARAGRAPHS[:3])
        + "<p>&nbsp;<br>&nbsp;</p>" * 20 + "<p> <br> </p>" * 7 + "<p>\u2800</p>" * 7
        + "".join(f"<p><a href='/story/{i}'>{t}</a></p>" for i, t in enumerate(teasers))
    )
    article = article_of(tmp_path, page(body))
    assert article.text.endswith("\n".join(PARAGRAPHS[:3]))  # after the headline
    assert not any(teaser in article.text for teaser in teasers)
    assert all(line.strip("\u2800 ") for line in article.text.split("\n"))


def test_navigation_only_page_is_refused(tmp_path: Path) -> None:
    sections = ["World news today", "Business and markets", "Sport results and fixtures", "Culture and arts",
                "Science and technology", "Health and wellbeing", "Travel guides and tips", "Opinion and comment",
                "Local news in brief", "Weather for the week", "Obituaries and notices", "Letters to the editor",
                "Photo galleries of the week", "Video reports and clips", "Podcasts and audio", "Puzzles and games",
                "Jobs and careers", "Property for sale", "Contact the newsroom"]
    body = "<ul>" + "".join(f"<li><a href='/s/{i}'>{s}</a></li>" for i, s in enumerate(sections)) + "</ul>"
    reason = refusal_of(tmp_path, page(body, title="menu"), "menu.html")
    assert "links" in reason


def test_page_with_far_fewer_words_than_announced_is_refused(tmp_path: Path) -> None:
    head = json_ld(headline="Flood hits river town", wordCount=1800)
    reason = refusal_of(tmp_path, page(f"<p>{PARAGRAPHS[0]}</p>", head=head), "teaser.html")
    assert "1800" in reason


# --- issue 13.3: dates, authors and titles ---------------------------------------


def test_the_articles_own_published_date_wins(tmp_path: Path) -> None:
    head = json_ld(headline="Flood hits river town", datePublished="2013-06-02T08:00:00+02:00",
                   dateModified="2019-11-20T10:00:00+01:00")
    body = ("<p class='date'>Updated 20 November 2019</p>" + paragraphs()
            + "<aside><time datetime='2019-11-20'>20 Nov 2019</time> Related story</aside>")
    article = article_of(tmp_path, page(body, head=head))
    assert article.published == "2013-06-02T08:00:00+02:00"


def test_publisher_is_not_the_author(tmp_path: Path) -> None:
    head = (
        '<meta name="author" content="SPIEGEL ONLINE; Hamburg; Germany">'
        + json_ld(headline="Ein Albtraum", author=[{"@type": "Organization", "name": "SPIEGEL ONLINE"}],
                  publisher={"@type": "Organization", "name": "SPIEGEL ONLINE"})
    )
    body = paragraphs() + "<div class='dig-autoren'>Von Clemens Höges</div>"
    article = article_of(tmp_path, page(body, head=head, title="Ein Albtraum - DER SPIEGEL 52/2018"))
    assert article.author == "Clemens Höges"
    assert article.source == "SPIEGEL ONLINE"


def test_site_names_are_stripped_from_titles(tmp_path: Path) -> None:
    dw = page(paragraphs(), head='<meta property="og:site_name" content="DW.COM">',
              title="Berlin confronts Germany's colonial past | Germany| News and in-depth reporting | DW | 19.01.2020")
    assert article_of(tmp_path, dw).title == "Berlin confronts Germany's colonial past"
    kulu = page(paragraphs(), head='<meta property="og:site_name" content="Kulu Media">',
                title="Meta Outage Hits Facebook, Instagram and Messenger | Kulu Media")
    assert article_of(tmp_path, kulu).title == "Meta Outage Hits Facebook, Instagram and Messenger"


def test_strip_site_name_keeps_headlines_with_dashes() -> None:
    assert strip_site_name("Trump - Putin call denied by Kremlin", ["Reuters"]) == "Trump - Putin call denied by Kremlin"
    assert strip_site_name("What is Rust? - Stack Overflow Blog", ["Stack Overflow Blog"]) == "What is Rust?"
    assert strip_site_name("Musik-Stars fordern neues Streaming-Modell", ["FAZ"]) == "Musik-Stars fordern neues Streaming-Modell"


def test_split_people_keeps_people_and_moves_organizations() -> None:
    assert split_people(["Deutsche Welle (www.dw.com)"]) == (None, "Deutsche Welle (www.dw.com)")
    assert split_people(["Jane Roe and John Doe"]) == ("Jane Roe, John Doe", None)
    assert split_people(["The Planetary Press"], ["The Planetary Press"]) == (None, "The Planetary Press")
    assert split_people(["Ursula von der Leyen"]) == ("Ursula von der Leyen", None)
