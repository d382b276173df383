from django.urls import path

from . import feedback, sitemaps, trust, views
from .cache import cached_page
from .doctor_report import doctor_report

app_name = "pages"

urlpatterns = [
    path("", cached_page(views.home), name="home"),
    path("compounds/", cached_page(views.compound_list), name="compound_list"),
    path("compounds/<slug:slug>/", cached_page(views.compound_detail), name="compound"),
    path(
        "compounds/<slug:compound>/<slug:condition>/<slug:page_type>/",
        cached_page(views.review),
        name="review",
    ),
    path("conditions/", cached_page(views.condition_list), name="condition_list"),
    path("conditions/<slug:slug>/", cached_page(views.condition_detail), name="condition"),
    path("research/", cached_page(views.research_list), name="research_list"),
    path("research/<slug:slug>/", cached_page(views.research_detail), name="research"),
    path("how-we-grade-evidence/", cached_page(views.grading), name="grading"),
    # The site's own pages, each at a fixed address named as its kind (SitePage.Kind).
    path("about/", cached_page(trust.site_page), {"kind": "about"}, name="about"),
    path(
        "editorial-policy/",
        cached_page(trust.site_page),
        {"kind": "editorial_policy"},
        name="editorial_policy",
    ),
    path(
        "funding-and-conflicts-of-interest/",
        cached_page(trust.site_page),
        {"kind": "funding"},
        name="funding",
    ),
    path("contact/", cached_page(trust.site_page), {"kind": "contact"}, name="contact"),
    path("advisors/", cached_page(trust.advisor_list), name="advisor_list"),
    path("advisors/<slug:slug>/", cached_page(trust.advisor_page), name="advisor"),
    path("search/", views.search_view, name="search"),
    # One reader's choice, in the address: never cached, never indexed.
    path("report-for-your-doctor/", doctor_report, name="doctor_report"),
    # A reader's report of a problem with a page, and the thank-you: never cached.
    path("report-a-problem/", feedback.report_problem, name="report_problem"),
    path("report-a-problem/thank-you/", feedback.report_sent, name="report_sent"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.index, name="sitemap_index"),
    path("sitemap-<slug:section>-<int:number>.xml", sitemaps.section_file, name="sitemap_file"),
    path("sitemap-<slug:section>.xml", sitemaps.site_pages, name="sitemap_section"),
]
