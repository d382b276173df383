"""The site's own pages (About, editorial policy, funding and conflicts of interest,
contact) and the advisors' pages: approved content like the rest, linked from every
page's footer and bylines, described in structured data, listed in the sitemap."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse

from compounds.feedback.service import About
from compounds.models import EvidenceSummary, MedicalAdvisor, ReviewState, SitePage, Version
from compounds.review import workflow
from pages import feedback, trust
from pages.reading import reading
from tests.admin_forms import form_data, submit
from tests.factories import approve_as, confirming, make_site_page, make_user, save_edit
from tests.pages.markup import get_page, sitemap_paths

pytestmark = pytest.mark.usefixtures("live_seed")

ABOUT = SitePage.Kind.ABOUT
ADVISOR = SitePage.Kind.ADVISOR
LEUKEMIA = "/compounds/ketamine/leukemia/does-it-work/"
SEED_PAIRS = [
    "chronic-pain",
    "leukemia",
    "neuropathic-pain",
    "stage-iv-cancer",
    "treatment-resistant-depression",
]
# A page of each kind the site has, and a 404.
EVERY_KIND_OF_PAGE = [
    "/",
    "/compounds/",
    "/compounds/ketamine/",
    "/conditions/leukemia/",
    LEUKEMIA,
    "/research/",
    "/research/low-dose-ketamine-infusions-for-chronic-pain/",
    "/how-we-grade-evidence/",
    "/search/?q=ketamine",
]


def footer_links(client, path="/compounds/", status=200):
    footer = get_page(client, path, status=status).find("nav", aria_label="Footer")
    return dict((text, href) for href, text in footer.links())


@pytest.fixture
def ada(db):
    """A second medical advisor, who approves what the seed's advisor may not."""
    return make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byron")


@pytest.fixture
def nikhil():
    return MedicalAdvisor.objects.get(slug="nikhil-joshi")


@pytest.fixture
def nikhil_page(editor, ada, nikhil):
    """The seed advisor's page, approved by the other advisor."""
    page = make_site_page(kind=ADVISOR, advisor=nikhil, body="Trained in psychiatry.")
    return approve_as(page, editor, ada)


# The workflow -------------------------------------------------------------------------------


def test_a_draft_site_page_is_not_public(client):
    make_site_page(body="Words nobody approved.")
    get_page(client, "/about/", status=404)
    assert "About us" not in footer_links(client)


def test_an_approved_site_page_is_public(client, publish):
    publish(make_site_page(title="About Insight Swarm", body="We review research."))
    page = get_page(client, "/about/")
    assert page.find("h1").text == "About Insight Swarm"
    assert "We review research." in page.main.text
    assert "Approved by Nikhil Joshi, MD, FRCPC" in page.main.text


def test_an_edit_reaches_the_page_only_once_approved(client, publish, edit, editor, advisor, ada):
    page = publish(make_site_page(body="First words."))
    edited = edit(page, body="Second words.")
    assert "First words." in get_page(client, "/about/").main.text
    workflow.submit(edited, editor)
    assert "Second words." not in get_page(client, "/about/").main.text
    workflow.approve(edited, advisor, comment=confirming(edited))
    assert "Second words." in get_page(client, "/about/").main.text


def test_a_withdrawn_site_page_leaves_its_address_and_every_footer(client, publish, withdraw):
    page = publish(make_site_page())
    assert footer_links(client)["About us"] == "/about/"
    withdraw(page)
    get_page(client, "/about/", status=404)
    assert "About us" not in footer_links(client)


def test_an_advisor_may_not_approve_their_own_page(editor, advisor, ada, nikhil):
    page = workflow.submit(make_site_page(kind=ADVISOR, advisor=nikhil, body="Mine."), editor)
    with pytest.raises(workflow.ReviewError, match="your own page"):
        workflow.approve(page, advisor)
    assert workflow.approve(page, ada).is_live


def test_without_four_eyes_an_advisor_may_approve_their_own_page(settings, editor, advisor, nikhil):
    settings.REVIEW_FOUR_EYES = False
    page = workflow.submit(make_site_page(kind=ADVISOR, advisor=nikhil, body="Mine."), editor)
    assert workflow.approve(page, advisor).is_live


def test_each_approval_of_a_site_page_is_a_version_naming_its_advisor(publish, edit, nikhil):
    page = publish(make_site_page(body="First words."))
    page = publish(edit(page, body="Second words."))
    versions = Version.objects.of(page).order_by("-number")
    shown = [(v.number, v.data["body"], v.reviewer_id) for v in versions]
    assert shown == [(2, "Second words.", nikhil.pk), (1, "First words.", nikhil.pk)]


# What editors may write ---------------------------------------------------------------------


def test_the_body_shows_paragraphs_headings_lists_and_links_and_never_html(client, publish):
    body = (
        "Intro <b>not bold</b>.\n\n## How we work\n\n- One\n- Two, see [grading]"
        "(/how-we-grade-evidence/)\n\nNot a link: [x](javascript:alert(1))."
    )
    publish(SitePage.objects.create(kind=ABOUT, title="About", body=body))
    page = get_page(client, "/about/")
    main = page.main
    assert "Intro <b>not bold</b>." in [p.text for p in main.find_all("p")]
    assert main.find("b") is None
    assert [h.text for h in main.find_all("h2")] == ["How we work"]
    assert [li.text for li in main.find("article").find_all("li")] == ["One", "Two, see grading"]
    assert ("/how-we-grade-evidence/", "grading") in main.links()
    assert not any(href.startswith("javascript:") for href, _ in main.links())


def test_the_change_form_refuses_html_and_links_that_go_nowhere():
    page = SitePage(kind=ABOUT, title="About", body="<script>x</script> [here](javascript:x)")
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert len(refused.value.message_dict["body"]) == 2


@pytest.mark.parametrize(
    "address", ["/contact/", "https://www.nhs.uk/", "mailto:editors@example.org"]
)
def test_links_go_to_this_site_to_https_addresses_or_to_email(address):
    SitePage(kind=ABOUT, title="About", body=f"[here]({address})").full_clean()


def test_the_site_has_one_page_of_each_kind():
    make_site_page()
    with pytest.raises(ValidationError):
        SitePage(kind=ABOUT, title="Another", body="Words.").full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        make_site_page()


def test_an_advisors_page_names_its_advisor_and_no_title(nikhil):
    with pytest.raises(ValidationError) as refused:
        SitePage(kind=ADVISOR, advisor=nikhil, title="Dr", body="Words.").full_clean()
    assert "title" in refused.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        SitePage.objects.create(kind=ADVISOR, body="Whose?")
    with transaction.atomic(), pytest.raises(IntegrityError):
        SitePage.objects.create(kind=ABOUT, advisor=nikhil, title="About", body="Words.")


# The footer ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_KIND_OF_PAGE)
def test_every_page_links_the_live_site_pages_in_its_footer_and_no_others(
    client, publish, nikhil_page, path
):
    publish(make_site_page(kind=ABOUT))
    publish(make_site_page(kind=SitePage.Kind.CONTACT, title="Contact us"))
    make_site_page(kind=SitePage.Kind.FUNDING, title="Funding")  # a draft
    links = footer_links(client, path)
    assert links["About us"] == "/about/"
    assert links["Contact us"] == "/contact/"
    assert links["Our medical advisors"] == "/advisors/"
    assert "Funding and conflicts of interest" not in links
    assert "Editorial policy" not in links


def test_the_not_found_page_links_the_live_site_pages_too(client, publish):
    publish(make_site_page(kind=ABOUT))
    assert footer_links(client, "/no-such-page/", status=404)["About us"] == "/about/"


def test_without_a_live_advisors_page_the_footer_has_no_advisors_list(client):
    assert "Our medical advisors" not in footer_links(client)
    get_page(client, "/advisors/", status=404)


# The advisors' pages ------------------------------------------------------------------------


def test_an_advisors_page_names_them_and_lists_the_live_reviews_they_approved(client, nikhil_page):
    page = get_page(client, "/advisors/nikhil-joshi/")
    assert page.find("h1").text == "Nikhil Joshi , MD, FRCPC"
    assert "Trained in psychiatry." in page.main.text
    assert "Nikhil Joshi approved the current version of 5 reviews on this site." in page.main.text
    listed = [href for href, _ in page.find("ul", class_="reviewed").links()]
    assert sorted(listed) == [f"/compounds/ketamine/{c}/does-it-work/" for c in SEED_PAIRS]


def test_a_review_approved_since_by_another_advisor_leaves_the_list(
    client, nikhil_page, editor, ada
):
    leukemia = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    approve_as(save_edit(leukemia, editor, human_evidence="Reviewed again."), editor, ada)
    page = get_page(client, "/advisors/nikhil-joshi/")
    assert "approved the current version of 4 reviews" in page.main.text
    assert LEUKEMIA not in [href for href, _ in page.find("ul", class_="reviewed").links()]


def test_a_long_list_shows_the_count_and_the_latest_first(
    client, monkeypatch, nikhil_page, editor, advisor, django_assert_max_num_queries
):
    monkeypatch.setattr(trust, "REVIEWS_LISTED", 2)
    leukemia = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    approve_as(save_edit(leukemia, editor, human_evidence="Reviewed again."), editor, advisor)
    # The site's pages, the advisor's page, and the list with its count: one query each.
    with django_assert_max_num_queries(3):
        page = get_page(client, "/advisors/nikhil-joshi/")
    assert "approved the current version of 5 reviews on this site. The latest 2:" in (
        page.main.text
    )
    listed = [href for href, _ in page.find("ul", class_="reviewed").links()]
    assert len(listed) == 2 and listed[0] == LEUKEMIA


def test_the_advisors_list_names_each_advisor_with_a_live_page(client, nikhil_page):
    page = get_page(client, "/advisors/")
    assert ("/advisors/nikhil-joshi/", "Nikhil Joshi") in page.main.links()
    assert "MD, FRCPC" in page.main.text


def test_an_advisor_without_a_live_page_has_none(client, editor, ada, nikhil):
    make_site_page(kind=ADVISOR, advisor=nikhil, body="Draft.")
    get_page(client, "/advisors/nikhil-joshi/", status=404)


@pytest.mark.parametrize(
    "path",
    [
        LEUKEMIA,
        "/compounds/ketamine/",
        "/conditions/leukemia/",
        "/research/low-dose-ketamine-infusions-for-chronic-pain/",
    ],
)
def test_the_byline_links_the_advisors_page_once_it_is_live(client, editor, ada, nikhil, path):
    byline = get_page(client, path).find("p", class_="byline")
    assert "/advisors/nikhil-joshi/" not in [href for href, _ in byline.links()]
    approve_as(make_site_page(kind=ADVISOR, advisor=nikhil, body="Words."), editor, ada)
    byline = get_page(client, path).find("p", class_="byline")
    assert ("/advisors/nikhil-joshi/", "Nikhil Joshi, MD, FRCPC") in byline.links()


def test_the_byline_links_the_research_team_to_the_about_page_once_it_is_live(client, publish):
    assert get_page(client, LEUKEMIA).find("p", class_="byline").links() == []
    publish(make_site_page(kind=ABOUT))
    byline = get_page(client, LEUKEMIA).find("p", class_="byline")
    assert ("/about/", "Insight Swarm Research Team") in byline.links()


# What the site's settings make it say -------------------------------------------------------


def _policy(client, publish, kind):
    publish(make_site_page(kind=kind, title="Policy"))
    return get_page(client, trust.address(kind, kind)).main.text


def test_the_editorial_policy_says_when_pages_are_due_for_review(client, publish, settings):
    settings.REVIEW_INTERVAL_MONTHS = 6
    text = _policy(client, publish, SitePage.Kind.EDITORIAL_POLICY)
    assert "Each page is due for review 6 months after it was approved." in text


@pytest.mark.parametrize("four_eyes", [True, False])
def test_the_editorial_policy_states_the_four_eyes_rule_only_while_it_holds(
    client, publish, settings, four_eyes
):
    settings.REVIEW_FOUR_EYES = four_eyes
    text = _policy(client, publish, SitePage.Kind.EDITORIAL_POLICY)
    rule = "Whoever changed a page since it was last approved may not approve it"
    assert (rule in text) == four_eyes


def test_the_funding_page_names_the_advertisement_review_pages_carry(client, publish, settings):
    settings.CTA_URL = "https://reports.example.com/order"
    settings.CTA_TEXT = "Order a report"
    text = _policy(client, publish, SitePage.Kind.FUNDING)
    assert (
        "Review pages end with a link to reports.example.com: “Order a report”. It is an "
        "advertisement, marked “Advertisement: not part of this review”." in text
    )


def test_the_funding_page_says_there_is_no_advertising_when_there_is_none(client, publish):
    text = _policy(client, publish, SitePage.Kind.FUNDING)
    assert "This site carries no advertising." in text


# Structured data ----------------------------------------------------------------------------


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://www.example.org"
    return settings.SITE_URL


def test_the_home_page_describes_the_organization_its_policy_and_contact(client, publish, site_url):
    publish(make_site_page(kind=SitePage.Kind.EDITORIAL_POLICY, title="Policy"))
    publish(make_site_page(kind=SitePage.Kind.CONTACT, title="Contact us"))
    (organization,) = get_page(client, "/").json_ld_of_type("Organization")
    assert organization["@id"] == f"{site_url}/#organization"
    assert organization["name"] == "Insight Swarm"
    assert organization["logo"].startswith(f"{site_url}/static/")
    assert organization["publishingPrinciples"] == f"{site_url}/editorial-policy/"
    assert organization["contactPoint"]["url"] == f"{site_url}/contact/"


def test_without_a_live_contact_page_the_organization_gives_no_contact_point(client, site_url):
    (organization,) = get_page(client, "/").json_ld_of_type("Organization")
    assert "contactPoint" not in organization and "publishingPrinciples" not in organization


@pytest.mark.parametrize("path", ["/compounds/", LEUKEMIA, "/about/"])
def test_pages_name_the_organization_as_publisher_by_its_id(client, publish, site_url, path):
    publish(make_site_page(kind=ABOUT))
    (data,) = [block for block in get_page(client, path).json_ld if "publisher" in block]
    assert data["publisher"]["@id"] == f"{site_url}/#organization"


@pytest.mark.parametrize(
    ("kind", "schema_type"),
    [
        (SitePage.Kind.ABOUT, "AboutPage"),
        (SitePage.Kind.CONTACT, "ContactPage"),
        (SitePage.Kind.EDITORIAL_POLICY, "WebPage"),
    ],
)
def test_site_pages_are_described_as_their_kind_of_page(client, publish, kind, schema_type):
    publish(make_site_page(kind=kind, title="A page"))
    assert get_page(client, trust.address(kind, kind)).json_ld_of_type(schema_type)


def test_an_advisors_page_is_the_profile_page_of_a_person(client, nikhil_page, site_url):
    (profile,) = get_page(client, "/advisors/nikhil-joshi/").json_ld_of_type("ProfilePage")
    assert profile["mainEntity"] == {
        "@type": "Person",
        "@id": f"{site_url}/advisors/nikhil-joshi/#person",
        "name": "Nikhil Joshi",
        "honorificSuffix": "MD, FRCPC",
        "url": f"{site_url}/advisors/nikhil-joshi/",
    }


def test_review_pages_point_reviewed_by_at_the_advisors_page(client, site_url, editor, ada, nikhil):
    (before,) = get_page(client, LEUKEMIA).json_ld_of_type("MedicalWebPage")
    assert "url" not in before["reviewedBy"]
    approve_as(make_site_page(kind=ADVISOR, advisor=nikhil, body="Words."), editor, ada)
    (after,) = get_page(client, LEUKEMIA).json_ld_of_type("MedicalWebPage")
    assert after["reviewedBy"]["@type"] == "Person"
    assert after["reviewedBy"]["url"] == f"{site_url}/advisors/nikhil-joshi/"
    assert after["reviewedBy"]["@id"] == f"{site_url}/advisors/nikhil-joshi/#person"


# The sitemap --------------------------------------------------------------------------------


def test_the_sitemap_lists_the_live_site_pages_and_advisors_pages(client, publish, nikhil_page):
    publish(make_site_page(kind=ABOUT))
    make_site_page(kind=SitePage.Kind.CONTACT, title="Contact us")  # a draft
    paths = sitemap_paths(client)
    assert {"/about/", "/advisors/", "/advisors/nikhil-joshi/"} <= set(paths)
    assert "/contact/" not in paths


def test_the_sitemap_leaves_out_withdrawn_site_pages(client, publish, withdraw):
    page = publish(make_site_page(kind=ABOUT))
    withdraw(page)
    assert "/about/" not in sitemap_paths(client)


# What the advisor signs ---------------------------------------------------------------------


def test_the_review_screen_shows_the_site_page_as_patients_will_read_it(
    client, publish, edit, editor, advisor
):
    page = publish(make_site_page(body="First words."))
    edited = workflow.submit(edit(page, body="## Who we are\n\nSecond words."), editor)
    reading = reading_of(edited, advisor)
    (shown,) = reading.pages
    assert shown.address == "/about/"
    assert "First words." in shown.before and "Second words." not in shown.before
    assert {"Who we are", "Second words."} <= set(shown.after)
    client.force_login(advisor)
    review = client.get(f"/admin/compounds/sitepage/{page.pk}/review/").content.decode()
    assert "Second words." in review


def test_a_new_advisors_page_is_shown_at_its_address_with_their_reviews(editor, ada, nikhil):
    page = workflow.submit(make_site_page(kind=ADVISOR, advisor=nikhil, body="New."), editor)
    (shown,) = reading_of(page, ada).pages
    assert shown.address == "/advisors/nikhil-joshi/" and shown.before == []
    assert "Nikhil Joshi, MD, FRCPC" in shown.after
    assert "Nikhil Joshi approved the current version of 5 reviews on this site." in shown.after


def test_the_staff_preview_shows_the_working_copy(client, publish, edit, advisor):
    page = edit(publish(make_site_page(body="First words.")), body="Unapproved words.")
    client.force_login(advisor)
    preview = get_page(client, f"/admin/compounds/sitepage/{page.pk}/preview/")
    assert "Unapproved words." in preview.main.text
    assert "Unapproved words." not in get_page(client, "/about/").main.text


def reading_of(obj, user):
    request = RequestFactory().get("/")
    request.user = user
    return reading(request, obj)


def test_an_editor_writes_the_contact_page_and_an_advisor_approves_it_in_the_admin(
    client, editor, advisor
):
    client.force_login(editor)
    add = reverse("admin:compounds_sitepage_add")
    response = client.post(
        add,
        form_data(
            client.get(add),
            "Save and submit for review",
            kind="contact",
            title="Contact us",
            body="Use the form at the foot of each page.",
        ),
    )
    assert response.status_code == 302
    page = SitePage.objects.get(kind="contact")
    assert page.review_state == ReviewState.IN_REVIEW
    get_page(client, "/contact/", status=404)

    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_sitepage_review", args=[page.pk]))
    assert submit(client, review, "Approve").status_code == 302
    client.logout()
    assert "Use the form at the foot of each page." in get_page(client, "/contact/").main.text


def test_the_change_form_says_what_in_the_body_would_not_show(client, editor):
    client.force_login(editor)
    add = reverse("admin:compounds_sitepage_add")
    response = client.post(
        add,
        form_data(client.get(add), "Save", kind="about", title="About", body="<b>Bold</b> words."),
    )
    assert response.status_code == 200
    assert "is HTML, which pages show as typed" in response.content.decode()
    assert not SitePage.objects.exists()


# Readers' reports ---------------------------------------------------------------------------


def test_a_report_from_a_site_page_is_about_that_page(publish, nikhil_page):
    about = publish(make_site_page(title="About Insight Swarm"))
    assert feedback.about("/about/") == About(SitePage, about.pk, "About Insight Swarm")
    assert feedback.about("/advisors/nikhil-joshi/") == About(
        SitePage, nikhil_page.pk, "Nikhil Joshi"
    )
    assert feedback.about("/contact/") is None
