"""The small markup of the site's own pages (compounds/site_text.py): what it reads as,
what it refuses, and what the content checks read of it."""

from compounds import site_text
from compounds.models import SitePage
from compounds.review import content_checks
from compounds.site_text import Block, Link


def test_empty_lines_part_paragraphs_and_lines_join_within_one():
    assert site_text.blocks("One\ntwo.\n\n\nThree.") == [
        Block("paragraph", parts=["One two."]),
        Block("paragraph", parts=["Three."]),
    ]


def test_headings_and_lists_are_read_as_such():
    text = "## Who we are\n- First\n- Second\nAfter.\n\n- Again"
    assert site_text.blocks(text) == [
        Block("heading", parts=["Who we are"]),
        Block("list", items=[["First"], ["Second"]]),
        Block("paragraph", parts=["After."]),
        Block("list", items=[["Again"]]),
    ]


def test_links_are_parts_of_their_line():
    (block,) = site_text.blocks("See [how we grade](/how-we-grade-evidence/), then write.")
    assert block.parts == [
        "See ",
        Link("how we grade", "/how-we-grade-evidence/"),
        ", then write.",
    ]


def test_a_link_to_an_address_no_link_may_have_stays_text_and_is_refused():
    for address in ("javascript:alert(1)", "http://example.org/", "//example.org/", "data:x"):
        text = f"Go [there]({address})."
        (block,) = site_text.blocks(text)
        assert block.parts == [text]
        assert len(site_text.problems(text)) == 1, address


def test_html_is_refused_and_would_show_as_typed():
    assert site_text.problems("Plain <em>words</em>.")
    (block,) = site_text.blocks("Plain <em>words</em>.")
    assert block.parts == ["Plain <em>words</em>."]
    assert site_text.problems("Five < six and 7 > 2.") == []


def test_plain_text_has_no_markup():
    text = "## Who\n\nRead [this](/about/).\n\n- One\n- Two"
    assert site_text.plain(text) == "Who\nRead this.\nOne\nTwo"


def test_the_content_checks_read_the_body_as_readers_read_it():
    page = SitePage(
        kind=SitePage.Kind.ABOUT,
        title="About",
        body="[A link with a long address](/how-we-grade-evidence/) is read as its words.",
    )
    (title, body) = content_checks.texts(page)
    assert body.value == "A link with a long address is read as its words."


def test_the_content_checks_flag_a_promise_on_a_site_page():
    page = SitePage(kind=SitePage.Kind.ABOUT, title="About", body="Our reviews are proven.")
    assert [finding.kind for finding in content_checks.findings(page)] == [content_checks.PROMISE]
