"""Acting from a reminder email: signed, expiring, single-purpose links on each action row.

Each action in a reminder email carries three links, each naming the person the email went
to, the action and one purpose:

- ``close``: "done, please close" posts an update proposing closure
  (``actions.services.action_update_post`` with ``proposes_closure``);
- ``redate``: "need until <date>" posts a progress update asking for a new date (the PMO
  re-dates; the due date is not changed here);
- ``note``: "add a note" posts a short progress update.

A link opens a confirmation page: GET only shows what will happen (mail scanners prefetch
links), POST does it. No login is needed for that one thing while the link is valid; it
gives no session and opens nothing else. The token is ``django.core.signing.dumps`` with a
salt per purpose (a token for one purpose is no token for another) and expires after
``settings.EMAIL_LINK_MAX_AGE_DAYS``. A link works once: using it inserts an
:class:`~composer.models.EmailLinkUse` row keyed by the token's digest (unique), in the same
transaction as the update, so a second use, or two at once, is told it was used.

The update is posted as the person's login when they have an active one (so the service's
own ownership check applies), otherwise by the system on their behalf, with the person
recorded as its author; either way the person must still own the action (by name, or by a
seat they hold now, as ``core.visibility.owns_action`` reads it).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Action, ActionUpdate
from actions.services import action_update_post
from composer.models import EmailLinkUse
from core.access import is_current, owner_words_of_seat
from core.actors import SYSTEM
from meetings.models import Membership, Person

SALT_PREFIX = "composer.email_links."
PURPOSES = {
    "close": "Done, please close",
    "redate": "Need more time",
    "note": "Add a note",
}


class LinkInvalidError(Exception):
    """The token is not one we signed (tampered, truncated, made up): 400."""


class LinkExpiredError(Exception):
    """Signed by us, but older than ``EMAIL_LINK_MAX_AGE_DAYS``: 410."""


class LinkUsedError(Exception):
    """Used already (``use`` is the record of when): 410."""

    def __init__(self, use: EmailLinkUse | None) -> None:
        super().__init__("This link has been used.")
        self.use = use


class LinkNotApplicableError(Exception):
    """Valid, but the person no longer owns the action or the action is closed: 403."""


def email_link_max_age() -> int:
    return int(settings.EMAIL_LINK_MAX_AGE_DAYS) * 24 * 3600


def email_link_token(*, person_id: int, action_id: int, purpose: str) -> str:
    """The signed token of one link (URL-safe), to be opened at ``/act/<token>/``."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return signing.dumps({"p": person_id, "a": action_id}, salt=SALT_PREFIX + purpose)


class EmailLinkSigner:
    """Signs many links at once, each token byte for byte what :func:`email_link_token`
    gives in the same second (a reminder run signs tens of thousands).

    ``signing.dumps`` builds a ``TimestampSigner`` and derives its HMAC key (a hash of salt
    and secret) for every token. Here each purpose's keyed HMAC is set up once, from the
    same ``TimestampSigner`` (its key, salt and algorithm), and copied per token; the payload
    is the JSON ``signing.dumps`` writes for two integers (compact separators, key order
    ``p``, ``a``). Build one per run: it reads ``SECRET_KEY`` when made.
    """

    def __init__(self) -> None:
        self._hmacs: dict[str, Any] = {}
        for purpose in PURPOSES:
            # What signing.salted_hmac derives for this signer (salt + "signer", the key).
            signer = signing.TimestampSigner(salt=SALT_PREFIX + purpose)
            hasher = getattr(hashlib, signer.algorithm)
            key = hasher(_bytes(signer.salt + "signer") + _bytes(signer.key)).digest()
            self._hmacs[purpose] = hmac.new(key, digestmod=hasher)
        # Its separator is the one signing.dumps uses.
        self._sep = signer.sep
        self._second: int | None = None
        self._stamp = ""

    def _timestamp(self) -> str:
        """What ``TimestampSigner.timestamp()`` gives now (base 62 of the second, read from
        the clock ``django.core.signing`` reads), encoded once per second."""
        second = int(signing.time.time())
        if second != self._second:
            self._second, self._stamp = second, signing.b62_encode(second)
        return self._stamp

    def token(self, *, person_id: int, action_id: int, purpose: str) -> str:
        """The token of one link, as :func:`email_link_token` signs it now."""
        if purpose not in PURPOSES:
            raise ValueError(purpose)
        payload = f'{{"p":{int(person_id)},"a":{int(action_id)}}}'
        value = f"{_b64(payload.encode('latin-1'))}{self._sep}{self._timestamp()}"
        mac = self._hmacs[purpose].copy()
        mac.update(value.encode())
        return f"{value}{self._sep}{_b64(mac.digest())}"


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).strip(b"=").decode()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class EmailLink:
    """A verified link: its purpose, the person it names and the action."""

    token: str
    purpose: str
    person: Person
    action: Action

    @property
    def label(self) -> str:
        return PURPOSES[self.purpose]

    @property
    def digest(self) -> str:
        return token_digest(self.token)


def _unsign(token: str) -> tuple[str, dict]:
    """The purpose and payload of ``token``; LinkInvalidError or LinkExpiredError otherwise.

    Each purpose has its own salt, so the purpose is the one whose salt verifies the
    signature (a timestamp signer checks the signature before the age).
    """
    for purpose in PURPOSES:
        try:
            payload = signing.loads(token, salt=SALT_PREFIX + purpose, max_age=email_link_max_age())
        except signing.SignatureExpired as exc:
            raise LinkExpiredError from exc
        except signing.BadSignature:
            continue
        if isinstance(payload, dict) and isinstance(payload.get("p"), int):
            return purpose, payload
        break
    raise LinkInvalidError


def email_link_read(*, token: str) -> EmailLink:
    """The link ``token`` stands for, checked: LinkInvalidError, LinkExpiredError, LinkUsedError or
    LinkNotApplicableError when it may not be used (now)."""
    if len(token) > 400:
        raise LinkInvalidError
    purpose, payload = _unsign(token)
    person = Person.objects.select_related("user").filter(pk=payload["p"]).first()
    action = (
        Action.objects.select_related("committee", "meeting").filter(pk=payload.get("a")).first()
    )
    if person is None or action is None:
        raise LinkInvalidError
    link = EmailLink(token=token, purpose=purpose, person=person, action=action)
    use = EmailLinkUse.objects.filter(token_digest=link.digest).first()
    if use is not None:
        raise LinkUsedError(use)
    if not action.is_open:
        raise LinkNotApplicableError(f"{action.ref} is closed.")
    if not person_owns_action(person=person, action=action):
        raise LinkNotApplicableError(f"{person.name} is no longer an owner of {action.ref}.")
    return link


def person_owns_action(*, person: Person, action: Action) -> bool:
    """Whether ``person`` owns ``action``: named on it, or holding now a seat on its committee
    whose role it names with no person (the rule of ``core.visibility.owns_action``, read from
    the person rather than a login, for people who have none)."""
    owners = list(action.owners.values_list("person_id", "role"))
    if any(person_id == person.pk for person_id, _ in owners):
        return True
    roles = {role.casefold() for person_id, role in owners if person_id is None and role}
    if not roles:
        return False
    today = timezone.localdate()
    for seat in Membership.objects.filter(person=person, committee_id=action.committee_id):
        if is_current(seat.start_date, seat.end_date, today) and roles & owner_words_of_seat(
            role=seat.role, constituency=seat.constituency
        ):
            return True
    return False


def _update_text(purpose: str, *, text: str, until_date: dt.date | None) -> str:
    text = (text or "").strip()
    if purpose == "close":
        return text or "Done, please close (answered from the reminder email)."
    if purpose == "redate":
        if until_date is None:
            raise ValidationError({"until_date": "Give the date you need until."})
        if until_date < timezone.localdate():
            raise ValidationError({"until_date": "That date has passed."})
        asked = f"Need until {until_date:%d/%m/%Y} (asked from the reminder email)."
        return f"{asked} {text}" if text else asked
    if not text:
        raise ValidationError({"text": "Write the note."})
    return text


@transaction.atomic
def email_link_use(
    *, link: EmailLink, text: str = "", until_date: dt.date | None = None
) -> ActionUpdate:
    """Do what ``link`` is for, once: post the update as the person (or for them).

    Raises ValidationError (nothing used: the form shows the fields), LinkUsedError when the link
    was used meanwhile, LinkNotApplicableError when the person may not update the action.
    """
    body = _update_text(link.purpose, text=text, until_date=until_date)
    try:
        with transaction.atomic():
            use = EmailLinkUse.objects.create(
                token_digest=link.digest,
                purpose=link.purpose,
                person=link.person,
                action=link.action,
            )
    except IntegrityError as exc:
        raise LinkUsedError(EmailLinkUse.objects.filter(token_digest=link.digest).first()) from exc
    user = link.person.user
    acting_user: Any = user if user is not None and user.is_active else SYSTEM
    if acting_user is SYSTEM and not person_owns_action(person=link.person, action=link.action):
        raise LinkNotApplicableError(f"{link.person.name} is not an owner of {link.action.ref}.")
    try:
        update = action_update_post(
            action=link.action,
            text=body,
            proposes_closure=link.purpose == "close",
            acting_user=acting_user,
            on_behalf_of=None if acting_user is user else link.person,
        )
    except PermissionDenied as exc:
        raise LinkNotApplicableError(str(exc)) from exc
    use.update = update
    use.save(update_fields=["update"])
    return update
