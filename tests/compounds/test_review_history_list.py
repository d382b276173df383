"""The review history list reads at a glance: one state column, and a content filter
that offers only the kinds of content with review steps."""

import pytest
from django.urls import reverse

from compounds.review import workflow
from tests.factories import make_compound, make_condition, make_user, save_edit

pytestmark = pytest.mark.django_db


def test_each_step_shows_its_state_change_and_the_filter_only_reviewed_kinds(admin_client):
    editor = make_user("editor", "Editor")
    workflow.submit(save_edit(make_compound(), editor), editor)
    workflow.submit(save_edit(make_condition(), editor), editor)
    response = admin_client.get(reverse("admin:compounds_reviewevent_changelist"))
    text = response.content.decode()
    assert "Draft → In review" in text
    content_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "content type"
    )
    choices = [str(choice["display"]) for choice in content_filter.choices(response.context["cl"])]
    assert sorted(choices[1:]) == ["Evidence content | compound", "Evidence content | condition"]
