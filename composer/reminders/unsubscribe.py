"""The signed token in a reminder email's unsubscribe link.

The token names the person and is signed, so the link works without logging in and cannot be
made up for someone else. It does not expire: an old email's link keeps working.
"""

from __future__ import annotations

from django.core import signing

from meetings.models import Person

UNSUBSCRIBE_SALT = "composer.reminders.unsubscribe"


def unsubscribe_signer() -> signing.Signer:
    """The signer of unsubscribe tokens (the emails sign with it, the view unsigns)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def reminders_unsubscribe_token(*, person_id: int) -> str:
    """The signed token in a person's unsubscribe link (it does not expire)."""
    return unsubscribe_signer().sign(str(person_id))


def person_for_unsubscribe_token(*, token: str) -> Person:
    """The person an unsubscribe token names.

    Raises signing.BadSignature for a forged or damaged token, Person.DoesNotExist when the
    person was deleted.
    """
    person_id = unsubscribe_signer().unsign(token)
    return Person.objects.get(pk=int(person_id))
