"""The retraction watch: a notice on a cited study reaches the advisors' queue and the
pages of every pair citing it, and leaves the pages' sentence once an advisor decides.

Answers are recorded (tests/compounds/recorded/README.md); the studies are fixtures under
Crossref's test prefix 10.5555 and PMIDs 9999999xx.
"""

import datetime
import re
import urllib.error

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from compounds.evidence import StudyDesign
from compounds.models import (
    EvidenceSummary,
    NoticeReview,
    Reference,
    ReviewAction,
    ReviewEvent,
    StudyCheck,
    StudyNotice,
)
from compounds.watch import retractions
from compounds.watch import sources as watch_sources
from pages import cache as page_cache
from tests import site_wsgi as site
from tests.admin_forms import press
from tests.factories import approve_as, save_edit
from tests.sources import RecordedClock

pytestmark = pytest.mark.usefixtures("live_seed")

RETRACTED_DOI = "10.5555/recorded-retracted-study"
NOTICE = "https://doi.org/10.5555/recorded-retraction-notice"
PAGES = ["does-it-work", "evidence-level", "interactions", "safety"]
PAIRS = ["leukemia", "chronic-pain"]
SENTENCE = (
    "A study this review cites has been retracted, and our medical advisors are checking "
    "the review; the notice is linked under References."
)
MONTH = datetime.timedelta(days=30)


def summary(condition):
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)


def text_of(page):
    """A page's words as a reader sees them, tags dropped and spaces joined."""
    html = page.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.fixture
def clock():
    return RecordedClock()


@pytest.fixture
def client_of_sources(sources, settings, clock):
    settings.WATCH_CONTACT_EMAIL = "editors@example.org"
    return sources_client(clock)


def sources_client(clock):
    return watch_sources.SourceClient(clock=clock)


@pytest.fixture(autouse=True)
def no_sleeping(monkeypatch):
    """A run through the command keeps the sources' intervals without waiting for them."""
    monkeypatch.setattr(watch_sources.SystemClock, "sleep", lambda self, seconds: None)


@pytest.fixture
def cited(editor, advisor):
    """The retracted study, cited by two live pairs whose approved versions cite it."""
    for condition in PAIRS:
        pair = summary(condition)
        Reference.objects.create(
            summary=pair,
            doi=RETRACTED_DOI,
            title="Recorded test record: a trial later retracted",
            journal="Journal of Recorded Test Records",
            year=2021,
            study_design=StudyDesign.RCT,
            participants=40,
        )
        approve_as(save_edit(pair, editor), editor, advisor)
    return [summary(condition) for condition in PAIRS]


@pytest.fixture
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until = 0.0
    page_cache._refreshed_at = float("-inf")
    yield
    cache.clear()


def run_watch(django_capture_on_commit_callbacks, *args):
    """The command as cron runs it, with what its commits trigger."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("watch_retractions", *args, verbosity=0)


def only_dois():
    """Leaves the seed's own studies out of a run, as checked a moment ago: a test is about
    the fixture DOIs (10.5555/...) it cites."""
    retractions.enrol_cited_studies()
    StudyCheck.objects.exclude(identifier__startswith="10.5555/").update(
        checked_at=datetime.datetime.now(datetime.UTC)
    )


# Reading the sources' answers


def test_crossref_updated_by_gives_the_retraction_with_its_notice_and_source():
    import json

    from tests.sources import recorded

    answer = json.loads(recorded("crossref_work_retracted.json"))
    assert retractions.crossref_notices(RETRACTED_DOI, answer) == [
        retractions.Found(
            StudyNotice.Kind.RETRACTION, NOTICE, "Retraction Watch", datetime.date(2026, 11, 20)
        )
    ]


def test_a_correction_is_read_and_an_addendum_says_nothing_against_the_study():
    import json

    from tests.sources import recorded

    answer = json.loads(recorded("crossref_work_corrected.json"))
    (found,) = retractions.crossref_notices("10.5555/recorded-corrected-study", answer)
    assert (found.kind, found.link, found.source) == (
        StudyNotice.Kind.CORRECTION,
        "https://doi.org/10.5555/recorded-correction-notice",
        "Crossref",
    )


def test_a_work_without_updates_has_no_notice():
    import json

    from tests.sources import recorded

    answer = json.loads(recorded("crossref_work.json"))
    assert retractions.crossref_notices("10.5555/recorded-test-record", answer) == []


@pytest.mark.parametrize(
    "answer", [{}, {"message": None}, {"message": {"updated-by": {"DOI": "x"}}}, []]
)
def test_a_crossref_answer_without_its_documented_shape_is_unreadable(answer):
    with pytest.raises(retractions.Unreadable):
        retractions.crossref_notices(RETRACTED_DOI, answer)


def test_pubmed_gives_the_retraction_notice_of_a_retracted_publication():
    import json

    from tests.sources import recorded

    answer = json.loads(recorded("pubmed_esummary_retracted.json"))
    found = retractions.pubmed_notices(answer, ["999999901", "999999902", "999999904"])
    assert found == {
        "999999901": [],
        "999999902": [
            retractions.Found(
                StudyNotice.Kind.RETRACTION, "https://pubmed.ncbi.nlm.nih.gov/999999903/", "PubMed"
            )
        ],
    }


def test_a_pubmed_answer_without_a_result_is_unreadable():
    with pytest.raises(retractions.Unreadable):
        retractions.pubmed_notices({"header": {"type": "esummary"}}, ["999999901"])


# A retraction reaches the queue and the pages, and leaves the pages after the decision


def test_a_retraction_of_a_cited_doi_reaches_the_queue_and_the_four_pages_of_each_pair(
    cited, sources, cache_on, django_capture_on_commit_callbacks, advisor, client
):
    only_dois()
    # Cached before the notice: the notice must refresh them.
    for condition in PAIRS:
        for page in PAGES:
            assert SENTENCE not in text_of(site.get(f"/compounds/ketamine/{condition}/{page}/"))
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)

    for condition in PAIRS:
        for page in PAGES:
            shown = site.get(f"/compounds/ketamine/{condition}/{page}/")
            words = text_of(shown)
            assert words.count(SENTENCE) == 1, (condition, page)
            assert "Retracted: the notice, 20 November 2026." in words
            assert f'<a href="{NOTICE}" rel="external">the notice</a>' in shown.content.decode()

    report = text_of(client.get("/report-for-your-doctor/?compound=ketamine&condition=leukemia"))
    assert "Retracted: the notice, 20 November 2026." in report

    client.force_login(advisor)
    queue = text_of(client.get(reverse("admin:review_queue")))
    assert "Cited studies with a notice: check the review" in queue
    for pair in cited:
        assert (
            f"{pair} A cited study (DOI {RETRACTED_DOI}) was retracted (Retraction Watch) {NOTICE}"
            in queue
        )
    home = text_of(client.get(reverse("admin:index")))
    assert home.index("Cited studies with a notice") < home.index("Awaiting your review")


def test_the_advisors_decision_takes_the_sentence_off_the_pages_and_the_history_keeps_it(
    cited, sources, cache_on, django_capture_on_commit_callbacks, advisor, client
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    leukemia = NoticeReview.objects.get(summary=cited[0])
    for page in PAGES:
        assert SENTENCE in text_of(site.get(f"/compounds/ketamine/leukemia/{page}/"))

    client.force_login(advisor)
    url = reverse("admin:compounds_noticereview_change", args=[leukemia.pk])
    refused = press(client, url, "The review stands")
    assert "Say what you checked and why the review stands" in text_of(refused)
    with django_capture_on_commit_callbacks(execute=True):
        done = press(
            client,
            url,
            "The review stands",
            comment="The retracted trial is one of four; the grade rests on the others.",
        )
    assert done.status_code == 302

    for page in PAGES:
        words = text_of(site.get(f"/compounds/ketamine/leukemia/{page}/"))
        assert SENTENCE not in words
        # The study is still cited: the reference list still shows its notice.
        assert "Retracted: the notice, 20 November 2026." in words
        # The other pair is still being checked.
        assert SENTENCE in text_of(site.get(f"/compounds/ketamine/chronic-pain/{page}/"))
    event = ReviewEvent.objects.of(cited[0]).get(action=ReviewAction.NOTICE_CHECKED)
    assert event.user == advisor
    assert "the grade rests on the others" in event.comment and NOTICE in event.comment
    queue = text_of(client.get(reverse("admin:review_queue")))
    assert f"{cited[0]} A cited study" not in queue
    assert f"{cited[1]} A cited study" in queue


def test_approving_a_new_version_after_the_notice_decides_it(
    cited, sources, django_capture_on_commit_callbacks, editor, advisor, client
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    client.force_login(advisor)
    screen = text_of(
        client.get(reverse("admin:compounds_evidencesummary_review", args=[cited[1].pk]))
    )
    assert (
        f"A cited study (DOI {RETRACTED_DOI}) was retracted (Retraction Watch): the notice. "
        "Its public pages say the review is being checked until an advisor approves a new "
        "version of it or records that the review stands." in screen
    )
    pair = save_edit(cited[1], editor, human_evidence="One trial, since retracted, and others.")
    with django_capture_on_commit_callbacks(execute=True):
        approve_as(pair, editor, advisor)
    review = NoticeReview.objects.get(summary=cited[1])
    assert review.decision == NoticeReview.Decision.NEW_VERSION
    assert review.version == EvidenceSummary.objects.get(pk=pair.pk).live_version
    page = text_of(client.get("/compounds/ketamine/chronic-pain/safety/"))
    assert SENTENCE not in page
    assert "Retracted: the notice" in page


def test_an_editor_reads_the_notices_but_cannot_decide(
    cited, sources, django_capture_on_commit_callbacks, editor, client
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    review = NoticeReview.objects.get(summary=cited[0])
    client.force_login(editor)
    page = client.get(reverse("admin:compounds_noticereview_change", args=[review.pk]))
    assert page.status_code == 200
    assert "The review stands" not in page.content.decode()
    posted = client.post(page.wsgi_request.path, {"comment": "Fine.", "_stands": "1"})
    assert posted.status_code == 403
    assert NoticeReview.objects.get(pk=review.pk).is_open


def test_a_correction_says_corrected_on_the_pages(
    cited, sources, django_capture_on_commit_callbacks, editor, advisor, client
):
    pair = summary("leukemia")
    Reference.objects.create(
        summary=pair,
        doi="10.5555/recorded-corrected-study",
        title="Recorded test record: a cohort later corrected",
        year=2020,
        study_design=StudyDesign.COHORT,
    )
    approve_as(save_edit(pair, editor), editor, advisor)
    only_dois()
    StudyCheck.objects.filter(identifier=RETRACTED_DOI).update(
        checked_at=datetime.datetime.now(datetime.UTC)
    )
    sources.answer("crossref_work_corrected.json")
    run_watch(django_capture_on_commit_callbacks)
    words = text_of(client.get("/compounds/ketamine/leukemia/does-it-work/"))
    assert "A study this review cites has been corrected, and our medical advisors" in words
    assert "Corrected: the notice, 2 October 2026." in words
    assert "has been retracted" not in words


# Runs as cron makes them


def test_an_interrupted_run_run_again_checks_each_study_once(
    cited, sources, django_capture_on_commit_callbacks, editor, advisor
):
    # A second retracted-study-free DOI, so the run has two studies to ask Crossref about.
    Reference.objects.create(
        summary=summary("leukemia"),
        doi="10.5555/recorded-test-record",
        title="Recorded test record",
        year=2021,
        study_design=StudyDesign.COHORT,
    )
    approve_as(save_edit(summary("leukemia"), editor), editor, advisor)
    only_dois()
    dois = list(
        StudyCheck.objects.filter(identifier_kind="doi", checked_at__isnull=True)
        .order_by("id")
        .values_list("identifier", flat=True)
    )
    assert sorted(dois) == ["10.5555/recorded-retracted-study", "10.5555/recorded-test-record"]
    first = "crossref_work_retracted.json" if dois[0] == RETRACTED_DOI else "crossref_work.json"
    second = "crossref_work.json" if first == "crossref_work_retracted.json" else first
    sources.answer(first)
    sources.fail(KeyboardInterrupt())  # the operator stops the run halfway
    with pytest.raises(KeyboardInterrupt):
        run_watch(django_capture_on_commit_callbacks)
    assert StudyCheck.objects.get(identifier=dois[0]).checked_at is not None
    assert StudyCheck.objects.get(identifier=dois[1]).checked_at is None

    sources.answer(second if first != second else "crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    asked = [request.full_url for request, _ in sources.requests]
    # Each study answered once; the request the interruption cut short, once more.
    assert [url.split("/works/")[1].split("?")[0] for url in asked] == [dois[0], dois[1], dois[1]]
    # And a run within the cycle asks nothing: no answer is queued, none is needed.
    run_watch(django_capture_on_commit_callbacks)
    assert len(sources.requests) == 3
    assert NoticeReview.objects.filter(notice__identifier=RETRACTED_DOI).count() == 2


def test_a_run_found_again_opens_nothing_new(cited, sources, django_capture_on_commit_callbacks):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    StudyCheck.objects.filter(identifier=RETRACTED_DOI).update(checked_at=None)
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    assert StudyNotice.objects.count() == 1
    assert NoticeReview.objects.count() == 2


def test_the_budget_takes_the_longest_unchecked_first(cited, sources, client_of_sources):
    retractions.enrol_cited_studies()
    StudyCheck.objects.update(checked_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    StudyCheck.objects.filter(identifier=RETRACTED_DOI).update(
        checked_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
    )
    sources.answer("crossref_work_retracted.json")
    run = retractions.check(1, MONTH, client=client_of_sources)
    assert (run.due, run.checked, run.new_notices) == (1, 1, 1)
    assert len(sources.requests) == 1


def test_pubmed_is_asked_for_many_pmids_at_once_and_a_retraction_is_recorded(
    cited, sources, client_of_sources
):
    retractions.enrol_cited_studies()
    StudyCheck.objects.update(checked_at=datetime.datetime.now(datetime.UTC))
    for pmid in ("999999901", "999999902"):
        StudyCheck.objects.create(identifier_kind="pmid", identifier=pmid)
    sources.answer("pubmed_esummary_retracted.json")
    run = retractions.check(10, MONTH, client=client_of_sources)
    assert len(sources.requests) == 1
    assert "id=999999901%2C999999902" in sources.last_request.full_url
    assert (run.checked, run.new_notices) == (2, 1)
    notice = StudyNotice.objects.get()
    assert (notice.identifier, notice.link) == (
        "999999902",
        "https://pubmed.ncbi.nlm.nih.gov/999999903/",
    )


def test_a_source_that_is_down_is_reported_and_its_studies_stay_due(
    cited, sources, client_of_sources, django_capture_on_commit_callbacks, capsys
):
    only_dois()
    for _ in range(retractions.FAILURES_TO_GIVE_UP):
        sources.fail(urllib.error.URLError(ConnectionRefusedError("refused")))
    StudyCheck.objects.filter(identifier=RETRACTED_DOI).update(checked_at=None)
    for n in range(3):
        StudyCheck.objects.create(identifier_kind="doi", identifier=f"10.5555/recorded-down-{n}")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("watch_retractions", verbosity=1)
    out, err = capsys.readouterr()
    assert "Crossref could not be reached" in err
    assert "checked 0 of 4 studies, 0 new notices" in out
    assert "4 left for the next run" in out
    assert not StudyNotice.objects.exists()
    assert StudyCheck.objects.filter(identifier_kind="doi", checked_at__isnull=True).count() == 4


def test_a_malformed_answer_is_reported_and_the_study_stays_due(cited, sources, client_of_sources):
    only_dois()
    sources.answer("crossref_work_malformed_updates.json")
    run = retractions.check(10, MONTH, client=client_of_sources)
    assert run.checked == 0
    assert "updated-by" in run.failed[watch_sources.CROSSREF]
    assert StudyCheck.objects.get(identifier=RETRACTED_DOI).checked_at is None
    assert not NoticeReview.objects.exists()


def test_429_then_success_within_a_run(cited, sources, client_of_sources, clock):
    only_dois()
    sources.answer(b"", status=429, headers={"Retry-After": "5"})
    sources.answer("crossref_work_retracted.json")
    run = retractions.check(10, MONTH, client=client_of_sources)
    assert (run.checked, run.new_notices) == (1, 1)
    assert clock.slept == [5.0]


def test_a_timeout_leaves_the_study_for_the_next_run(cited, sources, client_of_sources):
    only_dois()
    sources.fail(TimeoutError("timed out"))
    run = retractions.check(10, MONTH, client=client_of_sources)
    assert run.failed[watch_sources.CROSSREF] == "Crossref did not answer within 15 seconds."
    assert StudyCheck.objects.get(identifier=RETRACTED_DOI).checked_at is None


def test_the_progress_line_says_how_far_the_run_is(
    cited, sources, django_capture_on_commit_callbacks, capsys
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("watch_retractions", "--budget", "5", verbosity=1)
    out = capsys.readouterr().out
    assert "Done: checked 1 of 1 studies, 1 new notices" in out


def test_the_page_reads_its_notices_with_its_row(
    cited, sources, django_capture_on_commit_callbacks, client, django_assert_max_num_queries
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    client.get("/compounds/ketamine/leukemia/does-it-work/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as with_notice:
        client.get("/compounds/ketamine/leukemia/does-it-work/")
    with CaptureQueriesContext(connection) as without:
        client.get("/compounds/ketamine/neuropathic-pain/does-it-work/")
    assert len(with_notice) == len(without)


def test_the_notices_list_shows_those_to_check_and_then_those_decided(
    cited, sources, django_capture_on_commit_callbacks, advisor, client
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    retractions.review_stands(
        NoticeReview.objects.get(summary=cited[0]), advisor, "Checked: one trial of four."
    )
    client.force_login(advisor)
    changelist = reverse("admin:compounds_noticereview_changelist")
    to_check = text_of(client.get(changelist))
    assert str(cited[1]) in to_check and str(cited[0]) not in to_check
    decided = text_of(client.get(changelist + "?status=decided"))
    assert str(cited[0]) in decided and "Checked: the review stands" in decided
    # A decided notice is a record: shown, not changed.
    review = NoticeReview.objects.get(summary=cited[0])
    page = client.get(reverse("admin:compounds_noticereview_change", args=[review.pk]))
    assert "The review stands" not in page.content.decode().replace(
        "Checked: the review stands", ""
    )


def test_a_study_still_cited_by_the_live_version_is_watched_when_a_draft_drops_it(
    cited, sources, django_capture_on_commit_callbacks, editor
):
    # The editor drops the study in a draft: the pages still cite it until that is approved.
    Reference.objects.filter(summary=cited[0], doi=RETRACTED_DOI).delete()
    save_edit(cited[0], editor)
    Reference.objects.filter(summary=cited[1], doi=RETRACTED_DOI).delete()
    save_edit(cited[1], editor)
    only_dois()
    assert StudyCheck.objects.filter(identifier=RETRACTED_DOI).exists()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    assert set(NoticeReview.objects.values_list("summary_id", flat=True)) == {
        pair.pk for pair in cited
    }


def test_the_migration_lists_the_studies_published_summaries_cite(cited):
    import importlib

    from django.apps import apps

    from compounds.models import PublishedCitation

    migration = importlib.import_module("compounds.migrations.0020_retraction_watch")
    written = set(
        PublishedCitation.objects.values_list("summary_id", "identifier_kind", "identifier")
    )
    assert {(pair.pk, "doi", RETRACTED_DOI) for pair in cited} <= written
    PublishedCitation.objects.all().delete()
    migration.cite_published_studies(apps, None)
    assert (
        set(PublishedCitation.objects.values_list("summary_id", "identifier_kind", "identifier"))
        == written
    )


def test_the_preview_of_a_draft_keeps_the_notice_beside_the_study_it_still_cites(
    cited, sources, django_capture_on_commit_callbacks, editor, advisor, client
):
    """Approving a draft decides the notice, so the sentence goes; the study is still
    cited, so the reference list keeps its notice: the preview and the text the advisor
    approves on the review screen say so, as the page will once approved."""
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    pair = save_edit(cited[1], editor, human_evidence="One trial, since retracted, and others.")
    client.force_login(advisor)

    preview = text_of(
        client.get(
            reverse("admin:compounds_evidencesummary_preview", args=[pair.pk]) + "?page=safety"
        )
    )
    assert SENTENCE not in preview
    assert "Retracted: the notice" in preview

    screen = client.get(reverse("admin:compounds_evidencesummary_review", args=[pair.pk]))
    # No passage of the reference list changes: the notice stays beside the study.
    changed = re.findall(
        r'<li class="(?:changed|removed|added)">(.*?)</li>', screen.content.decode(), flags=re.S
    )
    assert any(SENTENCE[:40] in passage for passage in changed), "the sentence goes"
    assert not [p for p in changed if "recorded-retracted-study" in p], changed


def test_the_notices_are_named_in_plain_words_in_the_admin(
    cited, sources, django_capture_on_commit_callbacks, advisor, client
):
    """The admin's navigation, list and page name them as the desk does, not by a plural
    made of the model's name ("study notice to checks")."""
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    client.force_login(advisor)
    home = text_of(client.get(reverse("admin:index")))
    assert "Study notices to check" in home
    assert "notice to checks" not in home
    listed = client.get(reverse("admin:compounds_noticereview_changelist")).content.decode()
    assert "<h1>Study notices to check</h1>" in listed
    assert "notice to checks" not in listed
    review = NoticeReview.objects.get(summary=cited[0])
    page = client.get(reverse("admin:compounds_noticereview_change", args=[review.pk]))
    assert "<h1>Check the review after a notice on a cited study</h1>" in page.content.decode()


def test_a_decided_notice_names_the_advisor_who_decided(
    cited, sources, django_capture_on_commit_callbacks, advisor, editor, client
):
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    review = NoticeReview.objects.get(summary=cited[0])
    retractions.review_stands(review, advisor, "Checked: one trial of four.")
    client.force_login(editor)

    page = text_of(client.get(reverse("admin:compounds_noticereview_change", args=[review.pk])))

    assert f"Decided by: {advisor.get_full_name()}" in page


def test_the_desk_says_what_awaits_an_advisor_without_guessing_when_the_notice_came(
    cited, sources, django_capture_on_commit_callbacks, advisor, client
):
    """A notice may predate the review that cites the study (the watch finds old ones
    too): the desk says it is unchecked, not that it came "since it was checked"."""
    only_dois()
    sources.answer("crossref_work_retracted.json")
    run_watch(django_capture_on_commit_callbacks)
    client.force_login(advisor)

    home = text_of(client.get(reverse("admin:index")))

    assert (
        "2 summaries cite a study with a notice of retraction, correction or concern that "
        "no advisor has checked yet; until one decides, their public pages say the review "
        "is being checked." in home
    )


def test_an_expression_of_concern_is_said_in_words_a_patient_knows(
    cited, django_capture_on_commit_callbacks, client
):
    """ "Expression of concern" is the publishers' term: the sentence says what it is,
    neutrally, and the claims table still knows it."""
    from compounds.review import publishing

    notice = StudyNotice.objects.create(
        identifier_kind="doi",
        identifier=RETRACTED_DOI,
        kind=StudyNotice.Kind.CONCERN,
        link="https://doi.org/10.5555/recorded-concern-notice",
        source="Crossref",
    )
    NoticeReview.objects.create(notice=notice, summary=cited[0])
    with django_capture_on_commit_callbacks(execute=True):
        publishing.refresh_study_notices([cited[0].pk])

    for page in PAGES:
        words = text_of(client.get(f"/compounds/ketamine/leukemia/{page}/"))
        assert (
            "A study this review cites is under an expression of concern (its publisher has "
            "raised doubts about it), and our medical advisors are checking the review; the "
            "notice is linked under References." in words
        )


@pytest.mark.parametrize("option", [{"budget": 0}, {"cycle_days": 0}, {"budget": -5}])
def test_a_budget_or_cycle_below_one_is_refused_with_its_reason(db, option):
    with pytest.raises(CommandError, match="--budget and --cycle-days must be at least 1"):
        call_command("watch_retractions", **option)
