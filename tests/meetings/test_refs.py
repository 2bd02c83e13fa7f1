"""Reference formats and the free-text finder, on the seed report's own refs."""

import pytest
from django.core.exceptions import ValidationError

from core import refs
from core.refs import RefKind


def test_formats_match_the_design_table():
    assert refs.meeting_ref("DAG", 28) == "DAG028"
    assert refs.meeting_ref("DAG", 20, 1) == "DAG020.1"
    assert refs.action_ref("DAG", 28, 0, 1) == "DAG28-01"
    assert refs.action_ref("DAG", 20, 1, 12) == "DAG20.1-12"
    assert refs.decision_ref("DAG", 67) == "DAG-DEC67"
    assert refs.change_request_ref(23) == "CR023"
    assert refs.din_ref(620) == "DIN-620"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("DAG028", refs.MeetingKey("DAG", 28, 0)),
        ("dag 28", refs.MeetingKey("DAG", 28, 0)),
        ("DAG020.1", refs.MeetingKey("DAG", 20, 1)),
    ],
)
def test_parse_meeting_ref(text, key):
    assert refs.parse_meeting_ref(text) == key


def test_parse_action_and_decision_refs():
    assert refs.parse_action_ref("DAG20.1-12") == refs.ActionKey("DAG", 20, 1, 12)
    assert refs.parse_decision_ref("DAG-DEC68") == refs.DecisionKey("DAG", 68)
    assert refs.parse_change_request_ref("CR023") == 23
    assert refs.parse_din_ref("DIN-620") == 620


@pytest.mark.parametrize("bad", ["DAG28", "28-01", "DAG-28-01", "", "DAG28-"])
def test_malformed_action_ref_is_a_validation_error(bad):
    with pytest.raises(ValidationError, match="not an action reference"):
        refs.parse_action_ref(bad)


def test_finds_the_seed_sentence_about_dag27_02():
    # The seed's Key Discussion row on DAG27-02 (Minutes and Actions).
    text = (
        "<b>DAG27-02</b> : With regard to the implementation plan for Programme Change Request "
        "(CR) 023 (Standardisation of Interfaces within the Smart Data Services), the Large "
        "Supplier representative took an action ... ( <b>ACTION DAG28-02</b> ) as this will "
        "inform the implementation timetable. ... (FTIG) ( <b>ACTION DAG28-03</b> )."
    )
    found = [(f.kind, f.ref) for f in refs.find_refs(text, ["DAG"])]
    assert found == [
        (RefKind.ACTION, "DAG27-02"),
        (RefKind.CHANGE_REQUEST, "CR023"),
        (RefKind.ACTION, "DAG28-02"),
        (RefKind.ACTION, "DAG28-03"),
    ]


def test_variants_people_write():
    text = "see DAG 28, DAG020.1, ACTION DAG20.1-12, DES196, DES-196, DIN-620 and CR 27 in IR5"
    found = [(f.kind, f.ref) for f in refs.find_refs(text, ["DAG"])]
    assert found == [
        (RefKind.MEETING, "DAG028"),
        (RefKind.MEETING, "DAG020.1"),
        (RefKind.ACTION, "DAG20.1-12"),
        (RefKind.DESIGN_ARTEFACT, "DES-196"),
        (RefKind.DESIGN_ARTEFACT, "DES-196"),
        (RefKind.DIN, "DIN-620"),
        (RefKind.CHANGE_REQUEST, "CR027"),
    ]


def test_cr_is_never_read_as_a_meeting_of_an_unknown_committee():
    assert [f.kind for f in refs.find_refs("CR023 Decision", ["DAG"])] == [RefKind.CHANGE_REQUEST]
