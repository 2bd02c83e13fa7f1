"""What an adversarial user tried against the change request pages and services, and the
clear error each now gets instead of a 500. CR023 is the seed's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from changerequests.models import ChangeRequest
from changerequests.services import change_request_create, din_create
from tests.browser.data import build_seedlike


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
        change_request_create(number=10**30, title="Overflow")
    assert set(caught.value.message_dict) == {"number"}
    with pytest.raises(ValidationError) as caught:
        din_create(number=1_000_000)
    assert set(caught.value.message_dict) == {"number"}
    assert change_request_create(title="Next").ref == "CR024"


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
