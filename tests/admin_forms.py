"""What a browser posts when a button of a rendered page is pressed.

Admin tests submit forms through this, never with POST data built by hand (that stays
for tests of crafted input): the data are read from the page's HTML as a browser reads
them (every input, select, textarea and hidden field of the form, the action box and the
inline management forms included, plus the one submit button pressed), so a test sees
exactly the request a person's click sends.
"""

import copy
from html.parser import HTMLParser
from urllib.parse import urljoin

# Inputs whose value a browser never sends as a field of its own.
_NOT_SENT = {"submit", "button", "image", "reset", "file"}
_TOGGLES = {"checkbox", "radio"}


class _Control:
    def __init__(self, tag, attrs):
        self.tag = tag
        self.attrs = attrs
        self.name = attrs.get("name")
        self.type = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
        self.disabled = "disabled" in attrs
        self.text = ""  # a textarea's text, a button's label
        self.options = []  # a select's (value, selected)

    @property
    def label(self):
        if self.tag == "button":
            return " ".join(self.text.split())
        return self.attrs.get("value", "")

    @property
    def is_submit(self):
        return self.type in {"submit", "image"}

    @property
    def is_autocomplete(self):
        # The admin's autocomplete list is filled by its script with whatever the search
        # finds, so any value may be chosen in it, not only the options it was sent with.
        return "data-ajax--url" in self.attrs


class _Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.controls = []


class _PageForms(HTMLParser):
    """The forms of a page and their controls, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.by_id = {}
        self.orphans = []  # controls outside any form, which may name one with form="id"
        self._form = None
        self._open = None  # the textarea, button or option whose text is being read
        self._select = None

    def _add(self, control):
        owner = control.attrs.get("form")
        if owner:
            self.orphans.append((owner, control))
        elif self._form is not None:
            self._form.controls.append(control)

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
            if "id" in attrs:
                self.by_id[attrs["id"]] = self._form
        elif tag in {"input", "button", "textarea"}:
            control = _Control(tag, attrs)
            self._add(control)
            if tag != "input":
                self._open = control
        elif tag == "select":
            self._select = _Control(tag, attrs)
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._open = [attrs.get("value"), "selected" in attrs, ""]
            self._select.options.append(self._open)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in {"textarea", "button"}:
            self._open = None

    def handle_data(self, data):
        if isinstance(self._open, list):
            self._open[2] += data
        elif self._open is not None:
            self._open.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
            self._open = None
        elif tag in {"textarea", "button", "option"}:
            self._open = None

    def close(self):
        super().close()
        for owner, control in self.orphans:
            if owner in self.by_id:
                self.by_id[owner].controls.append(control)


def _options(control):
    """A select's options: (value, selected), the text standing in for a missing value."""
    return [
        (value if value is not None else " ".join(text.split()), chosen)
        for value, chosen, text in control.options
    ]


def _select_values(control):
    options = _options(control)
    chosen = [value for value, selected in options if selected]
    if "multiple" in control.attrs:
        return chosen
    if chosen:
        return chosen[-1:]
    # A single select with nothing marked selected shows, and sends, its first option.
    return options[:1] and [options[0][0]]


def _textarea_value(text):
    # The HTML parser drops the newline right after <textarea>, as browsers do.
    return text[1:] if text.startswith("\n") else text


def _html(page):
    return page.content.decode() if hasattr(page, "content") else page


def _find_button(forms, button, form_id):
    candidates = []
    for form in forms:
        if form_id is not None and form.attrs.get("id") != form_id:
            continue
        for control in form.controls:
            if control.is_submit and not control.disabled and control.label == button:
                candidates.append((form, control))
    if not candidates:
        labels = sorted(
            {c.label for f in forms for c in f.controls if c.is_submit and not c.disabled}
        )
        raise AssertionError(f"No button “{button}” on the page; its buttons: {labels}")
    return candidates[0]


class Submission(dict):
    """The POST data of one button press, and the address the form posts to."""

    action = ""


def _add_rows(form, prefix, count):
    """Press an inline's "Add another" `count` times, as the admin's inlines.js does:
    copy the empty row the page carries (its fields named `prefix-__prefix__-…`) under
    the next free index, and count the row in the management form."""
    controls = {c.name: c for c in form.controls if c.name}
    total = controls.get(f"{prefix}-TOTAL_FORMS")
    template = f"{prefix}-__prefix__-"
    empty_row = [c for c in form.controls if c.name and c.name.startswith(template)]
    if total is None or not empty_row:
        raise AssertionError(f"The form has no “Add another” for the inline {prefix!r}")
    rows = int(total.attrs.get("value") or 0)
    most = controls.get(f"{prefix}-MAX_NUM_FORMS")
    if most is not None and most.attrs.get("value") and rows + count > int(most.attrs["value"]):
        raise AssertionError(f"The inline {prefix!r} takes at most {most.attrs['value']} rows")
    for index in range(rows, rows + count):
        for control in empty_row:
            row = copy.deepcopy(control)
            row.name = control.name.replace("__prefix__", str(index), 1)
            row.attrs["name"] = row.name
            form.controls.append(row)
    total.attrs["value"] = str(rows + count)


def form_data(page, button, /, form_id=None, add_rows=None, **changes):
    """What the browser posts when `button` (its label) is pressed on `page`.

    `page` is a test client response or HTML. `changes` are what the person typed or
    chose, by field name: a string for a field, a list for a multiple select, True or
    False to tick or untick a checkbox, the values of the boxes to tick in a group (or
    the radio button to choose), and an uploaded file for a file field. `add_rows` maps
    an inline's prefix to how many times its "Add another" link is pressed first; the
    new rows are then filled in through `changes` like any field.
    What a person cannot do is an error: a name that no field of the form has, a choice
    that a list does not offer, a box that is not on the page.
    """
    parser = _PageForms()
    parser.feed(_html(page))
    parser.close()
    form, pressed = _find_button(parser.forms, button, form_id)
    for prefix, count in (add_rows or {}).items():
        _add_rows(form, prefix, count)
    names = {c.name for c in form.controls if c.name and not c.disabled}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise AssertionError(f"The form has no field {unknown}; its fields: {sorted(names)}")

    data = Submission()
    data.action = form.attrs.get("action", "")

    def send(name, value):
        data.setdefault(name, []).append(value)

    boxes = {}  # for each group of checkboxes or radio buttons, the values it holds
    for control in form.controls:
        name = control.name
        if not name or control.disabled:
            continue
        if control is pressed:
            send(name, control.attrs.get("value", control.label if control.tag == "input" else ""))
            continue
        if control.type == "file" and name in changes:
            send(name, changes.pop(name))
            continue
        if control.type in _NOT_SENT:
            continue
        if name in changes:
            value = changes[name]
            if control.type in _TOGGLES:
                # True or False ticks or unticks; a value (or a list of them, for a group of
                # checkboxes such as a list's selection) ticks the boxes with that value.
                on = control.attrs.get("value", "on")
                boxes.setdefault(name, set()).add(str(on))
                chosen = [str(v) for v in value] if isinstance(value, list | tuple) else [value]
                if value is True or str(on) in [str(v) for v in chosen]:
                    send(name, on)
            else:
                values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
                if control.tag == "select" and not control.is_autocomplete:
                    offered = [option for option, _ in _options(control)]
                    missing = [v for v in values if v not in offered]
                    if missing:
                        raise AssertionError(
                            f"The list {name!r} offers no {missing}; it offers {offered}"
                        )
                for item in values:
                    send(name, item)
                changes = {k: v for k, v in changes.items() if k != name}
            continue
        if control.type in _TOGGLES:
            if "checked" in control.attrs:
                send(name, control.attrs.get("value", "on"))
        elif control.tag == "select":
            for value in _select_values(control):
                send(name, value)
        elif control.tag == "textarea":
            send(name, _textarea_value(control.text))
        else:
            send(name, control.attrs.get("value", ""))
    for name, held in boxes.items():
        value = changes[name]
        if isinstance(value, bool):
            continue
        wanted = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
        if wanted - held:
            raise AssertionError(
                f"No box {name!r} with the value {sorted(wanted - held)}; there are {sorted(held)}"
            )
    return data


def address(page):
    """Where the page was shown: a form without an action posts back there."""
    return page.wsgi_request.get_full_path()


def submit(client, page, button, /, form_id=None, add_rows=None, **changes):
    """Type `changes` on a page already open and press `button`: the response to the POST.

    The page may have been opened a while ago, as a browser tab is: what it posts is what
    it showed then. A confirmation page answered to a POST is opened like any other.
    """
    data = form_data(page, button, form_id=form_id, add_rows=add_rows, **changes)
    here = address(page)
    return client.post(urljoin(here, data.action or here), data)


def press(client, page_url, button, /, form_id=None, add_rows=None, **changes):
    """Open `page_url`, type `changes` and press `button`: the response to that POST."""
    page = client.get(page_url)
    assert page.status_code == 200, f"{page_url} answered {page.status_code}"
    return submit(client, page, button, form_id=form_id, add_rows=add_rows, **changes)
