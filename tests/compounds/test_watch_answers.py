"""Reading the watch's answers: the forms of dates the sources write, designs as the
records state them, and records that lack what the inbox needs."""

import datetime

import pytest

from compounds.watch import answers


@pytest.mark.parametrize(
    "written, read",
    [
        ("2026-11-02", datetime.date(2026, 11, 2)),
        ("2026-11", datetime.date(2026, 11, 1)),
        ("2026/11/02 00:00", datetime.date(2026, 11, 2)),
        ("2026 Nov 2", datetime.date(2026, 11, 2)),
        ("2026 Nov", datetime.date(2026, 11, 1)),
        ("Nov 02, 2026", datetime.date(2026, 11, 2)),
        ("2026-02-30", None),
        ("2026 Spring", None),
        ("", None),
        (20261102, None),
    ],
)
def test_dates_are_read_in_each_form_the_sources_write(written, read):
    assert answers._date(written) == read


def test_a_study_without_its_protocol_or_identifier_is_skipped_and_counted():
    body = {
        "studies": [
            "not a study",
            {"hasResults": False},
            {"protocolSection": {"identificationModule": {"nctId": "NCT123", "briefTitle": "x"}}},
            {
                "protocolSection": {
                    "identificationModule": {"nctId": "NCT99999911", "briefTitle": "Kept"},
                    "designModule": {
                        "studyType": "INTERVENTIONAL",
                        "phases": ["EARLY_PHASE1"],
                        "designInfo": {"allocation": "NON_RANDOMIZED"},
                    },
                },
                "hasResults": "yes",
            },
        ],
        "nextPageToken": "",
    }

    found, token = answers.studies(body)

    assert found.skipped == 3
    (trial,) = found.records
    assert trial.nct_id == "NCT99999911"
    assert trial.design == "Interventional, non-randomized, early phase 1"
    # hasResults must be true itself, not a word that reads so.
    assert trial.results_posted is None
    assert token is None


@pytest.mark.parametrize(
    "body",
    [{}, {"studies": None}, [], {"esearchresult": "x"}],
)
def test_an_answer_without_its_list_is_unreadable(body):
    with pytest.raises(answers.Unreadable):
        answers.studies(body)


def test_a_label_version_that_is_not_a_whole_number_is_skipped():
    body = {
        "data": {
            "spl": {"title": "A label", "setid": "x"},
            "history": [
                {"spl_version": True, "published_date": "Jan 01, 2026"},
                {"spl_version": 0, "published_date": "Jan 01, 2026"},
                {"spl_version": "2", "published_date": "Feb 01, 2026"},
                {"spl_version": 1, "published_date": "not a date"},
            ],
        }
    }

    title, found = answers.label_history(body)

    assert title == "A label"
    assert found.skipped == 2
    assert [(v.version, v.published) for v in found.records] == [
        (2, datetime.date(2026, 2, 1)),
        (1, None),
    ]
