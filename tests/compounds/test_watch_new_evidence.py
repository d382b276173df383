"""New evidence for each live pair: the saved search, what lands in the pair's inbox, and a
night's run as cron makes it (`manage.py watch_new_evidence`). Answers are recorded
(tests/compounds/recorded/README.md); no test reaches the network or sleeps."""

import datetime
import io
import urllib.error
import urllib.parse

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    InboxItem,
    SearchSynonym,
    Version,
    WatchCheck,
    WatchSource,
)
from compounds.watch import command, new_evidence, runs, searches
from compounds.watch.sources import SourceClient
from tests.conftest import summary
from tests.factories import make_reference
from tests.sources import RecordedClock

pytestmark = pytest.mark.usefixtures("live_seed")

REVIEWED = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
TRD = ("ketamine", "treatment-resistant-depression")
PAIRS_IN_ORDER = [
    "treatment-resistant-depression",
    "neuropathic-pain",
    "chronic-pain",
    "leukemia",
    "stage-iv-cancer",
]


@pytest.fixture
def pairs():
    """The seed's five live pairs, last reviewed on 1 June 2026, due for review one day
    apart in PAIRS_IN_ORDER's order."""
    found = []
    for days, condition in enumerate(PAIRS_IN_ORDER):
        pair = summary("ketamine", condition)
        Version.objects.filter(pk=pair.live_version_id).update(
            approved_at=REVIEWED, next_review_due=datetime.date(2027, 6, 1 + days)
        )
        found.append(pair)
    return found


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch, settings):
    """The commands' client keeps its intervals on a recorded clock: no test sleeps."""
    settings.NCBI_API_KEY = ""
    settings.WATCH_CONTACT_EMAIL = "editors@example.org"
    monkeypatch.setattr(command, "SourceClient", lambda: SourceClient(clock=RecordedClock()))


def watch(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("watch_new_evidence", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def asked(sources):
    """The query of each request made, decoded."""
    return [
        dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.full_url).query))
        for r, _ in sources.requests
    ]


def items(pair, source=None):
    rows = InboxItem.objects.filter(summary=pair)
    if source:
        rows = rows.filter(source=source)
    return sorted(rows.values_list("identifier", "event"))


# The saved search ------------------------------------------------------------------------


def test_a_compound_is_searched_by_its_name_without_brackets_and_its_aliases():
    ketamine = Compound.objects.get(slug="ketamine")
    assert searches.compound_names(ketamine) == ["Ketamine", "esketamine", "Spravato"]


def test_a_condition_is_searched_by_its_name_and_the_synonyms_that_mean_it_alone():
    leukemia = Condition.objects.get(slug="leukemia")
    SearchSynonym.objects.create(term="leukaemias of adults", means="leukemia")
    SearchSynonym.objects.create(term="marrow cancers", means="leukemia, myeloma")

    names = searches.condition_names(leukemia)

    assert names[0] == "Leukemia"
    assert "leukaemias of adults" in names
    # Seeded by migration 0019: the British spelling means leukemia alone.
    assert "leukaemia" in names
    # A term for several conditions would search for all of them.
    assert "marrow cancers" not in names
    assert "blood cancer" not in names


def test_the_pubmed_term_asks_any_name_of_each_in_title_or_abstract():
    term = searches.pubmed_term(["Ketamine", "esketamine"], ['Treatment-"Resistant" Depression'])
    assert term == (
        '("Ketamine"[tiab] OR "esketamine"[tiab]) AND ("Treatment- Resistant  Depression"[tiab])'
    )


# ClinicalTrials.gov ------------------------------------------------------------------------


def test_a_new_trial_for_a_pair_lands_in_its_inbox(sources, pairs):
    sources.answer("clinicaltrials_studies.json")

    out, err = watch(source=WatchSource.TRIALS, budget=1)

    pair = summary(*TRD)
    assert items(pair) == [("NCT99999911", "new"), ("NCT99999912", "results")]
    new = InboxItem.objects.get(summary=pair, identifier="NCT99999911")
    assert new.change == "New study registered"
    assert new.title == "Recorded Test Record: A New Trial of a Test Compound"
    assert new.design == "Interventional, randomized, phase 2"
    assert new.date == datetime.date(2026, 10, 8)
    assert new.link == "https://clinicaltrials.gov/study/NCT99999911"
    assert new.is_open
    # The pair due first was checked, by its compound's names and its condition's.
    (query,) = asked(sources)
    assert sources.last_request.full_url.startswith("https://clinicaltrials.gov/api/v2/studies?")
    assert query["query.intr"] == '"Ketamine" OR "esketamine" OR "Spravato"'
    assert query["query.cond"].startswith('"Treatment-Resistant Depression"')
    assert query["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-06-01,MAX]"
    assert "ClinicalTrials.gov: 1 of 1 checked, 2 new in inboxes, 1 records unreadable" in out
    assert WatchCheck.objects.filter(summary=pair, source=WatchSource.TRIALS).exists()


def test_a_trial_found_again_is_not_stored_twice(sources, pairs):
    sources.answer("clinicaltrials_studies.json")
    watch(source=WatchSource.TRIALS, budget=1)
    sources.answer("clinicaltrials_studies.json")

    out, _ = watch(source=WatchSource.TRIALS, budget=1, recheck_days=0)

    assert items(summary(*TRD)) == [("NCT99999911", "new"), ("NCT99999912", "results")]
    assert "1 of 1 checked, 0 new in inboxes" in out
    # The second check searched from the first one's day, less a day's overlap.
    since = timezone.localdate() - datetime.timedelta(days=1)
    assert asked(sources)[-1]["filter.advanced"] == (
        f"AREA[LastUpdatePostDate]RANGE[{since:%Y-%m-%d},MAX]"
    )


def test_a_trial_seen_before_that_posts_results_and_changes_status_is_news_again(sources, pairs):
    sources.answer("clinicaltrials_studies.json")
    watch(source=WatchSource.TRIALS, budget=1)
    sources.answer("clinicaltrials_studies_later.json")

    watch(source=WatchSource.TRIALS, budget=1, recheck_days=0)

    assert items(summary(*TRD)) == [
        ("NCT99999911", "new"),
        ("NCT99999911", "results"),
        ("NCT99999911", "status:COMPLETED"),
        ("NCT99999912", "results"),
    ]
    status = InboxItem.objects.get(identifier="NCT99999911", event="status:COMPLETED")
    assert status.change == "Status now completed"


def test_a_trial_the_summary_cites_is_watched_for_its_status_from_its_first_change(sources, pairs):
    make_reference(
        summary(*TRD),
        pmid="",
        nct_id="NCT99999912",
        title="Recorded Test Record: An Older Trial That Posted Results",
        study_design="cohort",
        year=2019,
    )
    sources.answer("clinicaltrials_studies.json")

    watch(source=WatchSource.TRIALS, budget=1)

    assert items(summary(*TRD)) == [
        ("NCT99999911", "new"),
        ("NCT99999912", "results"),
        ("NCT99999912", "status:COMPLETED"),
    ]


def test_every_page_of_trials_is_read(sources, pairs):
    sources.answer("clinicaltrials_studies_page1.json")
    sources.answer("clinicaltrials_studies_page2.json")

    watch(source=WatchSource.TRIALS, budget=1)

    assert items(summary(*TRD)) == [("NCT99999913", "new"), ("NCT99999914", "new")]
    assert asked(sources)[1]["pageToken"] == "recorded-test-page-2"


# PubMed ------------------------------------------------------------------------------------


def test_new_pubmed_records_since_the_review_land_in_the_inbox(sources, pairs):
    sources.answer("pubmed_esearch.json")
    sources.answer("pubmed_esummary_new.json")

    out, _ = watch(source=WatchSource.PUBMED, budget=1)

    pair = summary(*TRD)
    # Record 999999912 has no summary in PubMed's answer: it is left out, and counted.
    assert items(pair) == [("999999911", "new")]
    item = InboxItem.objects.get(summary=pair)
    assert item.label == "PMID 999999911"
    assert (
        item.title
        == "Recorded test record: a randomized trial of a test compound in test participants"
    )
    assert item.design == "Randomized Controlled Trial"
    assert item.date == datetime.date(2026, 11, 2)
    assert item.link == "https://pubmed.ncbi.nlm.nih.gov/999999911/"
    search, summaries = asked(sources)
    assert search["db"] == "pubmed"
    assert search["datetype"] == "edat"
    assert search["mindate"] == "2026/06/01"
    assert search["maxdate"] == f"{timezone.localdate():%Y/%m/%d}"
    assert search["term"].startswith('("Ketamine"[tiab] OR "esketamine"[tiab]')
    assert search["tool"] == "insightswarm-cms"
    assert summaries["id"] == "999999912,999999911"
    assert "PubMed: 1 of 1 checked, 1 new in inboxes, 1 records unreadable" in out


def test_a_search_finding_more_than_a_check_lists_is_reported(sources, pairs, monkeypatch):
    monkeypatch.setattr(new_evidence, "MOST_RECORDS", 1)
    sources.answer("pubmed_esearch.json")
    sources.answer("pubmed_esummary_new.json")

    _, err = watch(source=WatchSource.PUBMED, budget=1)

    assert len(sources.requests) == 2
    assert (
        "Search too broad, only the first records listed: Ketamine (IV / Esketamine) for "
        "Treatment-Resistant Depression: 1 more records" in err
    )


def test_a_pair_with_nothing_new_costs_one_request(sources, pairs):
    sources.answer("pubmed_esearch_none.json")

    out, _ = watch(source=WatchSource.PUBMED, budget=1)

    assert len(sources.requests) == 1
    assert InboxItem.objects.count() == 0
    assert WatchCheck.objects.filter(summary=summary(*TRD), source=WatchSource.PUBMED).exists()
    assert "1 requests made." in out


def test_a_query_pubmed_cannot_run_leaves_the_pair_unchecked_and_the_run_goes_on(sources, pairs):
    sources.answer("pubmed_esearch_error.json")
    sources.answer("pubmed_esearch_none.json")

    out, err = watch(source=WatchSource.PUBMED, budget=2)

    first, second = pairs[0], pairs[1]
    assert not WatchCheck.objects.filter(summary=first).exists()
    assert WatchCheck.objects.filter(summary=second, source=WatchSource.PUBMED).exists()
    assert "Not checked, asked again next run: Ketamine (IV / Esketamine) for " in err
    assert "Invalid query" in err
    assert "1 of 2 checked" in out


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service unavailable</html>",
        b'{"header": {"type": "esearch"}, "esearchresult": {"count": "1"}}',
        b'{"header": {"type": "esearch"}, "esearchresult": {"count": "many", "idlist": []}}',
        b'["not", "an", "object"]',
    ],
)
def test_a_malformed_search_answer_saves_nothing_for_the_pair(sources, pairs, body):
    sources.answer(body)

    _, err = watch(source=WatchSource.PUBMED, budget=1)

    assert not WatchCheck.objects.exists()
    assert not InboxItem.objects.exists()
    assert "Not checked, asked again next run" in err


def test_a_malformed_trials_answer_saves_nothing_for_the_pair(sources, pairs):
    sources.answer(b'{"studies": {"not": "a list"}}')

    _, err = watch(source=WatchSource.TRIALS, budget=1)

    assert not WatchCheck.objects.exists()
    assert "ClinicalTrials.gov's answer was not readable" in err


# A night's run -------------------------------------------------------------------------


def test_pairs_are_chosen_due_first_then_longest_since_checked(pairs):
    now = timezone.now()
    order = list(runs.due_pairs(WatchSource.PUBMED, now).values_list("condition__slug", flat=True))
    assert order == PAIRS_IN_ORDER

    # Two pairs due the same day: the one never checked, then the one checked longest ago.
    same_day = datetime.date(2027, 6, 1)
    for pair in pairs[:3]:
        Version.objects.filter(pk=pair.live_version_id).update(next_review_due=same_day)
    WatchCheck.objects.create(
        summary=pairs[0], source=WatchSource.PUBMED, checked_at=now - datetime.timedelta(days=9)
    )
    WatchCheck.objects.create(
        summary=pairs[1], source=WatchSource.PUBMED, checked_at=now - datetime.timedelta(days=30)
    )
    order = list(runs.due_pairs(WatchSource.PUBMED, now).values_list("condition__slug", flat=True))
    assert order[:3] == ["chronic-pain", "neuropathic-pain", "treatment-resistant-depression"]


def test_a_pair_checked_within_the_recheck_days_is_not_chosen(pairs):
    now = timezone.now()
    WatchCheck.objects.create(summary=pairs[0], source=WatchSource.PUBMED, checked_at=now)
    chosen = runs.due_pairs(WatchSource.PUBMED, now).values_list("pk", flat=True)
    assert pairs[0].pk not in chosen
    # By the other source it is still due.
    assert pairs[0].pk in runs.due_pairs(WatchSource.TRIALS, now).values_list("pk", flat=True)


def test_a_pair_that_is_not_live_is_not_watched(pairs, withdraw):
    withdraw(EvidenceSummary.objects.get(pk=pairs[0].pk))
    chosen = runs.due_pairs(WatchSource.PUBMED, timezone.now()).values_list("pk", flat=True)
    assert pairs[0].pk not in chosen
    assert len(chosen) == 4


def test_the_budget_bounds_the_night_and_a_progress_line_is_printed(sources, pairs):
    for _ in range(3):
        sources.answer("clinicaltrials_studies_none.json")

    out, _ = watch(source=WatchSource.TRIALS, budget=3, progress_every=1)

    assert len(sources.requests) == 3
    lines = [line for line in out.splitlines() if line.startswith("ClinicalTrials.gov:")]
    assert lines[0].startswith("ClinicalTrials.gov: 1 of 3 checked, 0 new in inboxes")
    assert lines[-1].startswith("ClinicalTrials.gov: 3 of 3 checked")
    checked = set(WatchCheck.objects.values_list("summary__condition__slug", flat=True))
    assert checked == set(PAIRS_IN_ORDER[:3])


def test_a_run_cut_off_halfway_and_run_again_makes_each_check_once(sources, pairs):
    sources.answer("clinicaltrials_studies_none.json")
    sources.answer("clinicaltrials_studies.json")
    # The third check is cut off while ClinicalTrials.gov answers (the machine stops).
    sources.fail(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        watch(source=WatchSource.TRIALS, budget=4)
    assert WatchCheck.objects.count() == 2
    assert InboxItem.objects.count() == 2

    for _ in range(3):
        sources.answer("clinicaltrials_studies_none.json")
    out, _ = watch(source=WatchSource.TRIALS, budget=4)

    # The two pairs checked before the cut were not asked again; the other three were.
    conditions = [query["query.cond"].split(" OR ")[0] for query in asked(sources)]
    assert conditions == [
        '"Treatment-Resistant Depression"',
        '"Neuropathic Pain"',
        '"Chronic Pain"',  # cut off
        '"Chronic Pain"',
        '"Leukemia"',
        '"Stage IV Cancer"',
    ]
    assert "3 of 3 checked" in out
    assert WatchCheck.objects.count() == 5
    assert InboxItem.objects.count() == 2


def test_a_source_that_is_down_ends_the_run_cleanly_with_what_was_done_kept(sources, pairs):
    sources.answer("pubmed_esearch_none.json")
    sources.fail(urllib.error.URLError(ConnectionRefusedError("refused")))

    with pytest.raises(CommandError) as stopped:
        watch(source=WatchSource.PUBMED, budget=5)

    assert "PubMed could not be reached" in str(stopped.value)
    assert "Stopped after 1 of 5" in str(stopped.value)
    # The first pair's check is kept; the second saved nothing, the rest were not asked.
    assert list(WatchCheck.objects.values_list("summary", flat=True)) == [pairs[0].pk]
    assert len(sources.requests) == 2


def test_a_source_down_stops_its_part_only(sources, pairs):
    sources.fail(urllib.error.URLError(ConnectionRefusedError("refused")))
    sources.answer("clinicaltrials_studies.json")

    with pytest.raises(CommandError, match="PubMed could not be reached"):
        watch(budget=1)

    assert items(summary(*TRD), WatchSource.TRIALS) == [
        ("NCT99999911", "new"),
        ("NCT99999912", "results"),
    ]
    assert not WatchCheck.objects.filter(source=WatchSource.PUBMED).exists()


def test_a_budget_below_zero_is_refused():
    with pytest.raises(CommandError, match="0 or more"):
        watch(budget=-1)
