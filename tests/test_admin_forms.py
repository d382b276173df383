"""tests/admin_forms.py reads a page as a browser does: these pages are small enough to
know by heart what a browser posts for each button."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.admin_forms import form_data

PAGE = """
<form id="search" method="get"><input name="q" value=""><input type="submit" value="Search"></form>
<form id="edit" method="post" action="/save/">
  <input type="hidden" name="csrfmiddlewaretoken" value="token">
  <input name="title" value="Old &amp; new">
  <input name="locked" value="x" disabled>
  <textarea name="body">
First line</textarea>
  <select name="level"><option value="">---</option><option value="2" selected>Two</option></select>
  <select name="first"><option value="a">A</option><option value="b">B</option></select>
  <select name="many" multiple><option value="1" selected>1</option><option>2</option>
    <option value="3" selected>3</option></select>
  <select name="nothing"></select>
  <select name="compound" data-ajax--url="/admin/autocomplete/"><option value=""></option></select>
  <input type="checkbox" name="public" checked>
  <input type="checkbox" name="pick" value="1"><input type="checkbox" name="pick" value="2">
  <input type="radio" name="scope" value="selected" checked>
  <input type="radio" name="scope" value="page">
  <input type="file" name="upload">
  <input type="submit" name="_save" value="Save">
  <button type="submit" name="step" value="approve">Approve
    now</button>
  <button name="_continue">Save and go on</button>
  <button type="button" name="helper">Look up</button>
</form>
<input name="outside" value="sent with edit" form="edit">
<form id="rows" method="post">
  <input type="hidden" name="items-TOTAL_FORMS" value="1">
  <input type="hidden" name="items-MAX_NUM_FORMS" value="3">
  <input name="items-0-name" value="kept">
  <div class="empty-form"><input name="items-__prefix__-name" value="">
    <select name="items-__prefix__-kind"><option value="a">A</option></select></div>
  <input type="submit" value="Save rows">
</form>
"""

UNTOUCHED = {
    "csrfmiddlewaretoken": ["token"],
    "title": ["Old & new"],
    "body": ["First line"],
    "level": ["2"],
    "first": ["a"],
    "many": ["1", "3"],
    "compound": [""],
    "public": ["on"],
    "scope": ["selected"],
    "outside": ["sent with edit"],
}


def test_a_button_sends_the_form_as_it_is_and_its_own_name_only():
    data = form_data(PAGE, "Save")
    assert dict(data) == {**UNTOUCHED, "_save": ["Save"]}
    assert data.action == "/save/"


def test_a_button_element_is_found_by_its_text_and_sends_its_value():
    assert dict(form_data(PAGE, "Approve now")) == {**UNTOUCHED, "step": ["approve"]}
    # A <button> without a type submits; without a value it sends an empty one.
    assert form_data(PAGE, "Save and go on")["_continue"] == [""]


def test_a_plain_button_is_not_a_submit_button():
    with pytest.raises(AssertionError, match="No button “Look up”"):
        form_data(PAGE, "Look up")


def test_only_the_form_of_the_button_pressed_is_sent():
    assert dict(form_data(PAGE, "Search", q="ketamine")) == {"q": ["ketamine"]}


def test_what_the_person_types_ticks_and_chooses_is_sent():
    data = form_data(
        PAGE,
        "Save",
        title="New",
        body="Two\nlines",
        level="",
        many=["2"],
        public=False,
        pick=["2"],
        scope="page",
        compound="42",
    )
    assert data["title"] == ["New"]
    assert data["body"] == ["Two\nlines"]
    assert data["level"] == [""]
    assert data["many"] == ["2"]
    assert "public" not in data
    assert data["pick"] == ["2"]
    assert data["scope"] == ["page"]
    # An autocomplete list takes whatever its search found.
    assert data["compound"] == ["42"]


def test_a_file_chosen_is_sent_and_no_file_is_sent_when_none_is():
    upload = SimpleUploadedFile("c.json", b"{}")
    assert form_data(PAGE, "Save", upload=upload)["upload"] == [upload]
    assert "upload" not in form_data(PAGE, "Save")


@pytest.mark.parametrize(
    ("changes", "refusal"),
    [
        ({"nosuchfield": "x"}, "The form has no field"),
        ({"locked": "y"}, "The form has no field"),
        ({"q": "from the other form"}, "The form has no field"),
        ({"level": "9"}, "The list 'level' offers no"),
        ({"many": ["1", "9"]}, "The list 'many' offers no"),
        ({"pick": ["3"]}, "No box 'pick' with the value"),
        ({"scope": "everything"}, "No box 'scope' with the value"),
    ],
)
def test_what_a_person_cannot_do_on_the_page_is_an_error(changes, refusal):
    with pytest.raises(AssertionError, match=refusal):
        form_data(PAGE, "Save", **changes)


def test_a_missing_button_names_the_buttons_there_are():
    with pytest.raises(AssertionError, match="its buttons: .*'Save'"):
        form_data(PAGE, "Publish")


def test_the_form_may_be_named_when_two_have_the_same_button():
    page = (
        PAGE
        + '<form id="other"><input name="x" value="1"><input type="submit" value="Save"></form>'
    )
    assert dict(form_data(page, "Save", form_id="other")) == {"x": ["1"]}


def test_add_another_copies_the_empty_row_and_counts_it():
    data = form_data(PAGE, "Save rows", add_rows={"items": 2}, **{"items-2-name": "third"})
    assert data["items-TOTAL_FORMS"] == ["3"]
    assert data["items-0-name"] == ["kept"]
    assert data["items-1-name"] == [""]
    assert data["items-2-name"] == ["third"]
    assert data["items-1-kind"] == data["items-2-kind"] == ["a"]
    # The empty row itself travels too, as it does from a browser; Django ignores it.
    assert data["items-__prefix__-name"] == [""]


def test_add_another_stops_at_the_most_rows_and_needs_an_empty_row():
    with pytest.raises(AssertionError, match="at most 3 rows"):
        form_data(PAGE, "Save rows", add_rows={"items": 3})
    with pytest.raises(AssertionError, match="no “Add another”"):
        form_data(PAGE, "Save rows", add_rows={"other": 1})
    with pytest.raises(AssertionError, match="The form has no field"):
        form_data(PAGE, "Save rows", **{"items-1-name": "no such row yet"})
