"""Addresses built for many rows at once: one reverse() per list, not one per link; and
the A-Z letter as an address writes it.

reverse() costs about 0.1 ms; a list of 200 pairs with five links each spent half
its time there. A pattern is reversed once with markers where the slugs go, and
filled with str.format for each row. Slugs are letters, digits, hyphens and
underscores (SlugField), so they need no escaping in a path or in HTML. Patterns
are kept for the life of the process (the URLconf does not change while it runs),
per script prefix, so a site mounted under a path gets its own.
"""

import functools

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse

# The A-Z letter of a list page, in its address (?letter=): a to z, or "other" for "#".
OTHER_LETTER = "other"


def letter_param(letter):
    """The address form of an A-Z letter as the index holds it ("A", "#")."""
    return OTHER_LETTER if letter == "#" else letter.lower()


def letter_of_param(param):
    """The A-Z letter an address names ("a", "other"), or None when it names none."""
    if param == OTHER_LETTER:
        return "#"
    if len(param) == 1 and "a" <= param <= "z":
        return param.upper()
    return None


def pattern(view_name, slots, **fixed):
    """The path of view_name with {0}, {1}... where the slugs named in slots go."""
    return _pattern(get_script_prefix(), view_name, tuple(slots), tuple(sorted(fixed.items())))


@functools.cache
def _pattern(prefix, view_name, slots, fixed):
    markers = {name: f"zz{n}slotzz" for n, name in enumerate(slots)}
    path = reverse(view_name, kwargs={**dict(fixed), **markers})
    path = path.replace("{", "{{").replace("}", "}}")
    for n, name in enumerate(slots):
        path = path.replace(markers[name], f"{{{n}}}")
    return path


@functools.cache
def _site(prefix):
    return {
        name: reverse(f"pages:{name}")
        for name in (
            "home",
            "compound_list",
            "condition_list",
            "research_list",
            "grading",
            "search",
            # The site's own pages, at their kinds' addresses, and the advisors' list.
            "about",
            "editorial_policy",
            "funding",
            "contact",
            "advisor_list",
        )
    }


@functools.cache
def _site_image_path():
    # Looked up once: the hashed name comes from the static files' manifest.
    return static("img/og-image.png")


def site(request):
    """Context processor: the addresses of the site's fixed pages, as `site.<name>`, and
    the image shown when a page is shared (absolute, as Open Graph requires)."""
    return {
        "site": _site(get_script_prefix()),
        "site_image": {
            "url": settings.SITE_URL + _site_image_path(),
            "alt": "Insight Swarm: honest evidence reviews, each approved by a medical advisor",
        },
    }
