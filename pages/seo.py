"""What search engines read: absolute URLs and structured data (JSON-LD)."""

from django.conf import settings

from compounds.evidence import StudyDesign

SITE_NAME = "Insight Swarm"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def publisher():
    """The site's organization as each page names it: by its @id, which the home page's
    Organization describes in full."""
    return {
        "@type": "Organization",
        "@id": absolute("/#organization"),
        "name": SITE_NAME,
        "url": absolute("/"),
    }


def organization(links, logo):
    """The Organization behind the site, for the home page: its logo, and where its
    editorial policy and its contact page are, when they are live (live.SiteLinks)."""
    item = {"@context": "https://schema.org", **publisher(), "logo": logo}
    policy = links.url("editorial_policy")
    if policy:
        item["publishingPrinciples"] = absolute(policy)
    contact = links.url("contact")
    if contact:
        item["contactPoint"] = {
            "@type": "ContactPoint",
            "contactType": "customer support",
            "url": absolute(contact),
        }
    return item


def person(name, credentials, url):
    """A medical advisor, as their page describes them and bylines point at them."""
    item = {"@type": "Person", "name": name, "honorificSuffix": credentials or None}
    if url:
        item.update({"@id": f"{absolute(url)}#person", "url": absolute(url)})
    return {key: value for key, value in item.items() if value is not None}


def breadcrumb_list(crumbs):
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": label, "item": absolute(url)}
            for n, (label, url) in enumerate(crumbs, start=1)
        ],
    }


def _citation(reference):
    document = reference.study_design == StudyDesign.OFFICIAL_DOCUMENT
    item = {
        "@type": "CreativeWork" if document else "ScholarlyArticle",
        "name": reference.title,
        "author": reference.authors or None,
        "datePublished": str(reference.year),
    }
    if reference.journal:
        item["isPartOf"] = {"@type": "Periodical", "name": reference.journal}
    links = reference.links
    if links:
        item["url"] = links[0][1]
        item["sameAs"] = [url for _, url in links[1:]] or None
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (
            ("PMID", reference.pmid),
            ("DOI", reference.doi),
            ("NCT", reference.nct_id),
        )
        if value
    ]
    item["identifier"] = identifiers or None
    return {key: value for key, value in item.items() if value is not None}


def medical_web_page(pair, page_type, url, reviewer_url=None):
    """MedicalWebPage for a review page: what it is about, who reviewed it (and their page,
    reviewer_url, when it is live), what it cites."""
    version = pair.summary.version
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": page_type.title(pair),
        "description": page_type.meta_description(pair),
        "url": absolute(url),
        "inLanguage": "en",
        "about": [
            {
                "@type": "Drug",
                "name": pair.compound.name,
                "alternateName": pair.compound.alias_list,
                "drugClass": {"@type": "DrugClass", "name": pair.compound.drug_class},
            },
            {"@type": "MedicalCondition", "name": pair.condition.name},
        ],
        **reviewed(version, reviewer_url),
        "dateModified": pair.last_reviewed.isoformat(),
        "citation": citations(pair.summary.references.all()),
        "publisher": publisher(),
    }


def reviewed(version, reviewer_url=None):
    """Who reviewed a page's medical content and when: the date the byline shows; with
    the address of the reviewer's page when it is live."""
    return {
        "reviewedBy": person(version.reviewer_name, version.reviewer_credentials, reviewer_url),
        "lastReviewed": version.approved_at.date().isoformat(),
    }


def citations(references):
    return [_citation(reference) for reference in references]


def web_page(
    name,
    description,
    url,
    page_type="WebPage",
    version=None,
    cites=None,
    reviewer_url=None,
    **more,
):
    """A schema.org page; with the version of the medical content it shows, its reviewer
    (and their page, reviewer_url, when it is live); with the sources it reports, their
    citations; and any more properties of its type (an advisor's ProfilePage's
    mainEntity)."""
    return {
        "@context": "https://schema.org",
        "@type": page_type,
        "name": name,
        "description": description,
        "url": absolute(url),
        "inLanguage": "en",
        **(reviewed(version, reviewer_url) if version is not None else {}),
        **({"citation": citations(cites)} if cites else {}),
        **more,
        "publisher": publisher(),
    }
