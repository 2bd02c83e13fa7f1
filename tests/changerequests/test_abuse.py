"""What an adversarial user tried against the change request pages and services, and the
clear error each now gets instead of a 500. CR023 is the seed's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from changerequests.models import ChangeRequest, ImpactAssessmentResponse
from changerequests.services import change_request_create, din_create, ia_response_record
from core.actors import SYSTEM
from meetings.services import organisation_get_or_create
from tests.fixtures import build_seedlike, run_concurrently


@pytest.fixture
def seed(db):
    return build_seedlike()


@pytest.mark.parametrize("number", ["100000", str(2**31), str(2**63), "9" * 30])
def test_a_cr_number_no_ref_can_name_is_a_form_error(client, seed, number):
    # CR100000 would be unreachable (refs are CR + up to 5 digits); 2**31 and beyond
    # overflowed the column: a 500 on PostgreSQL (and on SQLite past 2**63).
    assert client.login(username="pmo", password="pmo-demo")
    response = client.post("/change-requests/new/", {"number": number, "title": "Too far"})
    assert response.status_code == 200
    assert response.context["form"].errors["number"]
    assert list(ChangeRequest.objects.values_list("ref", flat=True)) == ["CR023"]
    response = client.post("/change-requests/new/", {"title": "Next"})
    assert response.url == "/change-requests/CR024/"


def test_cr_and_din_services_refuse_numbers_beyond_the_ref_grammar(seed):
    with pytest.raises(ValidationError) as caught:
        change_request_create(number=10**30, title="Overflow", acting_user=SYSTEM)
    assert set(caught.value.message_dict) == {"number"}
    with pytest.raises(ValidationError) as caught:
        din_create(number=1_000_000, acting_user=SYSTEM)
    assert set(caught.value.message_dict) == {"number"}
    assert change_request_create(title="Next", acting_user=SYSTEM).ref == "CR024"


def test_a_release_code_that_capitals_make_too_long_is_a_form_error(client, seed):
    # "ß" * 20 fits the form's 20 characters, but upper() makes it "SS" * 20: 40 characters,
    # which PostgreSQL refused (a 500) and SQLite stored.
    assert client.login(username="pmo", password="pmo-demo")
    response = client.post(
        "/change-requests/CR023/edit/", {"title": "Standardisation", "target_release": "ß" * 20}
    )
    assert response.status_code == 200
    assert "at most 20" in str(response.context["form"].non_field_errors())
    assert ChangeRequest.objects.get(ref="CR023").target_release is None


@pytest.mark.django_db(transaction=True)
def test_an_ia_response_submitted_twice_at_once_is_recorded_once():
    # A double click on the CR page: on PostgreSQL the second failed on the unique response
    # of an organisation to a CR ("conflicts with an existing record: duplicate key…").
    build_seedlike()
    pmo = get_user_model().objects.get(username="pmo")
    elexon = organisation_get_or_create(name="Elexon", acting_user=SYSTEM)

    def respond(i: int) -> int:
        return ia_response_record(
            change_request=ChangeRequest.objects.get(ref="CR023"),
            organisation=elexon,
            position=ImpactAssessmentResponse.Position.SUPPORT,
            comments=f"submit {i}",
            acting_user=pmo,
        ).pk

    results = run_concurrently(4, respond)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(set(results)) == 1
    assert ImpactAssessmentResponse.objects.filter(change_request__ref="CR023").count() == 1
