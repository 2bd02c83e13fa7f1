"""Acting from a reminder email (composer.email_links): each link does its one thing, once.

The links come from a real reminder run on the seed's dates: on 12 October 2023 Paul Pettitt
(no login) is reminded of DAG28-11 and DAG28-12, overdue by a day (due 11/10/2023 in the
seed). Expiry is tested with the clock moved (time-machine), the signature unchanged.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail, signing

from actions.models import Action, ActionUpdate
from composer import reminders
from composer.email_links import EmailLinkSigner, email_link_read, email_link_token
from composer.importer import headline_report_import_file
from composer.models import EmailLinkUse
from core.actors import SYSTEM
from meetings.models import Person
from tests.conftest import SEED_PATH
from tests.meetings.factories import UserFactory, link_login

D = dt.date
LINK = re.compile(
    r"  (Done, please close|Need more time|Add a note): https?://[^/]+(/act/[^/\s]+/)"
)


@pytest.fixture
def paul_links(db):
    """Paul Pettitt's reminder of 12 October 2023: his links by (action ref, label)."""
    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    for person in Person.objects.all():
        person.email = ".".join(person.name.lower().split()) + "@example.org"
        person.save()
    reminders.reminders_send(acting_user=SYSTEM, today=D(2023, 10, 12))
    (message,) = [m for m in mail.outbox if "paul.pettitt@example.org" in m.to[0]]
    links = {}
    ref = None
    for line in message.body.splitlines():
        found = re.match(r"- (DAG\d+-\d\d):", line)
        if found:
            ref = found[1]
        link = LINK.match(line)
        if link:
            links[(ref, link[1])] = link[2]
    assert set(links) == {
        (ref, label)
        for ref in ("DAG28-11", "DAG28-12")
        for label in ("Done, please close", "Need more time", "Add a note")
    }
    return links


def test_done_please_close_confirms_on_get_and_proposes_closure_on_post_once(client, paul_links):
    url = paul_links[("DAG28-12", "Done, please close")]
    page = client.get(url)
    assert page.status_code == 200
    assert b"Done, please close: DAG28-12" in page.content
    assert b"Paul Pettitt" in page.content
    # GET did nothing (mail scanners prefetch links).
    assert not ActionUpdate.objects.exists()
    assert Action.objects.get(ref="DAG28-12").status == Action.Status.OPEN

    done = client.post(url, {"text": "Sent to the DRG on 10 October."})
    assert done.status_code == 200
    assert b"Closure of DAG28-12 is proposed" in done.content
    statuses = dict(Action.objects.values_list("ref", "status"))
    assert statuses["DAG28-12"] == Action.Status.PROPOSED_CLOSURE
    assert statuses["DAG28-11"] == Action.Status.OPEN
    (update,) = ActionUpdate.objects.all()
    assert (update.action.ref, update.proposes_closure) == ("DAG28-12", True)
    # Paul has no login: the system posted on his behalf, and he is the author on record.
    assert update.author is None
    assert update.author_person.name == "Paul Pettitt"
    assert update.author_name == "Paul Pettitt"
    assert update.text == "Sent to the DRG on 10 October."

    for again in (client.get(url), client.post(url, {"text": "again"})):
        assert again.status_code == 410
        assert b"This link has been used" in again.content
    assert ActionUpdate.objects.count() == 1
    # The link gave no session: everything else still needs a login.
    assert client.get("/actions/mine/").status_code == 302


def test_need_more_time_posts_a_request_and_leaves_the_due_date_to_the_pmo(client, paul_links):
    url = paul_links[("DAG28-11", "Need more time")]
    with time_machine.travel(dt.datetime(2023, 10, 12, 9, tzinfo=dt.UTC)):
        refused = client.post(url, {"until_date": ""})
        assert refused.status_code == 200
        assert b"This field is required" in refused.content
        assert not EmailLinkUse.objects.exists()
        done = client.post(url, {"until_date": "2023-11-08", "text": "Waiting on Helix."})
    assert done.status_code == 200
    action = Action.objects.get(ref="DAG28-11")
    assert action.due_date == D(2023, 10, 11)
    assert action.status == Action.Status.OPEN
    (update,) = action.updates.all()
    assert update.text == "Need until 08/11/2023 (asked from the reminder email). Waiting on Helix."
    assert not update.proposes_closure


def test_add_a_note_needs_the_note(client, paul_links):
    url = paul_links[("DAG28-11", "Add a note")]
    assert b"This field is required" in client.post(url, {"text": " "}).content
    assert client.post(url, {"text": "Examples drafted."}).status_code == 200
    assert list(Action.objects.get(ref="DAG28-11").updates.values_list("text", flat=True)) == [
        "Examples drafted."
    ]


def test_a_person_with_a_login_acts_as_that_login(client, paul_links):
    user = UserFactory(username="paul")
    link_login(Person.objects.get(name="Paul Pettitt"), user)
    client.post(paul_links[("DAG28-12", "Add a note")], {"text": "Noted."})
    (update,) = ActionUpdate.objects.all()
    assert update.author == user
    assert update.author_person is None


def test_a_tampered_link_is_refused(client, paul_links):
    url = paul_links[("DAG28-12", "Done, please close")]
    token = url.split("/")[2]
    payload, stamp, signature = token.split(":")
    # Another action's id in the payload, the signature kept.
    other = f"{payload[:-2]}{'x' if payload[-2] != 'x' else 'y'}{payload[-1]}:{stamp}:{signature}"
    # Signed with this site's key for another purpose (no salt, another salt): no link.
    payload_of = signing.loads(token, salt="composer.email_links.close")
    unsalted = signing.dumps(payload_of)
    other_salt = signing.dumps(payload_of, salt="composer.reminders.unsubscribe")
    for bad in (other, token[:-3], "nonsense", unsalted, other_salt):
        page = client.get(f"/act/{bad}/")
        assert page.status_code == 400, bad
        assert b"This link is not valid" in page.content
        assert client.post(f"/act/{bad}/", {"text": "x"}).status_code == 400
    assert not ActionUpdate.objects.exists()


def test_a_link_expires_after_email_link_max_age_days(client, paul_links, settings):
    settings.EMAIL_LINK_MAX_AGE_DAYS = 14
    paul = Person.objects.get(name="Paul Pettitt")
    action = Action.objects.get(ref="DAG28-12")
    signed_at = dt.datetime(2023, 10, 12, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(signed_at, tick=False):
        token = email_link_token(person_id=paul.pk, action_id=action.pk, purpose="close")
    url = f"/act/{token}/"
    with time_machine.travel(signed_at + dt.timedelta(days=14, seconds=-60), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(signed_at + dt.timedelta(days=14, seconds=1), tick=False):
        for page in (client.get(url), client.post(url, {"text": "done"})):
            assert page.status_code == 410
            assert b"This link has expired" in page.content
    assert not ActionUpdate.objects.exists()


def test_a_link_no_longer_applies_once_the_action_is_closed_or_given_away(client, paul_links):
    from actions.services import action_close, action_update

    action_close(action=Action.objects.get(ref="DAG28-11"), acting_user=SYSTEM)
    page = client.get(paul_links[("DAG28-11", "Add a note")])
    assert page.status_code == 403
    assert b"DAG28-11 is closed" in page.content
    action_update(
        action=Action.objects.get(ref="DAG28-12"),
        owners=["Programme (Rob Short)"],
        acting_user=SYSTEM,
    )
    page = client.post(paul_links[("DAG28-12", "Add a note")], {"text": "mine"})
    assert page.status_code == 403
    assert b"no longer an owner" in page.content
    assert not ActionUpdate.objects.exists()


def test_the_links_are_rate_limited_per_address(client, paul_links, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "email_link": "2/hour",
        },
    }
    url = paul_links[("DAG28-12", "Add a note")]
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    limited = client.get(url)
    assert limited.status_code == 429
    assert limited["Retry-After"]


@pytest.mark.parametrize("purpose", ["close", "redate", "note"])
def test_the_run_signer_signs_the_tokens_signing_dumps_signs(purpose, settings):
    """The run's signer (one HMAC set-up per purpose) gives byte for byte the token of
    ``email_link_token`` at the same second, under the secret of the moment."""
    settings.SECRET_KEY = "another-secret-key-for-this-test-" + "x" * 40
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC), tick=False):
        signer = EmailLinkSigner()
        for person_id, action_id in [(1, 2), (12345, 987654), (0, 7)]:
            token = signer.token(person_id=person_id, action_id=action_id, purpose=purpose)
            assert token == email_link_token(
                person_id=person_id, action_id=action_id, purpose=purpose
            )
    with pytest.raises(ValueError, match="delete"):
        signer.token(person_id=1, action_id=2, purpose="delete")


def test_a_token_of_the_run_signer_opens_its_link(paul_links):
    """A token from the run's signer reads back as its person, action and purpose."""
    paul = Person.objects.get(name="Paul Pettitt")
    action = Action.objects.get(ref="DAG28-11")
    token = EmailLinkSigner().token(person_id=paul.pk, action_id=action.pk, purpose="redate")
    link = email_link_read(token=token)
    assert (link.person, link.action, link.purpose) == (paul, action, "redate")
