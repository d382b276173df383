"""The synthetic catalogue: every row the review workflow would have written, loaded with COPY.

Going through workflow.approve() costs tens of milliseconds an object, hours for
1,000,000 pairs, so the rows are written directly, in the exact shape the
workflow leaves them:

- working rows approved once (revision 1, review state approved, live version
  set, nobody's edits pending), a few renamed and approved twice;
- a Version per approval whose data is the snapshot compounds/review/snapshots.py
  would take of the row (same fields, children in the same order);
- a submit and an approve ReviewEvent per approval;
- the published rows, built by compounds/review/publishing.py's own helpers
  (`_columns`, `_byline`), a FormerSlug per rename, research update links,
  and the weighted search vector publishing._index_for_search would store.

bench/verify.py then checks a sample against snapshots.take() and
publishing.publish() and renders pages of every kind.

Each table is filled by its own COPY on its own connection, all at once from
one pass over the generated content: PostgreSQL parses and indexes while
Python generates. Foreign-key triggers are off during the load (the rows are
consistent by construction), as in any bulk restore.
"""

import datetime
import itertools
import json
import random
import time
from types import SimpleNamespace

import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

from compounds import searchable
from compounds.evidence import EvidenceBasis
from compounds.models import (
    Caution,
    Compound,
    Condition,
    EvidenceSummary,
    FormerSlug,
    Interaction,
    Mechanism,
    MedicalAdvisor,
    Monitoring,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
    Reference,
    ResearchReference,
    ResearchUpdate,
    ResearchUpdateLink,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    SafetyFinding,
    SafetyNote,
    Version,
)
from compounds.review import change_log, publishing, snapshots
from compounds.review.workflow import review_due_after

from . import text

# compounds x conditions
SCALES = {"small": (200, 100), "full": (2000, 500)}
ADMIN_USERNAME = "bench-admin"
ADVISORS = [
    ("Amira Haddad", "MD, PhD"),
    ("Nikhil Joshi", "MD, FRCPC"),
    ("Jean-Luc Bérard", "PharmD"),
]
# One in this many compounds and conditions was renamed after its first approval:
# its old address answers 301 through a FormerSlug.
RENAMED_EVERY = 97


class JsonText(str):
    """A JSON document already serialised: written to a JSON column as it is.

    The version's snapshot is serialised once and written to both the Version and
    the published row, which at 1,000,000 pairs saves a second json.dumps each.
    """


class Table:
    """A COPY into one table on a connection of its own, in the model's column order.

    A row is given by attribute name; a missing field is a KeyError, so a model
    change that the loader does not follow fails here instead of loading a
    different shape.
    """

    def __init__(self, dsn, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.fields = [(f.attname, isinstance(f, models.JSONField)) for f in fields]
        self.connection = psycopg.connect(dsn)
        # Replica mode skips foreign-key triggers; the rows reference each other
        # correctly by construction, and the tables fill in parallel.
        self.connection.execute("SET session_replication_role = replica")
        self.connection.execute("SET synchronous_commit = off")
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        self._copying = self.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN")
        self.copy = self._copying.__enter__()
        self.rows = 0

    def write(self, **row):
        self.copy.write_row(
            [
                json.dumps(row[name])
                if is_json and not isinstance(row[name], JsonText)
                else row[name]
                for name, is_json in self.fields
            ]
        )
        self.rows += 1

    def close(self):
        self._copying.__exit__(None, None, None)
        self.connection.commit()
        self.connection.close()


def dsn():
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=str(db["PORT"]) if db["PORT"] else None,
    )


def recreate_database():
    """Drop and create the bench database (never the project's own: the name is the bench's)."""
    name = settings.DATABASES["default"]["NAME"]
    if not name.endswith("_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: the bench database's name ends in _bench.")
    maintenance = psycopg.conninfo.make_conninfo(dsn(), dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


class Catalogue:
    def __init__(self, compounds, conditions, seed=20261121):
        self.compound_count = compounds
        self.condition_count = conditions
        self.update_count = max(50, compounds // 4)
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.ids = {}
        self._due = {}
        self.counts = {}

    def next_id(self, model):
        counter = self.ids.setdefault(model, itertools.count(1))
        return next(counter)

    # -- the load -------------------------------------------------------------------

    def build(self, log=print):
        started = time.perf_counter()
        recreate_database()
        connection.close()
        call_command("migrate", verbosity=0)
        log(f"  database created and migrated in {time.perf_counter() - started:.1f} s")
        self._people()
        self.content_type = {
            model: ContentType.objects.get_for_model(model).id
            for model in (Compound, Condition, EvidenceSummary, ResearchUpdate)
        }
        step = time.perf_counter()
        tables = {}
        try:
            for model in self._tables():
                tables[model] = Table(dsn(), model)
            self._stream(tables, log)
        finally:
            for table in tables.values():
                table.close()
        self.counts = {model._meta.label: table.rows for model, table in tables.items()}
        log(f"  rows copied in {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        self._search_vectors()
        self._reset_sequences()
        log(f"  search vectors and sequences in {time.perf_counter() - step:.1f} s")
        step = time.perf_counter()
        with connection.cursor() as cursor:
            # What autovacuum would have done by the time anyone measures: statistics
            # for the planner and visibility maps for index-only scans.
            cursor.execute("VACUUM (ANALYZE)")
        log(f"  vacuum and analyze in {time.perf_counter() - step:.1f} s")
        return time.perf_counter() - started

    def _tables(self):
        return [
            Condition,
            Compound,
            Mechanism,
            SafetyNote,
            Monitoring,
            Caution,
            Interaction,
            EvidenceSummary,
            Reference,
            SafetyFinding,
            ResearchUpdate,
            ResearchReference,
            ResearchUpdate.compounds.through,
            ResearchUpdate.conditions.through,
            Version,
            ReviewEvent,
            PublishedCompound,
            PublishedCondition,
            PublishedSummary,
            PublishedResearchUpdate,
            ResearchUpdateLink,
            FormerSlug,
        ]

    def _people(self):
        User = get_user_model()
        User.objects.create_superuser(ADMIN_USERNAME, password="bench-admin-password")
        self.editor = User.objects.create_user("bench-editor", is_staff=True)
        self.editor.groups.add(Group.objects.get(name="Editor"))
        self.advisors = []
        for n, (name, credentials) in enumerate(ADVISORS, start=1):
            user = User.objects.create_user(f"bench-advisor-{n}", is_staff=True)
            user.groups.add(Group.objects.get(name="Medical Advisor"))
            self.advisors.append(
                MedicalAdvisor.objects.create(
                    user=user, display_name=name, slug=slugify(name), credentials=credentials
                )
            )

    # -- the workflow's bookkeeping -------------------------------------------------------

    def _moment(self, first_day, last_day):
        """A moment between first_day and last_day days after the catalogue's start."""
        start = self.now - datetime.timedelta(days=400)
        seconds = (first_day + self.rng.random() * (last_day - first_day)) * 86400
        return start + datetime.timedelta(seconds=int(seconds))

    def _review_due(self, at):
        day = timezone.localdate(at)
        if day not in self._due:
            self._due[day] = review_due_after(day)
        return self._due[day]

    def _approve(self, t, model, pk, data, label, at, number=1):
        """The Version and the submit and approve events of one approval, as
        workflow.submit() and workflow.approve() write them. Returns the version."""
        advisor = self.advisors[pk % len(self.advisors)]
        log = []
        if model.keeps_change_log:
            # A pair approved once: its change log says it was first published.
            log = change_log.log_after(
                None,
                data,
                day=timezone.localdate(at),
                approved_by=change_log.byline(advisor.display_name, advisor.credentials),
            )
        version = SimpleNamespace(
            id=self.next_id(Version),
            data=JsonText(json.dumps(data)),
            number=number,
            reviewer_name=advisor.display_name,
            reviewer_credentials=advisor.credentials,
            reviewer_id=advisor.pk,
            approved_at=at,
            next_review_due=self._review_due(at),
            change_log=log,
        )
        content_type = self.content_type[model]
        t[Version].write(
            id=version.id,
            content_type_id=content_type,
            object_id=pk,
            number=number,
            data=version.data,
            approved_by_id=advisor.user_id,
            reviewer_name=version.reviewer_name,
            reviewer_credentials=version.reviewer_credentials,
            reviewer_id=version.reviewer_id,
            approved_at=at,
            next_review_due=version.next_review_due,
            public_reason="",
            change_log=log,
        )
        for action, before, after, user, when, version_id in (
            (
                ReviewAction.SUBMIT,
                ReviewState.DRAFT,
                ReviewState.IN_REVIEW,
                self.editor.pk,
                at - datetime.timedelta(hours=2),
                None,
            ),
            (
                ReviewAction.APPROVE,
                ReviewState.IN_REVIEW,
                ReviewState.APPROVED,
                advisor.user_id,
                at,
                version.id,
            ),
        ):
            t[ReviewEvent].write(
                id=self.next_id(ReviewEvent),
                content_type_id=content_type,
                object_id=pk,
                object_repr=label[:300],
                action=action.value,
                from_state=before.value,
                to_state=after.value,
                user_id=user,
                at=when,
                comment="",
                about=JsonText("[]"),
                version_id=version_id,
            )
        return version

    def _bookkeeping(self, version, edited_at, revision=1):
        """What a working row holds after its edits were approved."""
        return {
            "created_at": edited_at,
            "updated_at": edited_at,
            "review_state": ReviewState.APPROVED.value,
            "live_version_id": version.id,
            "revision": revision,
            "last_edited_by_id": self.editor.pk,
            "last_edited_at": edited_at,
            "editors_since_approval": [],
        }

    def _publish(self, t, model, pk, values, children, label, first_day, last_day):
        """Write a compound, condition or research update as approved (twice when it was
        renamed), with its published row. Returns the live version's snapshot."""
        data = snapshot(model, values, children)
        at = self._moment(first_day, last_day)
        renamed = "slug" in values and model is not ResearchUpdate and pk % RENAMED_EVERY == 0
        revision = 1
        if renamed:
            former = f"{values['slug']}-former"
            self._approve(
                t, model, pk, {**data, "slug": former}, label, at - datetime.timedelta(days=30)
            )
            t[FormerSlug].write(
                id=self.next_id(FormerSlug),
                kind=model._meta.model_name,
                slug=former,
                object_id=pk,
            )
            revision = 2
        version = self._approve(t, model, pk, data, label, at, number=revision)
        edited = at - datetime.timedelta(hours=3)
        t[model].write(id=pk, **values, **self._bookkeeping(version, edited, revision))
        published = publishing.PUBLISHED_MODEL[model]
        t[published].write(
            id=pk,
            search_vector=None,  # filled for all rows at once: _search_vectors()
            **publishing._columns(model, data),
            **publishing._byline(version),
        )
        return data

    # -- the content ----------------------------------------------------------------

    def _stream(self, t, log):
        rng = self.rng
        condition_names = text.unique_names(
            rng,
            self.condition_count,
            text.invent_condition,
            [n for n, _ in text.SPECIAL_CONDITIONS],
        )
        specialist_of = dict(text.SPECIAL_CONDITIONS)
        conditions = []
        for j, name in enumerate(condition_names):
            pk = j + 1
            values = {
                "name": name,
                "slug": slugify(name),
                "specialist": specialist_of.get(name) or rng.choice(text.SPECIALISTS),
                "urgent_help": "",
                "standard_treatment": "typically involves "
                + rng.choice(
                    [
                        "multiple agents (medications, biologics, or other interventions) that "
                        "vary by disease stage and subtype",
                        "lifestyle measures first, then medicines when symptoms persist",
                        "symptom relief, physiotherapy and regular specialist follow-up",
                    ]
                ),
            }
            self._publish(t, Condition, pk, values, {"help_lines": []}, name, 0, 60)
            conditions.append((pk, name))

        specials = {name: (aliases, cls) for name, aliases, cls in text.SPECIAL_COMPOUNDS}
        compound_names = text.unique_names(
            rng, self.compound_count, text.invent_compound, list(specials)
        )
        started = time.perf_counter()
        for i, name in enumerate(compound_names):
            pk = i + 1
            self._compound(t, pk, name, specials.get(name), conditions)
            if (i + 1) % max(1, self.compound_count // 10) == 0:
                log(
                    f"    {i + 1} of {self.compound_count} compounds with their pairs "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        self._research_updates(t, len(compound_names), conditions)

    def _compound(self, t, pk, name, special, conditions):
        rng = self.rng
        aliases, drug_class = special or (
            ", ".join(text.brand(rng) for _ in range(rng.randrange(0, 3))),
            rng.choice(text.DRUG_CLASSES),
        )
        studied = rng.sample(conditions, 2)
        values = {
            "name": name,
            "slug": slugify(name),
            "aliases": aliases,
            "drug_class": drug_class,
            "regulatory_status": rng.choice(
                [
                    f"FDA-approved for {studied[0][1].lower()}; approved in the EU as well.",
                    "Sold as a dietary supplement; not approved as a medicine anywhere.",
                    "Prescription medicine in most countries; off-label use is common.",
                ]
            ),
            "evidence_overview": f"Strong data for {studied[0][1]}; Phase II trials for "
            f"{studied[1][1]}; preclinical data only for most other conditions.",
            "safety_profile": "Generally well tolerated at usual doses. "
            + rng.choice(
                [
                    "Serious adverse events are rare but documented.",
                    "Long-term safety data are limited.",
                    "Interactions with common medicines need attention.",
                ]
            ),
        }
        children = {"mechanisms": [], "safety_notes": []}
        for position, description in enumerate(rng.sample(text.MECHANISMS, rng.randrange(2, 5)), 1):
            row = {"id": self.next_id(Mechanism), "position": position, "description": description}
            t[Mechanism].write(compound_id=pk, **row)
            children["mechanisms"].append(row)
        notes = rng.sample(text.SAFETY_NOTES, rng.randrange(2, 5))
        for position, (category, description) in enumerate(notes, 1):
            row = {
                "id": self.next_id(SafetyNote),
                "position": position,
                "category": category.value,
                "description": description,
            }
            t[SafetyNote].write(compound_id=pk, **row)
            children["safety_notes"].append(row)
        children.update(self._safety_rows(t, pk, values["slug"]))
        self._publish(t, Compound, pk, values, children, name, 0, 90)
        for condition_pk, condition_name in conditions:
            self._summary(t, pk, name, condition_pk, condition_name)

    def _safety_rows(self, t, pk, slug):
        """A compound's monitoring, cautions and interactions, as its snapshot lists them."""
        rng = self.rng
        source = {
            "source": "Prescribing information",
            "source_url": text.LABEL_URL.format(slug=slug),
        }
        rows = {"monitoring": [], "cautions": [], "interactions": []}
        for model, name, fields, choices in (
            (Monitoring, "monitoring", ("what", "when", "how_long"), text.MONITORING),
            (Caution, "cautions", ("kind", "description"), text.CAUTIONS),
            (
                Interaction,
                "interactions",
                ("drug", "severity", "effect", "management"),
                text.INTERACTIONS,
            ),
        ):
            for position, picked in enumerate(rng.sample(choices, rng.randrange(0, 4)), 1):
                row = {
                    "id": self.next_id(model),
                    "position": position,
                    **source,
                    **dict(zip(fields, picked, strict=True)),
                }
                t[model].write(compound_id=pk, **row)
                rows[name].append(row)
        return rows

    def _summary(self, t, compound_pk, compound_name, condition_pk, condition_name):
        rng = self.rng
        r = rng.random
        # Pairs are numbered compound by compound, as an import would create them.
        pk = (compound_pk - 1) * self.condition_count + condition_pk
        names = {"c": compound_name, "d": condition_name}
        level, verdict, basis = text.grade(rng)
        values = {
            "compound_id": compound_pk,
            "condition_id": condition_pk,
            "evidence_level": level,
            "verdict": verdict,
            "evidence_basis": basis,
            "preclinical_evidence": ""
            if r() < 0.3
            else text.sentences(rng, text.PRECLINICAL_SENTENCES, 2, **names),
            "human_evidence": text.sentences(rng, text.HUMAN_SENTENCES, 2 + (r() < 0.5), **names),
            "regulatory_status": text.sentences(rng, text.REGULATORY_SENTENCES, 1, **names),
            "has_condition_safety_data": r() < 0.3,
            "key_takeaways": "\n".join(
                line.format(**names) for line in rng.sample(text.TAKEAWAYS, rng.randrange(2, 5))
            )
            if r() < 0.5
            else "",
            "mechanism_relevance_documented": r() < 0.5,
        }
        references = []
        year = 2026
        for _ in range(int(r() * 4)):
            # Distinct years, newest first: the snapshot's order (Reference.Meta.ordering).
            year -= 1 + int(r() * 5)
            row = {
                "id": self.next_id(Reference),
                "pmid": str(10_000_000 + int(r() * 30_000_000)),
                "doi": f"10.{1000 + int(r() * 9000)}/bench.{year}.{pk}" if r() < 0.5 else "",
                "nct_id": f"NCT{int(r() * 10**8):08d}" if r() < 0.2 else "",
                "url": "",
                "authors": "",
                "title": text.pick(rng, text.TITLE_PATTERNS).format(**names)[:500],
                "journal": text.pick(rng, text.JOURNALS),
                "year": year,
                "study_design": text.pick(rng, text.DESIGNS),
                "participants": 8 + int(r() * 5000) if r() < 0.8 else None,
                # A direct grade's studies are of its condition, as migration 0015 marked
                # the references cited before the field (drawn without the generator, so
                # the rest of the catalogue stays what it was).
                "studied_condition": basis == EvidenceBasis.DIRECT,
            }
            t[Reference].write(summary_id=pk, **row)
            references.append(row)
        findings = []
        if values["has_condition_safety_data"]:
            for position, (kind, line) in enumerate(
                rng.sample(text.FINDINGS, rng.randrange(1, 3)), 1
            ):
                row = {
                    "id": self.next_id(SafetyFinding),
                    "position": position,
                    "kind": kind,
                    "description": line.format(**names),
                    "source": "A study in this condition",
                    "source_url": "",
                }
                t[SafetyFinding].write(summary_id=pk, **row)
                findings.append(row)
        data = snapshot(
            EvidenceSummary, values, {"references": references, "safety_findings": findings}
        )
        at = self._moment(90, 395)
        label = f"{compound_name} for {condition_name}"
        version = self._approve(t, EvidenceSummary, pk, data, label, at)
        edited = at - datetime.timedelta(hours=3)
        t[EvidenceSummary].write(id=pk, **values, **self._bookkeeping(version, edited))
        t[PublishedSummary].write(
            id=pk,
            compound_id=compound_pk,
            condition_id=condition_pk,
            compound_name=compound_name,
            condition_name=condition_name,
            **publishing._columns(EvidenceSummary, data),
            **publishing._byline(version),
            change_log=version.change_log,
            # The bench's studies carry no retraction or correction notice.
            study_notices=[],
        )

    def _research_updates(self, t, compound_count, conditions):
        rng = self.rng
        for pk in range(1, self.update_count + 1):
            compounds = sorted(rng.sample(range(1, compound_count + 1), rng.randrange(1, 4)))
            linked_conditions = sorted(c for c, _ in rng.sample(conditions, rng.randrange(0, 3)))
            condition_name = rng.choice(conditions)[1]
            title = f"Study {pk}: new data on {condition_name.lower()} treatment"
            date = (self.now - datetime.timedelta(days=rng.randrange(1, 365))).date()
            values = {
                "title": title,
                "slug": slugify(title),
                "summary": text.sentences(
                    rng, text.HUMAN_SENTENCES, 3, c="the treatment", d=condition_name
                ),
                "study_design": rng.choice(text.DESIGNS),
                "participants": rng.randrange(10, 3000),
                "source": rng.choice(text.SOURCES),
                "source_url": f"https://example.org/studies/{pk}",
                "date": date,
            }
            for through, field, linked in (
                (ResearchUpdate.compounds.through, "compound_id", compounds),
                (ResearchUpdate.conditions.through, "condition_id", linked_conditions),
            ):
                for other in linked:
                    t[through].write(
                        id=self.next_id(through), researchupdate_id=pk, **{field: other}
                    )
            references = []
            if rng.random() < 0.7:
                row = {
                    "id": self.next_id(ResearchReference),
                    "pmid": str(10_000_000 + pk),
                    "doi": "",
                    "nct_id": "",
                    "url": "",
                    "authors": "Bench A, Bench B, et al.",
                    "title": title,
                    "journal": rng.choice(text.JOURNALS),
                    "year": date.year,
                    "study_design": values["study_design"],
                    "participants": values["participants"],
                }
                t[ResearchReference].write(update_id=pk, **row)
                references.append(row)
            children = {
                "compounds": compounds,
                "conditions": linked_conditions,
                "references": references,
            }
            self._publish(t, ResearchUpdate, pk, values, children, title, 300, 399)
            for compound_pk in compounds:
                t[ResearchUpdateLink].write(
                    id=self.next_id(ResearchUpdateLink),
                    update_id=pk,
                    compound_id=compound_pk,
                    condition_id=None,
                )
            for condition_pk in linked_conditions:
                t[ResearchUpdateLink].write(
                    id=self.next_id(ResearchUpdateLink),
                    update_id=pk,
                    compound_id=None,
                    condition_id=condition_pk,
                )

    # -- after the copy -----------------------------------------------------------------

    def _search_vectors(self):
        """The search vector of every searchable published row, one UPDATE a table.

        The same words and weights as publishing._index_for_search, which updates
        one row at a time: the words are normalised in Python, copied into a
        temporary table, and weighted by PostgreSQL.
        """
        for model, fields in publishing.SEARCHED_FIELDS.items():
            published = publishing.PUBLISHED_MODEL[model]
            table = published._meta.db_table
            columns = [f"w{i}" for i in range(len(fields))]
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE bench_words (id bigint PRIMARY KEY, "
                    + ", ".join(f"{c} text" for c in columns)
                    + ")"
                )
                # Read first: the connection can run no other query during the COPY.
                rows = [
                    [pk]
                    + [
                        " ".join(searchable.words(publishing.searched_text(data, names)))
                        for names in fields
                    ]
                    for pk, data in published.objects.values_list("pk", "data")
                ]
                with cursor.cursor.copy(
                    f"COPY bench_words (id, {', '.join(columns)}) FROM STDIN"
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
                weighted = " || ".join(
                    f"setweight(to_tsvector('simple', w.{c}), '{'ABCD'[i]}')"
                    for i, c in enumerate(columns)
                )
                cursor.execute(
                    f"UPDATE {table} AS t SET search_vector = {weighted} "  # noqa: S608
                    "FROM bench_words AS w WHERE t.id = w.id"
                )
                cursor.execute("DROP TABLE bench_words")

    def _reset_sequences(self):
        loaded = [m for m in self._tables() if isinstance(m._meta.pk, models.AutoField)]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                cursor.execute(sql)


_CONTENT_FIELDS = {}


def snapshot(model, values, children):
    """The snapshot workflow.approve() stores: compounds/snapshots.take() of the row."""
    if model not in _CONTENT_FIELDS:
        _CONTENT_FIELDS[model] = [f.attname for f in snapshots.content_fields(model)]
    data = {name: values[name] for name in _CONTENT_FIELDS[model]}
    data.update(children)
    if model is ResearchUpdate:
        # Dates go through the JSON encoder as take() sends them.
        data["date"] = data["date"].isoformat()
    return data
