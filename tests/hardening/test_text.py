"""Bidi controls typed or pasted into a record are removed on save, in one place for all."""

from __future__ import annotations

import pytest

from actions.models import Action
from actions.services import action_create
from core.actors import SYSTEM
from core.text import bidi_controls_stripped
from meetings.models import Meeting, Organisation
from tests.fixtures import build_seedlike

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_every_embedding_override_and_isolate_is_removed_and_marks_are_kept():
    assert bidi_controls_stripped(f"a{CONTROLS}b") == "ab"
    assert bidi_controls_stripped("\u200fשלום\u200e") == "\u200fשלום\u200e"


@pytest.mark.django_db
def test_an_action_and_its_new_owner_organisation_are_saved_without_them():
    build_seedlike()
    action = action_create(
        meeting=Meeting.objects.get(ref="DAG028"),
        description="\u202eDAG28-01 due 11/10\u202c",
        owners=["\u2067Acme Energy\u2069 (Rob Short)"],
        acting_user=SYSTEM,
    )
    assert Action.objects.get(pk=action.pk).description == "DAG28-01 due 11/10"
    assert Organisation.objects.filter(name="Acme Energy").exists()
    assert not Organisation.objects.filter(name__contains="\u2067").exists()
