"""Where a reader in crisis gets help, country by country: rows of a condition's notice.

A condition that calls for urgent help (suicidal thoughts) carries a notice, and under
it a line per country: the service, how to reach it, its page. The lines are edited
inline with the condition and approved with it, like every other text patients read:
a number that is wrong, or out of date, is one an advisor can catch before it is shown.
"""

from django.db import models


class HelpLineManager(models.Manager):
    def get_by_natural_key(self, condition_slug, service):
        return self.get(condition__slug=condition_slug, service=service)


class HelpLine(models.Model):
    condition = models.ForeignKey(
        "compounds.Condition", on_delete=models.CASCADE, related_name="help_lines"
    )
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order under the notice: 1 comes first."
    )
    country = models.CharField(
        "country or region",
        max_length=100,
        help_text="Where the line answers: “United States”, or “Anywhere else” for the "
        "local emergency number.",
    )
    service = models.CharField(
        max_length=200,
        help_text="The service's own name: “988 Suicide & Crisis Lifeline”, “Samaritans”.",
    )
    contact = models.CharField(
        "number or how to reach it",
        max_length=300,
        help_text="A full sentence, with the number as readers dial it: “Call or text 988, "
        "at any hour.”",
    )
    url = models.URLField(
        "web page",
        max_length=500,
        blank=True,
        help_text="The service's own page, when it has one. Its name links to it.",
    )

    objects = HelpLineManager()
    # What tells a condition's lines apart, for fixtures, the catalogue and messages.
    natural_field = "service"

    class Meta:
        verbose_name = "help line"
        ordering = ["condition", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["condition", "service"],
                name="help_line_unique_per_condition",
                violation_error_message="This condition already lists this service.",
            )
        ]

    def __str__(self):
        return f"{self.country}: {self.service}"

    def natural_key(self):
        return self.condition.natural_key() + (self.service,)

    natural_key.dependencies = ["compounds.condition"]
