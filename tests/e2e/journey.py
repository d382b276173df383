"""The people of a browser journey (an editor, two medical advisors, a reader), what they do
in Chromium, and the steps every kind of content goes through (tests/e2e/test_journeys.py).

Every click and typed field is counted, so a journey can say what it costs the people
who make it; and every page reports what it logged, so a step can require that no page
logged an error or a Content Security Policy violation.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlparse

from django.contrib.auth import get_user_model

from compounds.models import ReviewAction, ReviewEvent, ReviewState
from tests.factories import make_user

PHONE = 390
DESKTOP = {"width": 1280, "height": 800}

# Logs each Content Security Policy violation a page meets as a console error, for the
# Watch to collect, whatever the browser's own log line says of it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


def admin_url(obj, view):
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/{view}/"


def add_url(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"


def list_url(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


class Tally:
    """The clicks and typed fields of the editor's and the advisors' work: opening a page
    counts as the click on the link to it; signing in, and the reader, are not counted."""

    def __init__(self):
        self.clicks = 0
        self.fields = 0

    def __str__(self):
        return f"{self.clicks} clicks and {self.fields} typed or chosen fields"


class Watch:
    """What the pages of a journey logged; each step ends with `clean`."""

    def __init__(self):
        self.errors = []
        # Pages opened to see that they are gone: the browser logs their status too.
        self.gone = set()

    def console(self, message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        # The browser asks every site for /favicon.ico by itself; the admin names none.
        if url.endswith("/favicon.ico"):
            return
        if url in self.gone and re.search(r"\b(404|410)\b", message.text):
            return
        self.errors.append(f"{url}: {message.text}")

    def clean(self, step):
        errors, self.errors = self.errors, []
        assert errors == [], f"After “{step}”, a page logged {errors}"


class Person:
    """One person's browser session: signed in as username, or a reader of the site."""

    def __init__(self, journey, username=None):
        self.journey = journey
        self.username = username or "reader"
        self.counted = False
        self.page = journey.browser.new_context(viewport=DESKTOP).new_page()
        # A step waits seconds, not half a minute, for what is not there.
        self.page.set_default_timeout(10_000)
        self.page.add_init_script(REPORT_VIOLATIONS)
        self.page.on("console", journey.watch.console)
        self.page.on("pageerror", lambda error: journey.watch.errors.append(str(error)))
        if username:
            self.open("/admin/login/")
            self.fill("Username:", username)
            self.fill("Password:", "pw")
            self.press("Log in")
            self.counted = True

    def clicked(self):
        self.journey.tally.clicks += self.counted

    def typed(self):
        self.journey.tally.fields += self.counted

    # Moving around ----------------------------------------------------------------------

    def open(self, path, status=200):
        """Open a page, as following a link to it does: one click."""
        url = self.journey.site + path
        if status >= 400:
            self.journey.watch.gone.add(url)
        response = self.page.goto(url)
        assert response.status == status, f"{path} answered {response.status}, not {status}"
        self.clicked()
        return response

    def press(self, name):
        """Press a button that submits its form, and wait for the page it leads to: its
        label, or a pattern of it."""
        exact = None if isinstance(name, re.Pattern) else True
        self.go(self.page.get_by_role("button", name=name, exact=exact).first)

    def follow(self, link):
        """Follow a link: its text, or a locator."""
        if isinstance(link, str):
            link = self.page.get_by_role("link", name=link, exact=True).first
        self.go(link)

    def go(self, locator):
        with self.page.expect_navigation(wait_until="load"):
            locator.click()
        self.clicked()

    # Filling forms ----------------------------------------------------------------------

    def fill(self, field, value):
        """Type into a field, found by its label (or a CSS selector, "#id_…")."""
        self._field(field).fill(value)
        self.typed()

    def choose(self, field, option):
        """Choose an option of a select box, by its value or its text."""
        self._field(field).select_option(option)
        self.typed()

    def tick(self, field):
        self._field(field).check()
        self.clicked()

    def _field(self, field):
        if field.startswith(("#", "select[", "input[")):
            return self.page.locator(field)
        # The object's own field, not the one of the same name in an inline's rows.
        outside_inlines = self.page.locator(":not(.inline-group *)")
        return self.page.get_by_label(field, exact=True).and_(outside_inlines)

    def pick(self, field, text):
        """Choose in an autocomplete box: open it, type, click the match."""
        self.page.locator(f"#id_{field} + .select2 .select2-selection").click()
        self.clicked()
        self.page.locator(".select2-container--open .select2-search__field").fill(text)
        self.typed()
        self.page.locator(".select2-results__option", has_text=text).first.click()
        self.clicked()

    def add_row(self, prefix, **values):
        """Click an inline's "Add another …" link and fill the row it adds (True ticks a
        box)."""
        group = self.page.locator(f"#{prefix}-group")
        assert group.count() == 1, f"{self.username}'s form has no {prefix} inline."
        row = int(self.page.locator(f"#id_{prefix}-TOTAL_FORMS").input_value())
        group.get_by_role("button", name=re.compile(r"^Add another")).click()
        self.clicked()
        for name, value in values.items():
            field = f"#id_{prefix}-{row}-{name}"
            if value is True:
                self.tick(field)
            elif self.page.locator(field).evaluate("e => e.tagName") == "SELECT":
                self.choose(field, value)
            else:
                self.fill(field, value)

    # Reading pages ----------------------------------------------------------------------

    def text(self):
        """The page's words as they read, without a diff's labels for screen readers."""
        text = self.page.inner_text("body")
        return " ".join(text.replace("inserted:", "").replace("deleted:", "").split())

    def pointed_comment(self, field):
        """The advisor's comment the change form shows beside a field."""
        return self.page.locator(f".form-row.field-{field} .changes-requested").inner_text()

    def width_on_a_phone(self, path):
        """How wide the page is, opened on a phone: wider than the screen scrolls sideways."""
        self.page.set_viewport_size({"width": PHONE, "height": 800})
        try:
            self.open(path)
            return self.page.evaluate("document.documentElement.scrollWidth")
        finally:
            self.page.set_viewport_size(DESKTOP)


class Journey:
    """An editor (eve), two medical advisors (amara asks for changes and withdraws,
    bruno approves) and a reader, with what their pages logged and what they cost."""

    def __init__(self, browser, site):
        self.browser = browser
        self.site = site
        self.watch = Watch()
        self.tally = Tally()
        User = get_user_model()
        make_user("eve", "Editor")
        User.objects.filter(username="eve").update(first_name="Eve", last_name="Editor")
        for username, name in (("amara", "Amara Okafor"), ("bruno", "Bruno Lindqvist")):
            make_user(username, "Medical Advisor", byline=True)
            first, last = name.split()
            User.objects.filter(username=username).update(first_name=first, last_name=last)
        self.reader = Person(self)
        self.editor = Person(self, "eve")
        self.advisor = Person(self, "amara")
        self.advisor2 = Person(self, "bruno")
        self.watch.clean("signing in")

    # The public site --------------------------------------------------------------------

    def public(self, path):
        """The public page's text, as a patient reads it."""
        self.reader.open(path)
        return self.reader.text()

    def gone(self, path):
        """The public page answers 404: it is not on the site."""
        self.reader.open(path, status=404)

    def sitemap(self):
        """Every address the sitemap lists, as paths: the index, then each of its files.

        Read as a search engine reads it. Opened as a page, Chromium's XML viewer styles
        it inline, which the site's Content Security Policy refuses, and logs.
        """
        crawler = self.reader.page.context.request

        def locations(path):
            response = crawler.get(self.site + path)
            assert response.status == 200, path
            found = re.findall(r"<loc>([^<]+)</loc>", response.text())
            return [urlparse(url).path for url in found]

        return {page for listed in locations("/sitemap.xml") for page in locations(listed)}

    def check_phone_width(self, person, path, what):
        """The page, opened on a phone, needs no sideways scrolling."""
        width = person.width_on_a_phone(path)
        assert width <= PHONE, f"The {what} ({path}) is {width} px wide on a {PHONE} px phone."

    # Review steps -----------------------------------------------------------------------

    def request_changes(self, obj, about, comment):
        """The first advisor sends it back from the review screen, pointing at one part."""
        self.advisor.open(admin_url(obj, "review"))
        self.advisor.press("Request changes")
        self.advisor.fill("What needs to change? The author sees this comment.", comment)
        self.advisor.tick(about)
        self.advisor.press("Request changes")
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.CHANGES_REQUESTED
        event = ReviewEvent.objects.of(obj).filter(action=ReviewAction.REQUEST_CHANGES).first()
        assert (event.user.username, event.comment, event.about) == ("amara", comment, [about])

    def approve(self, obj, comment="Checked against the sources."):
        """The second advisor approves it from the review screen: it is live."""
        self.advisor2.open(admin_url(obj, "review"))
        if comment:
            self.advisor2.fill("Comment with the approval (optional, kept in the history)", comment)
        # "Approve all 3" when a new pair's compound and condition are reviewed with it.
        self.advisor2.press(re.compile(r"^Approve( all \d)?$"))
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.APPROVED
        assert obj.live_version.approved_by.username == "bruno"
        return obj.live_version

    def withdraw(self, obj, reason):
        """The first advisor takes it off the public site, from its change form."""
        self.advisor.open(admin_url(obj, "change"))
        self.advisor.choose("select[name='CHANGE_FORM-action']", "withdraw")
        self.advisor.press("Run")
        self.advisor.fill("Why is it withdrawn? The reason is kept in the review history.", reason)
        self.advisor.press("Withdraw from the public site")
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.WITHDRAWN and obj.live_version is None
        event = ReviewEvent.objects.of(obj).filter(action=ReviewAction.WITHDRAW).first()
        assert event.comment == reason

    def restore(self, obj, number):
        """The editor restores an approved version from the object's versions page; the
        restore leads back to the change form, where the draft is submitted."""
        self.editor.open(admin_url(obj, "versions"))
        self.editor.follow(self.editor.page.locator(f"a[href$='/versions/{number}/restore/']"))
        self.editor.press(f"Restore version {number} as a draft")
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.DRAFT
        assert self.editor.page.url.endswith(admin_url(obj, "change"))
        self.editor.press("Save and submit for review")
        obj.refresh_from_db()
        assert obj.review_state == ReviewState.IN_REVIEW


@dataclass
class Edit:
    """A field typed on a change form: its label, the model field, the new text."""

    label: str
    field: str
    text: str

    def make(self, person):
        person.fill(self.label, self.text)

    def made(self, obj):
        return getattr(obj, self.field) == self.text


def create_with_each_save_button(journey, model, fill, lookup, page, edits):
    """The editor creates an object (`fill` types its add form) and presses each save
    button in turn: Save and continue editing, then Save and Save and add another, each
    with one of `edits`, then Save and submit for review. The public `page` stays 404.
    Returns the object, in review."""
    editor, watch = journey.editor, journey.watch
    first, second = edits

    editor.open(add_url(model))
    fill(editor)
    editor.press("Save and continue editing")
    obj = model.objects.get(**lookup)
    assert obj.review_state == ReviewState.DRAFT and obj.live_version is None
    assert editor.page.url.endswith(admin_url(obj, "change"))
    journey.gone(page)
    watch.clean("created with Save and continue editing")

    first.make(editor)
    editor.press("Save")
    obj.refresh_from_db()
    assert first.made(obj) and obj.review_state == ReviewState.DRAFT
    assert editor.page.url.endswith(list_url(model))
    journey.gone(page)
    watch.clean("edited with Save")

    editor.open(admin_url(obj, "change"))
    second.make(editor)
    editor.press("Save and add another")
    obj.refresh_from_db()
    assert second.made(obj) and obj.review_state == ReviewState.DRAFT
    assert editor.page.url.endswith(add_url(model))
    journey.gone(page)
    watch.clean("edited with Save and add another")

    editor.open(admin_url(obj, "change"))
    editor.press("Save and submit for review")
    obj.refresh_from_db()
    assert obj.review_state == ReviewState.IN_REVIEW
    journey.gone(page)
    watch.clean("submitted with Save and submit for review")
    return obj


@dataclass
class Review:
    """What a journey's review steps need to know of its object."""

    page: str  # its public address
    about: str  # the part the advisor's comment points at, as the decision page names it
    comment: str
    fix: Edit  # what the editor changes in answer
    shown: list  # what its public page shows once approved
    live_edit: Edit  # an edit of the live object, saved but not approved
    approved_text: str  # the approved text that edit replaces in the working copy


def from_review_to_restore(journey, obj, review, pages=()):
    """From "in review" to live, withdrawn and live again: an advisor asks for a change,
    the editor makes it, another advisor approves; an edit of the live object is saved
    and the public page does not change; the object is withdrawn; its version 1 is
    restored, submitted and approved. `pages` are more public pages that come and go
    with it."""
    editor, watch = journey.editor, journey.watch
    addresses = [review.page, *pages]

    journey.check_phone_width(journey.advisor, admin_url(obj, "review"), "review screen")
    journey.request_changes(obj, review.about, review.comment)
    journey.gone(review.page)
    watch.clean("changes requested")

    # The editor reads the comment beside the part it is about, and fixes it.
    journey.check_phone_width(editor, admin_url(obj, "change"), "change form")
    assert review.comment in editor.pointed_comment(review.fix.field)
    review.fix.make(editor)
    editor.press("Save and submit for review")
    obj.refresh_from_db()
    assert review.fix.made(obj) and obj.review_state == ReviewState.IN_REVIEW
    journey.gone(review.page)
    watch.clean("fixed and submitted again")

    version = journey.approve(obj)
    assert version.number == 1
    text = journey.public(review.page)
    for shown in [*review.shown, review.fix.text, "Medically reviewed by Bruno"]:
        assert shown in text, f"{review.page} does not show “{shown}”"
    listed = journey.sitemap()
    for address in addresses:
        journey.public(address)
        assert address in listed, f"The sitemap does not list {address}"
    watch.clean("approved")

    # Saved, not approved: patients keep reading the approved version.
    editor.open(admin_url(obj, "change"))
    review.live_edit.make(editor)
    editor.press("Save")
    obj.refresh_from_db()
    assert review.live_edit.made(obj)
    assert obj.review_state == ReviewState.DRAFT and obj.live_version == version
    text = journey.public(review.page)
    assert review.approved_text in text and review.live_edit.text not in text
    watch.clean("live object edited with Save")

    journey.withdraw(obj, "Withdrawn while its sources are checked again.")
    listed = journey.sitemap()
    for address in addresses:
        journey.gone(address)
        assert address not in listed, f"The sitemap still lists {address}"
    watch.clean("withdrawn")

    # Version 1 restored from the versions page: the unapproved edit is gone with it.
    journey.restore(obj, 1)
    assert not review.live_edit.made(obj)
    journey.gone(review.page)
    version = journey.approve(obj)
    assert version.number == 2
    text = journey.public(review.page)
    assert review.approved_text in text and review.live_edit.text not in text
    listed = journey.sitemap()
    for address in addresses:
        journey.public(address)
        assert address in listed, f"The sitemap does not list {address}"
    watch.clean("restored and approved again")
