"""The public pages as outside judges see them: valid HTML, no accessibility violations."""

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.e2e.judges import AXE, PUBLIC_PATHS, VNU_JAR, need

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:  # the 404 page is a page too
        return error.read()


def test_every_kind_of_public_page_is_valid_html(site, tmp_path):
    need(VNU_JAR.exists(), "vnu-jar (npm ci)")
    need(subprocess.run(["java", "-version"], capture_output=True).returncode == 0, "Java")
    files = []
    for n, path in enumerate(PUBLIC_PATHS):
        page = tmp_path / f"page-{n}.html"
        page.write_bytes(_fetch(site + path))
        files.append(str(page))
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    problems = [
        f"{PUBLIC_PATHS[files.index(m['url'].removeprefix('file:'))]}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]
    assert problems == []


def test_no_public_page_has_an_accessibility_violation(site, browser):
    need(AXE.exists(), "axe-core (npm ci)")
    # axe is injected as a script, which the site's own policy rightly refuses.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    violations = {}
    for path in PUBLIC_PATHS:
        page.goto(site + path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})"
        )
        found = [f"{v['id']}: {v['nodes'][0]['html'][:80]}" for v in result["violations"]]
        if found:
            violations[path] = found
    assert violations == {}
