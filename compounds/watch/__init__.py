"""The evidence watch: what the literature says since a page was approved.

Management commands run it for cron: each asks the sources the reference lookup
reads (PubMed, Crossref, ClinicalTrials.gov) and DailyMed through `sources.py`,
politely, and records what it finds for the advisors.
"""
