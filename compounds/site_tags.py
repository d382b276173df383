"""Where a published object shows on the public site, and the tags the page cache files
those pages under: the one vocabulary both sides of the cache use.

With every change of the public site, compounds/review/publishing.py records the object's
footprint before and after it (plain JSON in a PublicationChange: slugs and an A-Z
letter, built by the `footprint_of_*` functions here). pages/cache.py files each
public page under the tags of what it shows, built by the tag functions here, and for
each recorded change refreshes the tags `changed_by` reads off its footprints. A page
and the change that alters it cannot name a tag apart.

A-Z letters are as the index holds them: "A" to "Z", or "#" for the rest.
"""

# Every page is filed under this tag too: a new token for it refreshes the whole site.
SITE = "site"
HOME = "home"
# The list of research updates.
RESEARCH = "research"
# The advisors' pages and their list: each lists the reviews its advisor approved, by the
# names of their compound and condition, so any change of a pair, a compound or a
# condition may change one. They are few, and each costs two indexed queries to read again.
ADVISORS = "advisors"


def page(kind, slug):
    """The page of a compound or a condition (kind "compound" or "condition")."""
    return f"{kind}:{slug}"


def hub(kind, slug):
    """What a compound's or condition's page lists: its pairs and the research naming it."""
    return f"hub:{kind}:{slug}"


def pair(compound, condition):
    """The review pages of a compound and condition, by their slugs."""
    return f"pair:{compound}/{condition}"


def update(slug):
    """The page of a research update."""
    return f"research:{slug}"


def site_page(kind, slug):
    """One of the site's own pages (kind "about", "contact"...: its slug is its kind) or
    an advisor's page (kind "advisor", by the slug of its address)."""
    return f"sitepage:{kind}:{slug}"


def a_to_z(kind, letter=None):
    """The A-Z list of compounds or conditions: one letter's, or the list of all."""
    return f"az:{kind}" if letter is None else f"az:{kind}:{letter}"


def letters(kind):
    """The A-Z index of compounds or conditions: the letters that have entries."""
    return f"letters:{kind}"


def footprint_of_summary(compound, condition):
    """A published evidence summary: the slugs of its compound and condition."""
    return {"compound": compound, "condition": condition}


def footprint_of_hub(slug, letter, pairs, updates):
    """A published compound or condition: its slug, its A-Z letter, the slugs of the other
    side of its pairs and of the research updates naming it."""
    return {"slug": slug, "letter": letter, "pairs": sorted(pairs), "updates": sorted(updates)}


def footprint_of_update(slug, date, compounds, conditions):
    """A published research update: its slug, its date (ISO) and the slugs of the
    compounds and conditions it names."""
    return {
        "slug": slug,
        "date": date,
        "compounds": sorted(compounds),
        "conditions": sorted(conditions),
    }


def footprint_of_site_page(kind, slug):
    """A published site page: its kind and the slug of its address."""
    return {"kind": kind, "slug": slug}


def changed_by(kind, before, after):
    """The tags of every page that shows an object, before and after its change.

    kind is the working model's name; before and after are its footprints (None: not
    on the site).
    """
    tags = set()
    for shown in (before, after):
        if shown is None:
            continue
        match kind:
            case "evidencesummary":
                compound, condition = shown["compound"], shown["condition"]
                tags |= {
                    pair(compound, condition),
                    hub("compound", compound),
                    hub("condition", condition),
                    ADVISORS,
                }
            case "compound" | "condition":
                other = "condition" if kind == "compound" else "compound"
                tags |= {page(kind, shown["slug"]), a_to_z(kind), HOME}
                tags |= {a_to_z(kind, shown["letter"]), ADVISORS}
                tags |= {hub(other, slug) for slug in shown["pairs"]}
                tags |= {update(slug) for slug in shown["updates"]}
            case "researchupdate":
                tags |= {update(shown["slug"]), RESEARCH, HOME}
                tags |= {hub("compound", slug) for slug in shown["compounds"]}
                tags |= {hub("condition", slug) for slug in shown["conditions"]}
            case "sitepage":
                tags.add(site_page(shown["kind"], shown["slug"]))
                if shown["kind"] == "advisor":
                    tags.add(ADVISORS)
    if kind == "sitepage" and before != after:
        # Every page links the site's own pages that are live (its footer), and its byline
        # the page of the advisor who approved it, where that is live: a page going live,
        # going off or moving changes them all. It happens a few times a year.
        tags.add(SITE)
    if kind in ("compound", "condition") and _letter(before) != _letter(after):
        # A letter of the A-Z index may have gained its first entry or lost its last.
        tags.add(letters(kind))
    return tags


def _letter(shown):
    return shown["letter"] if shown else None
