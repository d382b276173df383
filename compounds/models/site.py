"""The site's own pages: who is behind it, how its content is made, who pays for it, how
to reach it, and a page for each medical advisor.

They are content like the rest: an editor writes them, a medical advisor approves them
(compounds/review/workflow.py), and the public site shows the approved version only.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from compounds import site_text

from .content import MedicalAdvisor, Timestamped
from .published import PublishedSitePage
from .review import Publishable, PublishableManager


class SitePageManager(PublishableManager):
    def get_by_natural_key(self, kind, advisor_slug=""):
        if advisor_slug:
            return self.get(kind=kind, advisor__slug=advisor_slug)
        return self.get(kind=kind, advisor__isnull=True)


class SitePage(Publishable, Timestamped):
    class Kind(models.TextChoices):
        # The value is the name of the page's address (pages/urls.py).
        ABOUT = "about", "About us"
        EDITORIAL_POLICY = "editorial_policy", "Editorial policy"
        FUNDING = "funding", "Funding and conflicts of interest"
        CONTACT = "contact", "Contact us"
        ADVISOR = "advisor", "A medical advisor's page"

    kind = models.CharField(
        max_length=30,
        choices=Kind.choices,
        help_text="Which page this is. The site has one of each, and one page per advisor.",
    )
    # A foreign key with a unique constraint rather than a one-to-one field: a page rebuilt
    # from its snapshot then reads no advisor row (compounds/review/snapshots.py).
    advisor = models.ForeignKey(
        MedicalAdvisor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pages",
        help_text="Whose page this is, for an advisor's page: it is headed by their name and "
        "credentials as their byline gives them, and lists the reviews they approved.",
    )
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text="The page's heading, as the footer does not name it: “How we make our "
        "reviews”. Leave empty on an advisor's page, which their name heads.",
    )
    body = models.TextField(
        help_text="Plain text, shown as typed: no HTML. An empty line starts a new paragraph; "
        "a line that starts with “## ” is a heading; lines that start with “- ” make a list; "
        "[words](address) is a link, to a page of this site (“/how-we-grade-evidence/”), to "
        "an address starting with https://, or to mailto: and an email address. On an "
        "advisor's page: their training, current post and any conflicts of interest."
    )

    objects = SitePageManager()

    published_model = PublishedSitePage

    class Meta:
        ordering = ["kind", "title"]
        permissions = [("review_sitepage", "Can approve, request changes to and withdraw")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=~Q(kind="advisor"),
                name="site_page_one_of_each_kind",
                violation_error_message="The site already has this page: edit that one.",
            ),
            models.UniqueConstraint(
                fields=["advisor"],
                name="site_page_one_per_advisor",
                violation_error_message="This advisor already has a page: edit that one.",
            ),
            models.CheckConstraint(
                condition=Q(kind="advisor", advisor__isnull=False)
                | (~Q(kind="advisor") & Q(advisor__isnull=True)),
                name="site_page_advisor_only_on_advisor_pages",
                violation_error_message="An advisor's page names its advisor; no other page does.",
            ),
        ]

    def __str__(self):
        # A page rebuilt from its snapshot reads no advisor (compounds/review/snapshots.py).
        advisor = self.advisor if self.advisor_id else None
        if advisor is not None:
            return f"{advisor.display_name}: advisor's page"
        return self.title or self.get_kind_display()

    def natural_key(self):
        return (self.kind, self.advisor.slug if self.advisor_id else "")

    natural_key.dependencies = ["compounds.medicaladvisor"]

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == self.Kind.ADVISOR:
            if self.title.strip():
                errors["title"] = "An advisor's page is headed by their name: leave this empty."
        elif not self.title.strip():
            errors["title"] = "Give the page a heading."
        problems = site_text.problems(self.body)
        if problems:
            errors["body"] = problems
        if errors:
            raise ValidationError(errors)

    def is_page_of(self, user):
        """Whether this is the page of the advisor whose account `user` is."""
        return (
            self.kind == self.Kind.ADVISOR
            and self.advisor_id is not None
            and user is not None
            and self.advisor.user_id == user.pk
        )

    @property
    def body_text(self):
        """The body as a reader reads it, without its markup (the content checks read it)."""
        return site_text.plain(self.body)
