"""The POST data of an admin form as a browser would send it, read from the rendered page."""


def _form_values(form):
    values = {}
    for bound in form:
        value = bound.value()
        if isinstance(value, bool):
            if value:
                values[bound.html_name] = "on"
        elif value is None:
            values[bound.html_name] = ""
        elif isinstance(value, list | tuple):
            values[bound.html_name] = [str(getattr(item, "pk", item)) for item in value]
        else:
            values[bound.html_name] = str(value)
    return values


def form_data(response, **changes):
    """The POST data of the add or change form a GET rendered, with `changes` applied."""
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_form_values(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(_form_values(form))
    data.update(changes)
    return data
