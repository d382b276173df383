"""Helpers for the catalogue import and export tests: a rich catalogue, files, wiping."""

import io
import json
import zipfile

from django.core.management import call_command

from compounds.catalogue import export
from compounds.catalogue.apply import apply
from compounds.catalogue.check import check
from compounds.catalogue.read import read
from compounds.evidence import CautionKind, FindingKind, SafetyCategory, Severity, StudyDesign
from compounds.models import (
    PUBLISHABLE_MODELS,
    Caution,
    FormerSlug,
    ImportBatch,
    Interaction,
    Mechanism,
    Monitoring,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
    ResearchReference,
    ResearchUpdate,
    ReviewEvent,
    SafetyFinding,
    SafetyNote,
    Version,
)
from tests.factories import make_compound, make_condition, make_reference, make_summary


def rich_catalogue():
    """A compound with a row of every kind, two conditions, summaries with references and
    findings, and a research update with its source and links."""
    compound = make_compound(slug="ketamine", name="Ketamine", aliases="esketamine, Spravato")
    Mechanism.objects.create(compound=compound, position=1, description="NMDA antagonism")
    SafetyNote.objects.create(
        compound=compound, category=SafetyCategory.SIDE_EFFECTS, description="Dissociation"
    )
    Monitoring.objects.create(
        compound=compound, what="Blood pressure", when="After each dose", source="Label 5.1"
    )
    Caution.objects.create(
        compound=compound,
        kind=CautionKind.CONTRAINDICATION,
        description="Not with an aneurysm.",
        source="Label 4",
        source_url="https://example.org/label",
    )
    Interaction.objects.create(
        compound=compound,
        drug="Benzodiazepines",
        severity=Severity.MAJOR,
        effect="More sleepiness",
        management="Watch closely",
        source="Label 7",
    )
    depression = make_condition(slug="depression", name="Depression", urgent_help="Call 988 now.")
    pain = make_condition(slug="pain", name="Pain")
    summary = make_summary(
        compound=compound, condition=depression, key_takeaways="It helps.\nIt is fast."
    )
    make_reference(summary, pmid="31578302", title="Trial one")
    make_reference(
        summary,
        pmid="",
        doi="10.1176/appi.ajp.2018.18020138",
        title="Trial two",
        studied_condition=False,
    )
    SafetyFinding.objects.create(
        summary=summary, kind=FindingKind.FINDING, description="Well tolerated.", source="Trial one"
    )
    make_summary(compound=compound, condition=pain)
    update = ResearchUpdate.objects.create(
        slug="new-trial",
        title="A new trial",
        summary="It was studied.",
        study_design=StudyDesign.RCT,
        participants=40,
        date="2025-01-02",
    )
    update.compounds.add(compound)
    update.conditions.add(depression, pain)
    ResearchReference.objects.create(
        update=update, nct_id="NCT01234567", title="The trial", year=2024, study_design="rct"
    )
    return compound


def export_json(source="working"):
    return "".join(export.json_chunks(source))


def export_zip(source="working"):
    return b"".join(export.csv_zip_chunks(source))


def csv_files(source="working"):
    with zipfile.ZipFile(io.BytesIO(export_zip(source))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def catalogue_of(text):
    """An export without what differs between databases: the time and the revisions."""
    document = json.loads(text)
    document.pop("exported_at")
    document.pop("source")
    for kind in ("compounds", "conditions", "evidence_summaries", "research_updates"):
        for record in document[kind]:
            record.pop("revision")
    return document


def plan_of(files):
    return check(read(files))


def import_files(files, user, submit=False):
    plan = plan_of(files)
    assert not plan.issues, [str(issue) for issue in plan.issues]
    return apply(plan, user, files[0][0], submit=submit)


def wipe_catalogue():
    """Empty the content tables, as a new database has them."""
    for model in (PublishedSummary, PublishedResearchUpdate, PublishedCompound, PublishedCondition):
        model.objects.all().delete()
    FormerSlug.objects.all().delete()
    ImportBatch.objects.all().delete()
    for model in PUBLISHABLE_MODELS:
        model.objects.update(live_version=None)
    ReviewEvent.objects.all().delete()
    Version.objects.all().delete()
    for model in reversed(PUBLISHABLE_MODELS):
        model.objects.all().delete()


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()
