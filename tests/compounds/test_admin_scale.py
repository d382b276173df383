"""The admin at the client's size: a million evidence summaries.

What keeps it fast is pinned here on small data: a fixed number of queries a page
whatever the number of rows, no COUNT(*) of a whole table, searches and filters
that indexes can serve, filters that list only the object selected, autocomplete
for relations, and a dashboard that lists a bounded number of objects.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from compounds.admin_plumbing import AtLeast, CappedPaginator
from compounds.models import (
    PUBLISHABLE_MODELS,
    Compound,
    Condition,
    EvidenceSummary,
    MedicalAdvisor,
    ReviewState,
    Version,
)
from compounds.review import dashboard
from tests.admin_forms import submit
from tests.factories import make_compound, make_condition, make_summary

SUMMARIES = reverse("admin:compounds_evidencesummary_changelist")
HOME = reverse("admin:index")


def _summaries(count, **fields):
    """`count` summaries of one compound, each for a new condition."""
    compound = fields.pop("compound", None) or make_compound()
    return [make_summary(compound=compound, **fields) for _ in range(count)]


def _listed(response):
    return list(response.context["cl"].result_list)


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def _make_live(obj, due, approver):
    """Gives obj a live version due for review on `due`, as an approval would."""
    version = Version.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        number=1,
        data={},
        approved_by=approver,
        reviewer_name="Ada",
        reviewer_credentials="MD",
        approved_at=timezone.now(),
        next_review_due=due,
    )
    type(obj).objects.filter(pk=obj.pk).update(
        live_version=version, review_state=ReviewState.APPROVED
    )
    return version


def _full_counts(sqls):
    """COUNT queries that are not bounded by a LIMIT: they read a whole table."""
    return [sql for sql in sqls if "COUNT(" in sql.upper() and "LIMIT" not in sql.upper()]


# A fixed number of queries a page --------------------------------------------------------


def test_summary_list_queries_do_not_grow_with_its_rows(admin_client):
    _summaries(5)
    _, few = _queries(admin_client, SUMMARIES)
    _summaries(25)
    response, many = _queries(admin_client, SUMMARIES)
    assert len(_listed(response)) == 30
    assert len(many) == len(few)


def test_summary_list_stays_within_its_query_budget(admin_client, django_assert_max_num_queries):
    _summaries(30)
    # Session, user, the capped count, the page with its compound, condition and version.
    with django_assert_max_num_queries(4):
        admin_client.get(SUMMARIES)


def test_summary_list_selects_its_relations_and_the_live_version(admin_client):
    response, _ = _queries(admin_client, SUMMARIES)
    selected = response.context["cl"].queryset.query.select_related
    assert {"live_version", "compound", "condition"} <= set(selected)


@pytest.mark.parametrize("model", PUBLISHABLE_MODELS, ids=lambda model: model._meta.model_name)
def test_no_list_of_publishable_content_counts_a_whole_table(admin_client, model):
    opts = model._meta
    _, sqls = _queries(
        admin_client, reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    )
    assert _full_counts(sqls) == []


def test_summary_change_form_queries_do_not_grow_with_the_catalogue(admin_client):
    summary = make_summary()
    url = reverse("admin:compounds_evidencesummary_change", args=[summary.pk])
    admin_client.get(url)  # content types are cached after the first request
    _, few = _queries(admin_client, url)
    _summaries(20)
    _, many = _queries(admin_client, url)
    assert len(many) == len(few)


# A count that stops -------------------------------------------------------------------


@pytest.fixture
def small_pages(monkeypatch):
    """A cap of 5 rows and pages of 2, to see past the cap with a few rows."""
    monkeypatch.setattr(CappedPaginator, "cap", 5)
    monkeypatch.setattr(admin.site.get_model_admin(EvidenceSummary), "list_per_page", 2)


def test_count_past_the_cap_reads_as_more_and_the_pages_end_at_the_cap(admin_client, small_pages):
    _summaries(8)
    response, sqls = _queries(admin_client, SUMMARIES)
    cl = response.context["cl"]
    assert cl.result_count == 5 and isinstance(cl.result_count, AtLeast)
    assert cl.paginator.capped
    assert cl.paginator.num_pages == 3
    assertContains(response, "5+ evidence summaries")
    # The count reads at most cap + 1 rows.
    (count,) = [sql for sql in sqls if "COUNT(" in sql.upper()]
    assert "LIMIT 6" in count.upper()


def test_last_page_within_the_cap_lists_its_rows(admin_client, small_pages):
    _summaries(8)
    response = admin_client.get(SUMMARIES, {"p": "3"})
    assert response.status_code == 200
    assert len(_listed(response)) == 1


def test_count_under_the_cap_is_exact(admin_client, small_pages):
    _summaries(4)
    response = admin_client.get(SUMMARIES)
    cl = response.context["cl"]
    assert cl.result_count == 4 and not isinstance(cl.result_count, AtLeast)
    assert not cl.paginator.capped
    assertContains(response, "4 evidence summaries")


def test_search_count_past_the_cap_reads_as_more(admin_client, small_pages):
    _summaries(8, compound=make_compound(name="Ketamine", slug="ketamine"))
    response = admin_client.get(SUMMARIES, {"q": "keta"})
    assertContains(response, "5+ results")


def _run_on_every_row(client, action):
    """Tick the list's header box (every row of the page), follow its "Select all" link,
    which sets select_across as its script does, and run the action."""
    page = client.get(SUMMARIES)
    assertContains(page, 'class="question hidden"')  # the "Select all N" link is there
    rows = [obj.pk for obj in page.context["cl"].result_list]
    return submit(client, page, "Run", action=action, _selected_action=rows, select_across="1")


def test_action_on_all_rows_past_the_cap_is_refused(admin_client, small_pages):
    _summaries(8, review_state=ReviewState.DRAFT)
    response = _run_on_every_row(admin_client, "submit_for_review")
    response = admin_client.get(response.url)
    assertContains(response, "at most 5 evidence summaries at a time")
    assert not EvidenceSummary.objects.filter(review_state=ReviewState.IN_REVIEW).exists()


def test_action_on_all_rows_under_the_cap_runs(admin_client, small_pages):
    _summaries(4, review_state=ReviewState.DRAFT)
    _run_on_every_row(admin_client, "submit_for_review")
    assert EvidenceSummary.objects.filter(review_state=ReviewState.IN_REVIEW).count() == 4


def test_at_least_reads_with_a_plus_and_compares_as_its_number():
    count = AtLeast(10_000)
    assert str(count) == "10,000+"
    assert count == 10_000 and count > 100


# Search ----------------------------------------------------------------------------------


@pytest.fixture
def pairs():
    ketamine = make_compound(name="Ketamine", slug="ketamine", aliases="esketamine, Spravato")
    psilocybin = make_compound(name="Psilocybin", slug="psilocybin")
    leukemia = make_condition(name="Leukemia", slug="leukemia")
    depression = make_condition(name="Depression", slug="depression")
    return {
        (compound.slug, condition.slug): make_summary(compound=compound, condition=condition)
        for compound in (ketamine, psilocybin)
        for condition in (leukemia, depression)
    }


def _search(client, term):
    response = client.get(SUMMARIES, {"q": term})
    assert response.status_code == 200
    return {(s.compound.slug, s.condition.slug) for s in _listed(response)}


def test_search_finds_summaries_by_part_of_the_compound_name(admin_client, pairs):
    assert _search(admin_client, "keta") == {("ketamine", "leukemia"), ("ketamine", "depression")}


def test_search_finds_summaries_by_compound_alias(admin_client, pairs):
    assert _search(admin_client, "spravato") == {
        ("ketamine", "leukemia"),
        ("ketamine", "depression"),
    }


def test_search_finds_summaries_by_condition_name(admin_client, pairs):
    assert _search(admin_client, "LEUK") == {("ketamine", "leukemia"), ("psilocybin", "leukemia")}


def test_every_search_term_must_match(admin_client, pairs):
    assert _search(admin_client, "ketamine leukemia") == {("ketamine", "leukemia")}
    assert _search(admin_client, "ketamine psilocybin") == set()


def test_quoted_search_phrase_is_one_term(admin_client, pairs):
    make_compound(name="St. John's wort", slug="st-johns-wort")
    wort = make_summary(compound=Compound.objects.get(slug="st-johns-wort"))
    response = admin_client.get(SUMMARIES, {"q": '"john\'s wort"'})
    assert _listed(response) == [wort]


def test_search_without_a_match_lists_nothing(admin_client, pairs):
    assert _search(admin_client, "nothing-like-this") == set()


def test_search_filters_summaries_by_their_keys_not_by_joined_names(admin_client, pairs):
    response, sqls = _queries(admin_client, SUMMARIES, {"q": "keta"})
    (page,) = [
        sql for sql in sqls if 'FROM "compounds_evidencesummary"' in sql and "COUNT(" not in sql
    ]
    where = page.split("WHERE", 1)[1]
    assert '"compounds_evidencesummary"."compound_id" IN' in where
    assert "LIKE" not in where.upper()


def test_search_queries_do_not_grow_with_the_rows(admin_client, pairs):
    _, few = _queries(admin_client, SUMMARIES, {"q": "keta"})
    _summaries(20, compound=Compound.objects.get(slug="ketamine"))
    _, many = _queries(admin_client, SUMMARIES, {"q": "keta"})
    assert len(many) == len(few)


# Filters -----------------------------------------------------------------------------------


def _filter(response, title):
    (spec,) = [spec for spec in response.context["cl"].filter_specs if spec.title == title]
    return spec


def _choices(response, title):
    cl = response.context["cl"]
    return [choice["display"] for choice in _filter(response, title).choices(cl)]


def test_compound_filter_is_not_offered_until_a_compound_is_chosen(admin_client):
    for n in range(5):
        make_summary(compound=make_compound(name=f"Offered {n}"))
    response = admin_client.get(SUMMARIES)
    titles = {spec.title for spec in response.context["cl"].filter_specs}
    assert "compound" not in titles and "condition" not in titles


def test_compound_filter_narrows_the_list_and_offers_only_that_compound(admin_client):
    ketamine = make_compound(name="Ketamine", slug="ketamine")
    own = _summaries(2, compound=ketamine)
    _summaries(3)
    response = admin_client.get(SUMMARIES, {"compound": str(ketamine.pk)})
    assert set(_listed(response)) == set(own)
    assert _choices(response, "compound") == ["All", "Ketamine"]


def test_condition_filter_narrows_the_list(admin_client):
    leukemia = make_condition(name="Leukemia", slug="leukemia")
    own = make_summary(condition=leukemia)
    make_summary()
    response = admin_client.get(SUMMARIES, {"condition": str(leukemia.pk)})
    assert _listed(response) == [own]
    assert _choices(response, "condition") == ["All", "Leukemia"]


@pytest.mark.parametrize("value", ["abc", "1;drop", "-1", "1.5", "9" * 30, ""])
def test_compound_filter_ignores_an_id_that_is_not_a_number(admin_client, value):
    _summaries(2)
    response = admin_client.get(SUMMARIES, {"compound": value})
    assert response.status_code == 200
    assert len(_listed(response)) == 2


def test_compound_filter_with_an_unknown_id_lists_nothing_and_says_so(admin_client):
    _summaries(2)
    response = admin_client.get(SUMMARIES, {"compound": "999999"})
    assert response.status_code == 200
    assert _listed(response) == []
    assert _choices(response, "compound") == ["All", "Unknown compound (id 999999)"]


def test_research_update_filters_by_one_compound_and_one_condition(admin_client):
    from tests.compounds.test_admin import _research_update

    ketamine = make_compound(name="Ketamine", slug="ketamine")
    leukemia = make_condition(name="Leukemia", slug="leukemia")
    tagged = _research_update()
    tagged.compounds.add(ketamine)
    tagged.conditions.add(leukemia)
    _research_update(title="Another", slug="another")
    url = reverse("admin:compounds_researchupdate_changelist")
    for parameter, obj in [("compounds", ketamine), ("conditions", leukemia)]:
        response = admin_client.get(url, {parameter: str(obj.pk)})
        assert _listed(response) == [tagged]
        assert _choices(response, obj._meta.verbose_name) == ["All", obj.name]


@pytest.mark.parametrize(("model", "parameter"), [(Compound, "compound"), (Condition, "condition")])
def test_compound_and_condition_lists_link_to_their_summaries(admin_client, model, parameter):
    obj = make_summary().compound if model is Compound else make_summary().condition
    opts = model._meta
    response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assertContains(response, f'href="{SUMMARIES}?{parameter}={obj.pk}"')


def test_summary_list_offers_no_facet_counts(admin_client):
    _summaries(2)
    assertNotContains(admin_client.get(SUMMARIES), "_facets")


# Indexes for each filter and ordering ------------------------------------------------------


def _index_columns(model):
    return [[name.lstrip("-") for name in index.fields] for index in model._meta.indexes]


def test_summary_list_order_is_served_by_an_index():
    model_admin = admin.site.get_model_admin(EvidenceSummary)
    ordering = [name.lstrip("-") for name in model_admin.ordering]
    assert ordering == ["updated_at", "id"]
    assert ordering in _index_columns(EvidenceSummary)
    # Both columns run the same way, so one index scan (forwards or back) serves it.
    assert len({name.startswith("-") for name in model_admin.ordering}) == 1


def test_every_field_filter_of_the_summary_list_has_an_index_with_the_order():
    model_admin = admin.site.get_model_admin(EvidenceSummary)
    fields = [
        name
        for name in [*model_admin.review_list_filter, *model_admin.list_filter]
        if isinstance(name, str)
    ]
    assert fields == ["review_state", "evidence_level", "verdict", "evidence_basis"]
    for name in fields:
        assert [name, "updated_at", "id"] in _index_columns(EvidenceSummary), name


def test_summary_list_sorts_only_by_indexed_columns(admin_client):
    model_admin = admin.site.get_model_admin(EvidenceSummary)
    assert list(model_admin.sortable_by) == ["updated_at"]


def test_review_due_path_has_an_index_by_kind_and_date():
    assert ["content_type", "next_review_due"] in _index_columns(Version)


# Review due ----------------------------------------------------------------------------


def test_review_due_filter_lists_the_most_overdue_first(admin_client, django_user_model):
    approver = django_user_model.objects.create_user("approver")
    today = timezone.localdate()
    late, later, soon = _summaries(3)
    _make_live(soon, today + datetime.timedelta(days=10), approver)
    _make_live(late, today - datetime.timedelta(days=40), approver)
    _make_live(later, today - datetime.timedelta(days=2), approver)
    _make_live(make_summary(), today + datetime.timedelta(days=200), approver)
    make_summary()  # not live
    response = admin_client.get(SUMMARIES, {"review_due": "due"})
    assert [s.pk for s in _listed(response)] == [late.pk, later.pk, soon.pk]
    response = admin_client.get(SUMMARIES, {"review_due": "overdue"})
    assert [s.pk for s in _listed(response)] == [late.pk, later.pk]


def test_review_due_filter_keeps_to_the_kind_of_content_listed(admin_client, django_user_model):
    approver = django_user_model.objects.create_user("approver")
    summary = make_summary()
    overdue = timezone.localdate() - datetime.timedelta(days=1)
    _make_live(summary.compound, overdue, approver)
    _make_live(summary, overdue, approver)
    for model, obj in [(EvidenceSummary, summary), (Compound, summary.compound)]:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert _listed(admin_client.get(url, {"review_due": "overdue"})) == [obj]


# Autocomplete --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [*PUBLISHABLE_MODELS, MedicalAdvisor], ids=lambda model: model._meta.model_name
)
def test_every_editable_relation_is_chosen_by_autocomplete(rf, admin_user, model):
    model_admin = admin.site.get_model_admin(model)
    request = rf.get("/")
    request.user = admin_user
    readonly = set(model_admin.get_readonly_fields(request))
    relations = [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, (models.ForeignKey, models.ManyToManyField))
        and field.editable
        and not field.auto_created
        and field.name not in readonly
    ]
    assert set(relations) <= set(model_admin.autocomplete_fields), relations


# The dashboard ---------------------------------------------------------------------------


def test_dashboard_lists_the_head_of_the_queue_with_the_count_and_a_link(admin_client):
    _summaries(dashboard.LIMIT + 3, review_state=ReviewState.IN_REVIEW)
    response = admin_client.get(HOME)
    assert len(response.context["review_dashboard"]["queue"]) == dashboard.LIMIT
    assertContains(response, f"Open the review queue</a> ({dashboard.LIMIT + 3} in review)")
    queue = admin_client.get(reverse("admin:review_queue"))
    assert len(queue.context["queue"]) == dashboard.LIMIT + 3


def test_dashboard_lists_the_longest_waiting_first(rf, admin_user):
    first, second = _summaries(2, review_state=ReviewState.CHANGES_REQUESTED)
    EvidenceSummary.objects.filter(pk=second.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    request = rf.get(HOME)
    request.user = admin_user
    returned = dashboard.review_dashboard(request)["returned"]
    assert [item.label for item in returned.items] == [str(second), str(first)]
    assert not returned.truncated


def test_dashboard_due_list_is_bounded_and_links_to_the_filtered_list(
    admin_client, django_user_model
):
    approver = django_user_model.objects.create_user("approver")
    today = timezone.localdate()
    summaries = _summaries(dashboard.LIMIT + 2)
    for days, summary in enumerate(summaries):
        _make_live(summary, today - datetime.timedelta(days=days), approver)
    response = admin_client.get(HOME)
    due = response.context["review_dashboard"]["due"]
    assert len(due.items) == dashboard.LIMIT
    # Most overdue first.
    assert due.items[0].label == str(summaries[-1])
    assertContains(response, f'href="{SUMMARIES}?review_due=due"')


def test_dashboard_total_past_the_count_cap_reads_as_more(admin_client, monkeypatch):
    monkeypatch.setattr(dashboard, "COUNT_CAP", dashboard.LIMIT + 1)
    _summaries(dashboard.LIMIT + 5, review_state=ReviewState.IN_REVIEW)
    response = admin_client.get(HOME)
    assertContains(response, f"Open the review queue</a> ({dashboard.LIMIT + 1}+ in review)")


def test_dashboard_queries_do_not_grow_with_the_rows(admin_client):
    _summaries(3, review_state=ReviewState.IN_REVIEW)
    _, few = _queries(admin_client, HOME)
    _summaries(dashboard.LIMIT + 10, review_state=ReviewState.IN_REVIEW)
    _summaries(dashboard.LIMIT + 10, review_state=ReviewState.CHANGES_REQUESTED)
    _, many = _queries(admin_client, HOME)
    # At most one count more for each list that outgrew its limit.
    assert len(many) <= len(few) + 2
    assert _full_counts(many) == []


def test_review_due_filter_offers_due_within_30_days(admin_client):
    response = admin_client.get(SUMMARIES, {"review_due": "due"})
    assert "Overdue or within 30 days" in _choices(response, "review due")
