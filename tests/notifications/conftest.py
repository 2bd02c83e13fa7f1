"""Every email any test here sends is checked: it names no record its recipient may not open.

The refs an email names (actions, decisions, meetings, CRs) are read from its text and HTML
and each is looked up through its model's ``visible_to`` for the recipient's login (the
one rule, ``core.visibility``); CRs are read by every signed-in user.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail

REF = re.compile(
    r"\b(?P<decision>[A-Z]{2,8}-DEC\d+)\b|\b(?P<action>[A-Z]{2,8}\d+(?:\.\d+)?-\d{2,})\b"
    r"|\b(?P<cr>CR\d{3,})\b|\b(?P<meeting>[A-Z]{2,8}\d{3}(?:\.\d+)?)\b"
)


def refs_named(message) -> set[tuple[str, str]]:
    bodies = [message.subject, message.body] + [body for body, _ in message.alternatives]
    return {
        (kind, value)
        for text in bodies
        for match in REF.finditer(text)
        for kind, value in match.groupdict().items()
        if value
    }


def hidden_refs(message) -> list[str]:
    """The refs ``message`` names that its recipient may not open."""
    from actions.models import Action
    from changerequests.models import ChangeRequest
    from decisions.models import Decision
    from meetings.models import Meeting, Person

    models = {"action": Action, "decision": Decision, "meeting": Meeting}
    (address,) = message.to
    email = address.rsplit("<", 1)[-1].rstrip(">")
    person = Person.objects.select_related("user").get(email=email)
    user = person.user
    hidden = []
    for kind, ref in sorted(refs_named(message)):
        if kind == "cr":
            if user is None or not ChangeRequest.objects.filter(ref=ref).exists():
                hidden.append(ref)
            continue
        model = models[kind]
        if not model.objects.filter(ref=ref).exists():
            continue  # not a ref (a word that looks like one)
        user = type(user).objects.get(pk=user.pk) if user is not None else None  # fresh seats
        if user is None or not model.objects.visible_to(user).filter(ref=ref).exists():
            hidden.append(ref)
    return hidden


@pytest.fixture(autouse=True)
def _no_email_names_a_hidden_record(request):
    yield
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    for message in mail.outbox:
        assert hidden_refs(message) == [], (message.to, message.subject)
