"""The facts derived from an action's and a meeting's columns, each defined once: overdue,
the owner text, a later meeting, and a record page's link (``core.links``).

Known values from the seed report: DAG28-01 is owned by Programme (Rob Short) and DAG28-02 by
Large Supplier Representative (Haz Elmamoun), both due 11/10/2023; DAG028 is on 13 September
2023 and the next DAG, DAG029, on 11 October 2023.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from actions.models import Action, ActionOwner, action_is_overdue, owner_columns_text
from actions.services import action_create, action_update
from core.links import url_maker
from core.templatetags.governance import ref_url
from meetings.models import PLACEHOLDER_TITLE, Meeting
from meetings.services import meeting_create
from tests.conftest import london
from tests.fixtures import build_seedlike

DUE = dt.date(2023, 10, 11)


@pytest.fixture
def seed(db):
    return build_seedlike()


def test_overdue_is_the_same_in_sql_on_an_action_and_in_templates(seed):
    Action.objects.filter(ref="DAG28-02").update(
        status=Action.Status.CLOSED, closed_date=dt.date(2023, 10, 1)
    )
    open_one, closed_one = Action.objects.get(ref="DAG28-01"), Action.objects.get(ref="DAG28-02")
    template = Template("{% load governance %}{{ action|is_overdue:today }}")
    for today, overdue_refs in (
        (DUE, set()),  # due today is not yet overdue
        (DUE + dt.timedelta(days=1), {"DAG28-01"}),  # the closed one never is
    ):
        assert set(Action.objects.overdue(today).values_list("ref", flat=True)) == overdue_refs
        assert set(Action.objects.not_overdue(today).values_list("ref", flat=True)) == (
            {"DAG28-01", "DAG28-02"} - overdue_refs
        )
        for action in (open_one, closed_one):
            expected = action.ref in overdue_refs
            assert action.is_overdue(today) is expected
            assert (
                action_is_overdue(status=action.status, due_date=action.due_date, today=today)
                is expected
            )
            rendered = template.render(Context({"action": action, "today": today}))
            assert rendered == str(expected)
    # An undated action is never overdue.
    assert not action_is_overdue(status="open", due_date=None, today=DUE)


def test_owner_text_from_an_instance_and_from_values_agree(seed):
    owners = ActionOwner.objects.filter(action__meeting=seed.dag028).select_related(
        "organisation", "person"
    )
    assert sorted(o.display for o in owners) == [
        "Large Supplier Representative (Haz Elmamoun)",
        "Programme (Rob Short)",
    ]
    for owner in owners:
        values = ActionOwner.objects.filter(pk=owner.pk).values_list(
            "organisation__name", "role", "person__name"
        )
        assert owner_columns_text(*values.get()) == owner.display
    assert owner_columns_text(None, "Chair", None) == "Chair"


def test_a_due_meeting_must_be_a_later_real_meeting_of_the_committee(seed):
    pmo = get_user_model().objects.get(username="pmo")
    action = Action.objects.get(ref="DAG28-01")
    assert [m.ref for m in Meeting.objects.later_than(seed.dag028)] == ["DAG029"]
    action = action_update(action=action, due_meeting=seed.dag029, acting_user=pmo)
    assert (action.due_meeting.ref, action.due_date) == ("DAG029", DUE)
    placeholder = meeting_create(
        committee=seed.committee,
        number=30,
        start_at=london(2023, 11, 8),
        title=PLACEHOLDER_TITLE,
        acting_user=pmo,
    )
    for not_later in (seed.dag028, placeholder):
        with pytest.raises(ValidationError, match="is not a later meeting of DAG than DAG028"):
            action_create(
                meeting=seed.dag028,
                description="Programme to report back",
                owners=["Programme (Rob Short)"],
                due_meeting=not_later,
                acting_user=pmo,
            )


def test_a_link_maker_builds_what_reverse_builds(seed):
    action_page = url_maker("action-detail")
    assert action_page("DAG28-01") == reverse("action-detail", args=["DAG28-01"])
    assert action_page("DAG20.1-12") == "/actions/DAG20.1-12/"
    assert action_page("a b/c") == "/actions/a%20b%2Fc/"
    person = url_maker("api-person-detail", prefix="http://testserver")
    assert person(7) == "http://testserver" + reverse("api-person-detail", kwargs={"pk": 7})
    assert ref_url("decision", "DAG-DEC68") == "/decisions/DAG-DEC68/"
    assert ref_url("din", "DIN-620") == ""
