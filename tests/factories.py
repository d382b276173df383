"""Small builders for valid content: each takes overrides for what a test is about."""

import atexit
import os
import tempfile
from itertools import count
from pathlib import Path

from compounds.evidence import EvidenceBasis, EvidenceLevel, StudyDesign, Verdict
from compounds.models import Compound, Condition, EvidenceSummary, Reference, SitePage

_serial = count(1)


def make_compound(**fields):
    n = next(_serial)
    values = {
        "name": f"Compound {n}",
        "slug": f"compound-{n}",
        "drug_class": "Test class",
        "regulatory_status": "Not approved anywhere.",
        "evidence_overview": "Studied in a few small trials.",
        "safety_profile": "Generally tolerated.",
    }
    values.update(fields)
    return Compound.objects.create(**values)


def make_condition(**fields):
    n = next(_serial)
    values = {
        "name": f"Condition {n}",
        "slug": f"condition-{n}",
        "specialist": "oncologist",
        "standard_treatment": "typically involves multiple agents",
    }
    values.update(fields)
    return Condition.objects.create(**values)


def summary_values(**fields):
    """Valid field values for an evidence summary, unsaved."""
    values = {
        "evidence_level": EvidenceLevel.LEVEL_2,
        "verdict": Verdict.PROMISING,
        "evidence_basis": EvidenceBasis.DIRECT,
        "human_evidence": "Two randomized trials.",
        "regulatory_status": "Not approved for this condition.",
    }
    values.update(fields)
    if "compound" not in values:
        values["compound"] = make_compound()
    if "condition" not in values:
        values["condition"] = make_condition()
    return values


def make_summary(**fields):
    return EvidenceSummary.objects.create(**summary_values(**fields))


def make_reference(summary=None, **fields):
    """A reference, by default an RCT of the summary's condition (the factory's summaries
    are direct: their grade rests on such studies)."""
    values = {
        "summary": summary or make_summary(),
        "pmid": "31578302",
        "title": "A randomized trial",
        "journal": "A journal",
        "year": 2020,
        "study_design": StudyDesign.RCT,
        "participants": 120,
        "studied_condition": True,
    }
    values.update(fields)
    return Reference.objects.create(**values)


def make_site_page(kind=SitePage.Kind.ABOUT, **fields):
    """One of the site's own pages; with kind "advisor", pass the advisor."""
    values = {
        "kind": kind,
        "title": "" if kind == SitePage.Kind.ADVISOR else "About this site",
        "body": "This site reviews research.\n\n## How\n\n"
        "Read [how we grade](/how-we-grade-evidence/).",
    }
    values.update(fields)
    return SitePage.objects.create(**values)


def make_user(username, role, byline=False, **fields):
    """A staff user in the Editor or Medical Advisor group, optionally with a byline
    (under their full name, if `fields` give one)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from compounds import roles
    from compounds.models import MedicalAdvisor

    if not Group.objects.filter(name=role).exists():
        # A transactional test before this one emptied the database, and the roles that
        # migrate made went with it: they are made again as migrate makes them.
        roles.grant()
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    if byline:
        MedicalAdvisor.objects.create(
            user=user,
            display_name=user.get_full_name() or username.title(),
            slug=username,
            credentials="MD",
        )
    return user


# The approved seed content as a fixture file, written the first time a test run
# approves it: the browser tests (transactional, their database emptied after each)
# load it in about a second, rather than taking the seed through review each time.
_APPROVED_SEED = Path(tempfile.gettempdir()) / f"insightswarm-approved-seed-{os.getpid()}.json"
_SEEDED_APPS = ["compounds", "auth.user"]


def approve_seed_content():
    """Load the seed content and the site's own pages and take all of it through review,
    as `make run` does."""
    from django.core.management import call_command

    from compounds.management.commands.seed_demo import approve_everything
    from compounds.models import MedicalAdvisor

    if _APPROVED_SEED.exists():
        call_command("loaddata", str(_APPROVED_SEED), verbosity=0)
        return
    call_command("loaddata", "seed_content", "site_pages", verbosity=0)
    editor = make_user("seed-editor", "Editor")
    advisor = make_user("seed-advisor", "Medical Advisor")
    # The second demo advisor approves the first one's page, as seed_demo has it.
    second = make_user("seed-advisor2", "Medical Advisor")
    MedicalAdvisor.objects.filter(slug="nikhil-joshi").update(user=advisor)
    MedicalAdvisor.objects.filter(slug="maria-okafor").update(user=second)
    approve_everything(editor, advisor, second)
    call_command("dumpdata", *_SEEDED_APPS, output=str(_APPROVED_SEED), verbosity=0)
    atexit.register(_APPROVED_SEED.unlink, missing_ok=True)


def live_objects(model):
    """The approved objects of a kind as public pages get them: rebuilt from the
    published read model, research updates with their published links."""
    from compounds.review.publishing import PUBLISHED_MODEL
    from pages import live

    return live.contents(list(PUBLISHED_MODEL[model].objects.all()), links=True)


def live_object(model, pk):
    """One approved object as public pages get it; DoesNotExist when it is not published."""
    from compounds.review.publishing import PUBLISHED_MODEL
    from pages import live

    (obj,) = live.contents([PUBLISHED_MODEL[model].objects.get(pk=pk)], links=True)
    return obj


def is_live(model, pk):
    from compounds.review.publishing import PUBLISHED_MODEL

    return PUBLISHED_MODEL[model].objects.filter(pk=pk).exists()


def save_edit(obj, editor, **fields):
    """Save an edit of the working copy as the admin books it; nothing is approved."""
    from compounds.review import workflow

    obj = type(obj).objects.get(pk=obj.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    workflow.record_edit(obj, editor)
    obj.save()
    return obj


# The advisor's comment confirming a grade no cited study supports (the factories' summaries
# are Level 2 and cite nothing unless a test adds references): test data.
GRADE_CONFIRMED = "Grade confirmed by the advisor; the studies behind it are to be cited."
# The advisor's comment on open content checks (compounds/review/content_checks.py), which a
# test's text or the seed's may trip: test data.
CHECKS_NOTED = "Content checks read by the advisor; the text stands for this test."


def confirming(obj):
    """The comment an approval of obj needs, and of what it takes along (a new pair's
    compound and condition): the grade's confirmation, the open content checks noted."""
    from compounds.review import workflow

    approved = [obj, *(workflow.companions(obj) if obj.pk else [])]
    needed = [
        (GRADE_CONFIRMED, any(map(workflow.grade_to_confirm, approved))),
        (CHECKS_NOTED, any(map(workflow.checks_to_confirm, approved))),
    ]
    return " ".join(comment for comment, asked in needed if asked)


# The advisor's public reason for a change of verdict or evidence level, which the pair's
# change log shows patients: test data.
PUBLIC_REASON = "The advisor's reason for this change, as the test gives it."


def public_reason(obj):
    """The public reason an approval of obj needs (PUBLIC_REASON), or "" if none."""
    from compounds.review import workflow

    return PUBLIC_REASON if workflow.public_reason_to_give(obj) else ""


def approve_as(obj, editor, advisor):
    """Take an object through review: submitted by the editor, approved by the advisor
    (with the comment `confirming` gives, and the public reason `public_reason` gives,
    where the approval needs them)."""
    from compounds.review import workflow

    workflow.submit(obj, editor)
    return workflow.approve(obj, advisor, comment=confirming(obj), public_reason=public_reason(obj))


def shown_by(page, button, user, model):
    """What a decision's confirmation page names as shown (compounds/review/shown.py),
    read through the one token its form posts when `button` is pressed."""
    from compounds.review import shown
    from tests.admin_forms import form_data

    data = form_data(page, button)
    action = (data.get("action") or data.get("CHANGE_FORM-action"))[0]
    (token,) = data[shown.FIELD]
    return shown.recall(user, model, action, token)
