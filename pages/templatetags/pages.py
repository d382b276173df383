import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script escapes: nothing in the data can close the element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def ld_json(data):
    """A JSON-LD data block: not a script the browser runs, so no CSP nonce is needed."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def source_link(row):
    """Where a row's statement comes from: its source, linked when it is online."""
    if row.source_url:
        return format_html('<a href="{}" rel="external">{}</a>', row.source_url, row.source)
    return row.source
