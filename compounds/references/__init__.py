"""The reference lookup: a reference's details from its PMID, DOI or NCT id.

    lookup.py    asks PubMed, Crossref or ClinicalTrials.gov, politely and with a time-out
    records.py   reads a reference's details out of each source's record, and only those
    admin.py     the "Look up" button on every reference form, and its JSON view

The identifiers themselves (their fields and forms) are compounds/identifiers.py.
"""
