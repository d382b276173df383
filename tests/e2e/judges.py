"""Where the outside judges live, and the public pages they judge."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"

# Every public page kind: the four review page types, the hubs, search, a 404 and the
# site's own pages.
PUBLIC_PATHS = [
    "/",
    "/compounds/",
    "/compounds/ketamine/",
    "/conditions/",
    "/conditions/leukemia/",
    # A condition with an urgent-help notice, and one letter of an A-Z list.
    "/conditions/suicidal-ideation/",
    "/compounds/?letter=k",
    "/compounds/ketamine/leukemia/does-it-work/",
    "/compounds/ketamine/leukemia/evidence-level/",
    "/compounds/ketamine/neuropathic-pain/interactions/",
    "/compounds/ketamine/neuropathic-pain/safety/",
    # A pair whose condition calls for urgent help, and whose grade no cited study backs.
    "/compounds/ketamine/treatment-resistant-depression/does-it-work/",
    "/conditions/treatment-resistant-depression/",
    "/research/",
    "/research/low-dose-ketamine-infusions-for-chronic-pain/",
    "/how-we-grade-evidence/",
    "/search/?q=spravato",
    # A pair's pages found by a question, the urgent-help notice of a crisis term, and a
    # compound and condition with no review.
    "/search/?q=does+esketamine+help+depression",
    "/search/?q=suicide",
    "/search/?q=ketamine+suicidal",
    "/search/?q=",
    # The report to take to the doctor, with two pairs and their compound's interactions.
    "/report-for-your-doctor/?compound=ketamine&condition=leukemia&condition=suicidal-ideation",
    "/no-such-page/",
    # Where a reader lands after reporting a problem with a page.
    "/report-a-problem/thank-you/?page=/compounds/ketamine/",
    # The site's own pages, and the advisors' (the seed's site_pages fixture).
    "/about/",
    "/editorial-policy/",
    "/funding-and-conflicts-of-interest/",
    "/contact/",
    "/advisors/",
    "/advisors/nikhil-joshi/",
]


def need(condition, what):
    if condition:
        return
    if os.environ.get("REQUIRE_E2E"):
        pytest.fail(f"{what} is missing, and REQUIRE_E2E is set.")
    pytest.skip(f"{what} is missing: see tests/e2e/conftest.py.")
