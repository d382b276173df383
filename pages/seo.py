"""What search engines read: absolute URLs and structured data (JSON-LD)."""

from django.conf import settings

from compounds.evidence import StudyDesign

SITE_NAME = "Insight Swarm"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


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


def medical_web_page(pair, page_type, url):
    """MedicalWebPage for a review page: what it is about, who reviewed it, what it cites."""
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
        **reviewed(version),
        "dateModified": pair.last_reviewed.isoformat(),
        "citation": citations(pair.summary.references.all()),
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": absolute("/")},
    }


def reviewed(version):
    """Who reviewed a page's medical content and when: the date the byline shows."""
    return {
        "reviewedBy": {
            "@type": "Person",
            "name": version.reviewer_name,
            "honorificSuffix": version.reviewer_credentials,
        },
        "lastReviewed": version.approved_at.date().isoformat(),
    }


def citations(references):
    return [_citation(reference) for reference in references]


def web_page(name, description, url, page_type="WebPage", version=None, cites=None):
    """A schema.org page; with the version of the medical content it shows, its reviewer;
    with the sources it reports, their citations."""
    return {
        "@context": "https://schema.org",
        "@type": page_type,
        "name": name,
        "description": description,
        "url": absolute(url),
        "inLanguage": "en",
        **(reviewed(version) if version is not None else {}),
        **({"citation": citations(cites)} if cites else {}),
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": absolute("/")},
    }
