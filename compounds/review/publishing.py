"""Writing the published read model: what approval and withdrawal do to the public tables.

`publish` runs inside the approval's transaction, after its Version is stored,
and writes the object's published row from that Version; `unpublish` runs
inside the withdrawal's and deletes it. A summary is published only while its
compound and condition are: publishing a compound or condition also publishes
the live summaries that were waiting for it, and unpublishing one takes its
summaries off with it (a cascade within the published tables).

Each change is recorded, in the same transaction, as a PublicationChange: what the
object looked like on the public site before and after. Once the transaction
commits, `published_changed` tells whoever keeps copies of public pages (the page
cache) to refresh exactly those pages; the record lets them do it later too, if
they could not at that moment.
"""

from django.db import connection, transaction
from django.db.models import BooleanField, Case, F, JSONField, OuterRef, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.dispatch import Signal

from compounds import searchable, site_tags
from compounds.evidence import snapshot_grade_is_cited
from compounds.models import (
    PUBLISHABLE_MODELS,
    Compound,
    Condition,
    EvidenceSummary,
    FormerSlug,
    MedicalAdvisor,
    PublicationChange,
    PublishedCitation,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
    ResearchUpdate,
    ResearchUpdateLink,
    SitePage,
    Version,
)
from compounds.models.notices import cited_identifiers, published_notices

# Sent on commit with change, the PublicationChange recorded: model (the working model's
# name, or "*" for every page), object_id, and before and after, what `footprint` said of
# the object before the change and after it (None: not published).
published_changed = Signal()

PUBLISHED_MODEL = {model: model.published_model for model in PUBLISHABLE_MODELS}

# What search finds each kind by, most telling first: weights A, B, C, D. A dotted
# name is a field of the object's rows: "interactions.drug" finds a compound by the
# drugs it interacts with.
SEARCHED_FIELDS = {
    Compound: ["name", "aliases", "drug_class interactions.drug", "evidence_overview"],
    Condition: ["name", "specialist"],
    ResearchUpdate: ["title", "summary", "source"],
}


def letter_of(name):
    """The A-Z group of a name: its first letter without accents, or "#"."""
    first = searchable.fold(name.strip()[:1]).upper()[:1]
    return first if "A" <= first <= "Z" else "#"


# What a published row copies from its version.
BYLINE_FIELDS = (
    "data",
    "number",
    "reviewer_name",
    "reviewer_credentials",
    "reviewer",
    "approved_at",
    "next_review_due",
)


def _byline(version, reviewer=True):
    """What a published row copies from its version; the reviewer only where the version
    has one (migration 0003 rebuilds from versions of its time)."""
    byline = {
        "data": version.data,
        "version_number": version.number,
        "reviewer_name": version.reviewer_name,
        "reviewer_credentials": version.reviewer_credentials,
        "approved_at": version.approved_at,
        "next_review_due": version.next_review_due,
    }
    if reviewer:
        byline["reviewer_id"] = version.reviewer_id
    return byline


def searched_text(data, names):
    """The text of a snapshot that one weight of SEARCHED_FIELDS searches."""
    texts = []
    for name in names.split():
        field, _, column = name.partition(".")
        if column:
            texts.extend(row.get(column) or "" for row in data.get(field) or [])
        else:
            texts.append(data.get(field) or "")
    return " ".join(texts)


def _search_fields(model, data):
    return {
        "search_text": searchable.document(
            searched_text(data, names) for names in SEARCHED_FIELDS[model]
        )
    }


def _columns(model, data):
    """The indexed columns of model's published row, from an approved snapshot."""
    if model is Compound:
        return {
            "name": data["name"],
            "slug": data["slug"],
            "letter": letter_of(data["name"]),
            "aliases": data.get("aliases", ""),
            "drug_class": data.get("drug_class", ""),
            **_search_fields(model, data),
        }
    if model is Condition:
        return {
            "name": data["name"],
            "slug": data["slug"],
            "letter": letter_of(data["name"]),
            **_search_fields(model, data),
        }
    if model is ResearchUpdate:
        return {
            "title": data["title"],
            "slug": data["slug"],
            "date": data["date"],
            **_search_fields(model, data),
        }
    return {
        "evidence_level": data["evidence_level"],
        "verdict": data["verdict"],
        "evidence_basis": data["evidence_basis"],
        "grade_cited": snapshot_grade_is_cited(data),
    }


def site_page_columns(data):
    """The indexed columns of a site page's published row: where it is and what heads it.
    An advisor's page is headed and addressed by their byline as it is at approval."""
    if data["kind"] != SitePage.Kind.ADVISOR:
        return {"kind": data["kind"], "slug": data["kind"], "name": data["title"]}
    advisor = MedicalAdvisor.objects.get(pk=data["advisor_id"])
    return {
        "kind": data["kind"],
        "slug": advisor.slug,
        "name": advisor.display_name,
        "credentials": advisor.credentials,
        "advisor_id": advisor.pk,
    }


def _summary_row(pk, version, compound, condition, study_notices=()):
    return PublishedSummary(
        id=pk,
        compound_id=compound.pk,
        condition_id=condition.pk,
        compound_name=compound.name,
        condition_name=condition.name,
        **_columns(EvidenceSummary, version.data),
        **_byline(version),
        # "What changed", as the version's approval left it (compounds/review/change_log.py).
        change_log=version.change_log,
        # Notices on the studies it cites, found by the retraction watch.
        study_notices=list(study_notices),
    )


def _index_for_search(model, pks, batch=1000):
    """PostgreSQL: the weighted search vector of freshly written rows, a batch of rows an
    UPDATE (joined to the words of each row as VALUES), not one UPDATE a row."""
    if connection.vendor != "postgresql" or model not in SEARCHED_FIELDS or not pks:
        return
    published = PUBLISHED_MODEL[model]
    weights = list(zip("ABCD", SEARCHED_FIELDS[model], strict=False))
    # What SearchVector(Value(words), config="simple", weight=w) writes, for each weight.
    # The words were normalised in Python (compounds/searchable.py); "simple" keeps them
    # as they are. to_tsvector's own parser splits on punctuation, which they no longer have.
    vector = " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, COALESCE(v.w{i}, '')), '{weight}')"
        for i, (weight, _) in enumerate(weights)
    )
    row = "(%s::bigint" + ", %s::text" * len(weights) + ")"
    columns = ", ".join(["id", *(f"w{i}" for i in range(len(weights)))])
    table = connection.ops.quote_name(published._meta.db_table)
    pks = list(pks)
    for start in range(0, len(pks), batch):
        rows = published.objects.filter(pk__in=pks[start : start + batch]).values_list("pk", "data")
        params = []
        for pk, data in rows:
            params.append(pk)
            params += [
                " ".join(searchable.words(searched_text(data, names))) for _, names in weights
            ]
        if not params:
            continue
        count = len(params) // (len(weights) + 1)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS t SET search_vector = {vector} "
                f"FROM (VALUES {', '.join([row] * count)}) AS v({columns}) WHERE t.id = v.id",
                params,
            )


def footprint(model, pk):
    """Where the object shows on the public site now (compounds/site_tags.py): its address,
    its A-Z letter, and the addresses of the pages that list it. None when it is not
    published."""
    published = PUBLISHED_MODEL[model].objects.filter(pk=pk).first()
    if published is None:
        return None
    if model is EvidenceSummary:
        pair = PublishedSummary.objects.filter(pk=pk).values_list(
            "compound__slug", "condition__slug"
        )
        return site_tags.footprint_of_summary(*pair.get())
    if model is SitePage:
        return site_tags.footprint_of_site_page(published.kind, published.slug)
    if model is ResearchUpdate:
        links = published.links.all()
        return site_tags.footprint_of_update(
            published.slug,
            published.date.isoformat(),
            compounds=PublishedCompound.objects.filter(
                pk__in=[link.compound_id for link in links if link.compound_id]
            ).values_list("slug", flat=True),
            conditions=PublishedCondition.objects.filter(
                pk__in=[link.condition_id for link in links if link.condition_id]
            ).values_list("slug", flat=True),
        )
    other = "condition" if model is Compound else "compound"
    link_field = "compound_id" if model is Compound else "condition_id"
    return site_tags.footprint_of_hub(
        published.slug,
        published.letter,
        pairs=published.summaries.values_list(f"{other}__slug", flat=True),
        updates=PublishedResearchUpdate.objects.filter(**{f"links__{link_field}": pk}).values_list(
            "slug", flat=True
        ),
    )


def _announce(model, pk, before):
    change = PublicationChange.objects.create(
        model=model._meta.model_name, object_id=pk, before=before, after=footprint(model, pk)
    )
    _announce_on_commit(change)


def _announce_on_commit(change):
    transaction.on_commit(lambda: published_changed.send(sender=PublicationChange, change=change))


def _remember_former_slug(model, pk, old_slug, new_slug):
    if old_slug and old_slug != new_slug:
        FormerSlug.objects.update_or_create(
            kind=model._meta.model_name, slug=old_slug, defaults={"object_id": pk}
        )


def _waiting_summaries(**pair_side):
    """Live summaries of a compound or condition whose other side is published: they go
    on the site with it."""
    return (
        EvidenceSummary.objects.filter(live_version__isnull=False, **pair_side)
        .filter(compound_id__in=PublishedCompound.objects.values("pk"))
        .filter(condition_id__in=PublishedCondition.objects.values("pk"))
        .select_related("live_version")
        .only("id", "compound_id", "condition_id", "live_version")
    )


def publish(obj, version, previous_slug=None):
    """Write obj's published row from its just-approved version.

    previous_slug is the slug its last approved version had, if it was approved
    before: the address it leaves answers 301 from now on.
    """
    model = type(obj)
    published = PUBLISHED_MODEL[model]
    before = footprint(model, obj.pk)
    data = version.data
    if model is EvidenceSummary:
        compound = PublishedCompound.objects.filter(pk=obj.compound_id).first()
        condition = PublishedCondition.objects.filter(pk=obj.condition_id).first()
        if compound and condition:
            notices = published_notices({obj.pk: data}).get(obj.pk, ())
            row = _summary_row(obj.pk, version, compound, condition, notices)
            row.save()
            PublishedCitation.objects.filter(summary_id=obj.pk).delete()
            _write_citations([row])
        _announce(model, obj.pk, before)
        return
    if model is SitePage:
        published(id=obj.pk, **site_page_columns(data), **_byline(version)).save()
        _announce(model, obj.pk, before)
        return
    was_published = before is not None
    published(id=obj.pk, **_columns(model, data), **_byline(version)).save()
    _index_for_search(model, [obj.pk])
    _remember_former_slug(
        model, obj.pk, before["slug"] if was_published else previous_slug, data["slug"]
    )
    if model is ResearchUpdate:
        ResearchUpdateLink.objects.filter(update_id=obj.pk).delete()
        ResearchUpdateLink.objects.bulk_create(
            [ResearchUpdateLink(update_id=obj.pk, compound_id=pk) for pk in data["compounds"]]
            + [ResearchUpdateLink(update_id=obj.pk, condition_id=pk) for pk in data["conditions"]]
        )
    elif was_published:
        # The pair tables name the other side by its published name.
        name_field = "compound_name" if model is Compound else "condition_name"
        side = "compound_id" if model is Compound else "condition_id"
        PublishedSummary.objects.filter(**{side: obj.pk}).update(**{name_field: data["name"]})
    else:
        side = "compound_id" if model is Compound else "condition_id"
        _publish_waiting(_waiting_summaries(**{side: obj.pk}))
    _announce(model, obj.pk, before)


def publish_summaries(approved):
    """publish() of many evidence summaries at once, each with its just-approved version
    ([(summary, version)]), in a number of queries that does not grow with their count:
    the published rows of those whose compound and condition are published are written
    (inserted or replaced) in one statement, with their citations and study notices, and
    each summary's change is recorded as publish() records it."""
    ids = [summary.pk for summary, _ in approved]
    before = {
        pk: site_tags.footprint_of_summary(compound, condition)
        for pk, compound, condition in PublishedSummary.objects.filter(pk__in=ids).values_list(
            "pk", "compound__slug", "condition__slug"
        )
    }
    named = ("name", "slug")
    compounds = PublishedCompound.objects.only(*named).in_bulk(
        {summary.compound_id for summary, _ in approved}
    )
    conditions = PublishedCondition.objects.only(*named).in_bulk(
        {summary.condition_id for summary, _ in approved}
    )
    live = [
        (summary, version)
        for summary, version in approved
        if summary.compound_id in compounds and summary.condition_id in conditions
    ]
    notices = published_notices({summary.pk: version.data for summary, version in live})
    rows = [
        _summary_row(
            summary.pk,
            version,
            compounds[summary.compound_id],
            conditions[summary.condition_id],
            notices.get(summary.pk, ()),
        )
        for summary, version in live
    ]
    if rows:
        # What row.save() does to each: a row replaced whole, or a new one.
        PublishedSummary.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=[
                field.name
                for field in PublishedSummary._meta.concrete_fields
                if not field.primary_key
            ],
        )
        PublishedCitation.objects.filter(summary_id__in=[row.pk for row in rows]).delete()
        _write_citations(rows)
    after = {
        summary.pk: site_tags.footprint_of_summary(
            compounds[summary.compound_id].slug, conditions[summary.condition_id].slug
        )
        for summary, _ in live
    }
    model = EvidenceSummary._meta.model_name
    changes = PublicationChange.objects.bulk_create(
        PublicationChange(model=model, object_id=pk, before=before.get(pk), after=after.get(pk))
        for pk in ids
    )
    for change in changes:
        _announce_on_commit(change)


def _publish_waiting(summaries, batch=2000):
    """Write the published rows of waiting summaries (_waiting_summaries): a few queries a
    batch whatever the count, never one a summary. Each batch is copied from the
    versions in the database (INSERT ... SELECT), so the snapshots never travel through
    Python; only what grade_cited is worked out from is read."""
    ids = list(summaries.values_list("pk", flat=True).order_by("pk"))
    for start in range(0, len(ids), batch):
        _write_waiting(ids[start : start + batch])


def _snapshot_parts(ids):
    """What the published rows of these summaries work out in Python from their live
    versions' snapshots, read without the rest of them: {id: its level, basis and
    references}."""
    rows = EvidenceSummary.objects.filter(pk__in=ids).values_list(
        "pk",
        _version_text("evidence_level"),
        _version_text("evidence_basis"),
        "live_version__data__references",
    )
    return {
        pk: {"evidence_level": level, "evidence_basis": basis, "references": references or []}
        for pk, level, basis, references in rows
    }


def _version_text(key):
    """A text field of the live version's snapshot."""
    return KeyTextTransform(key, "live_version__data")


def _name_of(published, side):
    return Subquery(published.objects.filter(pk=OuterRef(side)).values("name")[:1])


def _write_waiting(ids):
    """Insert the published rows of the summaries of ids, as _summary_row makes them,
    and the studies they cite (_write_citations)."""
    parts = _snapshot_parts(ids)
    cited = [pk for pk, part in parts.items() if snapshot_grade_is_cited(part)]
    notices = published_notices(parts)
    version = "live_version__"
    columns = {
        "id": F("pk"),
        "compound_id": F("compound_id"),
        "condition_id": F("condition_id"),
        "compound_name": _name_of(PublishedCompound, "compound_id"),
        "condition_name": _name_of(PublishedCondition, "condition_id"),
        "evidence_level": _version_text("evidence_level"),
        "verdict": _version_text("verdict"),
        "evidence_basis": _version_text("evidence_basis"),
        "grade_cited": Case(
            When(pk__in=cited, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        # Only summaries citing a study with a notice have any: few, each its own value.
        "study_notices": Case(
            *(When(pk=pk, then=_json(found)) for pk, found in notices.items()),
            default=_json([]),
            output_field=JSONField(),
        ),
        "data": F(f"{version}data"),
        "version_number": F(f"{version}number"),
        "reviewer_name": F(f"{version}reviewer_name"),
        "reviewer_credentials": F(f"{version}reviewer_credentials"),
        "reviewer_id": F(f"{version}reviewer_id"),
        "approved_at": F(f"{version}approved_at"),
        "next_review_due": F(f"{version}next_review_due"),
        "change_log": F(f"{version}change_log"),
    }
    written = {field.column for field in PublishedSummary._meta.concrete_fields}
    assert written == set(columns), f"the published summary's columns are {sorted(written)}"
    # values() names may not be those of the model's fields: each is taken as "c_<name>".
    select = (
        EvidenceSummary.objects.filter(pk__in=ids)
        .order_by()
        .values(**{f"c_{name}": value for name, value in columns.items()})
    )
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(PublishedSummary._meta.db_table)} ({names}) {sql}", params
        )
    PublishedCitation.objects.bulk_create(
        [
            PublishedCitation(summary_id=pk, identifier_kind=kind, identifier=identifier)
            for pk, part in parts.items()
            for kind, identifier in sorted(cited_identifiers(part))
        ],
        batch_size=2000,
    )


def _json(value):
    return Value(value, output_field=JSONField())


def _write_citations(rows):
    """The studies the summaries' approved versions cite, by PMID and DOI."""
    PublishedCitation.objects.bulk_create(
        [
            PublishedCitation(summary_id=row.pk, identifier_kind=kind, identifier=identifier)
            for row in rows
            for kind, identifier in sorted(cited_identifiers(row.data))
        ],
        batch_size=2000,
    )


def refresh_study_notices(summary_ids):
    """Writes again the notices of these summaries' published rows, after the watch found
    a notice or an advisor decided on one, and records the change of their pages so that
    every copy of them is refreshed (pages/cache.py), in the caller's transaction."""
    rows = dict(PublishedSummary.objects.filter(pk__in=list(summary_ids)).values_list("pk", "data"))
    notices = published_notices(rows)
    for pk in rows:
        before = footprint(EvidenceSummary, pk)
        PublishedSummary.objects.filter(pk=pk).update(study_notices=notices.get(pk, []))
        _announce(EvidenceSummary, pk, before)


def unpublish(obj):
    """Take obj off the public site: its published row, and a compound's or condition's
    summaries with it."""
    model = type(obj)
    before = footprint(model, obj.pk)
    PUBLISHED_MODEL[model].objects.filter(pk=obj.pk).delete()
    _announce(model, obj.pk, before)


def _as_of(apps, model):
    """The model whose table rows of `model` are written to: today's, or, given the models
    of a migration's time (apps), that time's; None if the table came later."""
    if apps is None:
        return model
    try:
        return apps.get_model(model._meta.app_label, model._meta.model_name)
    except LookupError:
        return None


def _fields_of(model):
    return {f.attname for f in model._meta.concrete_fields} | {f.name for f in model._meta.fields}


def rebuild(record_change=True, apps=None):
    """Write the whole published read model again from the live versions.

    For a database that has versions but no published rows (one migrated from
    before the read model), or to repair one. Runs in one transaction, and records
    that every page may have changed (not by migration 0003, which runs before the
    record exists). Migration 0003 passes the models of its time (`apps`): the rows are
    written with the columns their tables had then, and kinds whose tables came later
    are left out.
    """
    kinds = [model for model in PUBLISHABLE_MODELS if _as_of(apps, PUBLISHED_MODEL[model])]
    version_fields = _fields_of(_as_of(apps, Version))
    with transaction.atomic():
        for model in (EvidenceSummary, ResearchUpdate, Compound, Condition, SitePage):
            if model in kinds:
                _as_of(apps, PUBLISHED_MODEL[model]).objects.all().delete()
        FormerSlug.objects.all().delete()
        for model in (Compound, Condition, ResearchUpdate, SitePage):
            if model not in kinds:
                continue
            written = _as_of(apps, PUBLISHED_MODEL[model])
            columns = _fields_of(written)
            rows = []
            # Only the version's byline is read: migration 0003 runs this against the
            # schema of its time, which may lack fields added later (content fields, the
            # version's change log and reviewer).
            live = model.objects.filter(live_version__isnull=False).select_related("live_version")
            byline = [f"live_version__{name}" for name in BYLINE_FIELDS if name in version_fields]
            for obj in live.only("id", "live_version", *byline):
                version = obj.live_version
                data = version.data
                values = {
                    **(site_page_columns(data) if model is SitePage else _columns(model, data)),
                    **_byline(version, reviewer="reviewer" in version_fields),
                }
                rows.append(written(id=obj.pk, **{k: v for k, v in values.items() if k in columns}))
            written.objects.bulk_create(rows, batch_size=2000)
            _index_for_search(model, [row.pk for row in rows])
        links = []
        for update in PublishedResearchUpdate.objects.only("id", "data"):
            links += [
                ResearchUpdateLink(update_id=update.pk, compound_id=pk)
                for pk in update.data["compounds"]
            ]
            links += [
                ResearchUpdateLink(update_id=update.pk, condition_id=pk)
                for pk in update.data["conditions"]
            ]
        ResearchUpdateLink.objects.bulk_create(links, batch_size=2000)
        waiting = _waiting_summaries()
        # Asked first, without the versions' columns: migration 0003 runs this with no
        # live summary, against a version table that lacks the change log added later.
        if waiting.exists():
            _publish_waiting(waiting)
        _rebuild_former_slugs()
        if record_change:
            # Any page may have changed: every copy is refreshed.
            everything = PublicationChange.objects.create(model=PublicationChange.EVERYTHING)
            _announce_on_commit(everything)


def _rebuild_former_slugs():
    for model in (Compound, Condition, ResearchUpdate):
        current = dict(PUBLISHED_MODEL[model].objects.values_list("pk", "slug"))
        # Oldest first, so a slug used by two objects in turn points at the latest.
        for object_id, data in (
            Version.objects.of_model(model)
            .order_by("approved_at", "pk")
            .values_list("object_id", "data")
        ):
            slug = data.get("slug")
            if slug and current.get(object_id) != slug:
                FormerSlug.objects.update_or_create(
                    kind=model._meta.model_name, slug=slug, defaults={"object_id": object_id}
                )
