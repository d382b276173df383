"""The project as a whole: migrations match the models, checks and linter are clean."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from packaging.requirements import Requirement


@pytest.mark.django_db
def test_migrations_match_the_models():
    # Exits non-zero (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db  # the JSON field check asks the database what it supports
def test_system_checks_are_clean():
    out = StringIO()
    call_command("check", "--fail-level", "WARNING", stdout=out)
    assert "no issues" in out.getvalue()


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).with_name("ruff")
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    assert ruff, "ruff is part of the dev extra: pip install -e '.[dev]'"
    result = subprocess.run(
        [ruff, "check", "--no-cache", "."],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# The layers ([tool.importlinter] in pyproject.toml), checked as `make lint` checks them.

PACKAGES = ("insightswarm", "compounds", "pages")


def _lint_imports(root):
    lint_imports = Path(sys.executable).with_name("lint-imports")
    lint_imports = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    assert lint_imports, "import-linter is part of the dev extra: pip install -e '.[dev]'"
    # It reads the packages from the directory it runs in, before any installed copy.
    return subprocess.run(
        [lint_imports, "--no-cache", "--no-logo"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_layers_hold():
    result = _lint_imports(settings.BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def copy_of_the_project(tmp_path):
    """The project's packages and contracts, in a folder of their own to plant imports in."""
    root = Path(settings.BASE_DIR)
    for package in PACKAGES:
        shutil.copytree(
            root / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(root / "pyproject.toml", tmp_path)
    return tmp_path


PLANTED = {
    # The cycle there was, hidden in a function: the models asked publishing for a check.
    "a model importing the workflow's publishing": (
        "compounds/models/content.py",
        "compounds.models.content -> compounds.review.publishing",
        "def planted():\n    from compounds.review import publishing\n",
    ),
    # Two modules of one package, which may import each other one way but not both ways.
    "a cycle inside the review package": (
        "compounds/review/history.py",
        "No cycles are allowed in compounds.review.",
        "import compounds.review.admin\n",
    ),
    "the content importing the public pages": (
        "compounds/review/snapshots.py",
        "compounds.review.snapshots -> pages.live",
        "def planted():\n    from pages import live\n",
    ),
}


@pytest.mark.parametrize("planted", PLANTED)
def test_a_planted_cycle_or_upward_import_breaks_the_contracts(copy_of_the_project, planted):
    module, reported, code = PLANTED[planted]
    assert _lint_imports(copy_of_the_project).returncode == 0
    with (copy_of_the_project / module).open("a") as source:
        source.write("\n\n" + code)
    result = _lint_imports(copy_of_the_project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported in result.stdout, result.stdout


# The Makefile, pyproject.toml and .ci/run: a first run on a fresh clone.

ROOT = Path(settings.BASE_DIR)


def _dry_run(*arguments):
    make = shutil.which("make")
    if not make:
        pytest.skip("make is not installed")
    env = {name: value for name, value in os.environ.items() if name != "SITE_URL"}
    result = subprocess.run(
        [make, "-n", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_every_make_target_declared_has_a_rule():
    text = (ROOT / "Makefile").read_text()
    declared = {name for line in re.findall(r"^\.PHONY:(.*)$", text, re.M) for name in line.split()}
    rules = set(re.findall(r"^([\w-]+):", text, re.M))
    assert declared - rules == set()


def test_make_run_gives_the_demo_emails_and_the_server_one_site_url():
    lines = _dry_run("run", "PORT=8812")
    for command in ("seed_demo", "runserver"):
        [line] = [line for line in lines if f"manage.py {command}" in line]
        assert "SITE_URL='http://127.0.0.1:8812' " in line, line


def test_make_run_says_what_it_does_before_each_long_step():
    lines = _dry_run("--always-make", "run")
    said = [n for n, line in enumerate(lines) if line.startswith("echo ")]
    for step in ("pip install", "manage.py migrate", "manage.py seed_demo"):
        first = next(n for n, line in enumerate(lines) if step in line)
        assert any(n < first for n in said), f"nothing is said before {step}"


@pytest.mark.parametrize("tool", ["ruff", "import-linter"])
def test_lint_tools_are_pinned_to_a_range_that_holds_the_installed_one(tool):
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    [pinned] = [Requirement(r) for r in dev["dev"] if Requirement(r).name == tool]
    assert any(spec.operator == "<" for spec in pinned.specifier), pinned
    assert pinned.specifier.contains(version(tool)), (pinned, version(tool))


def test_make_lint_checks_the_layers():
    assert any("lint-imports" in line for line in _dry_run("lint"))


def test_ci_runs_the_linter_before_the_tests():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    commands = [line.strip() for line in lines if not line.strip().startswith("#")]
    lint = [n for n, command in enumerate(commands) if command == "make lint"]
    tests = [n for n, command in enumerate(commands) if command.endswith("make test")]
    assert lint and tests and lint[0] < tests[0]


# One service per state change: compounds/review/workflow.py is the only code that moves content
# between review states or books a review step, so no caller can skip a rule.

STATE_CHANGES = re.compile(
    r"\.(?:review_state|live_version)\s*=(?!=)|"  # obj.review_state = ...
    r"\.update\([^)]*\b(?:review_state|live_version)=|"  # queryset.update(review_state=...)
    r"ReviewEvent\(|ReviewEvent\.objects\.(?:create|bulk_create)|Version\.objects\.create"
)


# The steps, and the fields they are stored in.
THE_WORKFLOW = ("/workflow.py", "/models/review.py")


def test_only_the_workflow_changes_review_states_or_books_review_steps():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.endswith(
                ("/workflow.py", "models/review.py")
            ):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if STATE_CHANGES.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []
