"""State changes of the people directory: people, organisations, committees, memberships.

The PMO keeps the directory (DESIGN.md "Who uses it"). Every function is keyword-only, takes
``acting_user`` (PMO, or :data:`core.actors.SYSTEM`), runs in a transaction, validates with
the models' ``full_clean`` and records the actor in the history rows it writes.

Merging two records that are the same (``Rob Shrot`` typed for ``Rob Short``) moves every row
that points at the merged one, whichever app holds it (action owners, memberships, meeting
participants): they are found through Django's reverse relations, so this module imports no
higher app and a relation added later is moved too.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from core import access, roles
from core.services import (
    apply_changes,
    history_delete,
    history_user_as,
    name_length_check,
    validated_save,
)

from .models import Committee, Membership, Organisation, Person

logger = logging.getLogger(__name__)

PERSON_EDITABLE_FIELDS = {"name", "email", "organisation", "is_team", "reminders_opt_out"}
ORGANISATION_EDITABLE_FIELDS = {"name", "short_name"}
COMMITTEE_EDITABLE_FIELDS = {
    "name",
    "programme_name",
    "due_soon_days",
    "quorum_count",
    "quorum_fraction",
}
MEMBERSHIP_EDITABLE_FIELDS = {"role", "constituency", "start_date", "end_date"}


def _clean_name(name: str, model: type[models.Model]) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give a name."})
    name_length_check(model, name)
    return name


# --- people ------------------------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    name: str,
    email: str = "",
    organisation: Organisation | None = None,
    is_team: bool = False,
    reminders_opt_out: bool = False,
    acting_user: Any,
) -> Person:
    """Add a person (or team) to the directory; ValidationError when the name is taken in
    that organisation or a value is bad, PermissionDenied unless PMO."""
    roles.require_pmo(acting_user)
    person = Person(
        name=_clean_name(name, Person),
        email=(email or "").strip(),
        organisation=organisation,
        is_team=is_team,
        reminders_opt_out=reminders_opt_out,
    )
    return validated_save(person, acting_user=acting_user)


@transaction.atomic
def person_update(*, person: Person, acting_user: Any, **changes: Any) -> Person:
    """Change a person's name, email, organisation, team flag or reminder choice."""
    roles.require_pmo(acting_user)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], Person)
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip()
    apply_changes(person, changes, PERSON_EDITABLE_FIELDS)
    return validated_save(person, acting_user=acting_user)


@transaction.atomic
def person_set_active(*, person: Person, is_active: bool, acting_user: Any) -> Person:
    """Deactivate (or reactivate) a person: they stay on the records they own, are offered
    no more as an owner, and their login (if any) stops working while inactive."""
    roles.require_pmo(acting_user)
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    person.is_active = is_active
    validated_save(person, acting_user=acting_user)
    if person.user is not None and person.user.is_active != is_active:
        person.user.is_active = is_active
        person.user.save(update_fields=["is_active"])
    return person


def _username_for(person: Person) -> str:
    """A free username: the email's local part, or the name, made unique with a number."""
    user_model = get_user_model()
    base = (person.email.split("@")[0] or person.name).lower()
    base = "".join(ch for ch in base if ch.isalnum() or ch in "._-")[:140] or "user"
    candidate, number = base, 1
    while user_model._default_manager.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}{number}"
    return candidate


@transaction.atomic
def person_login_create(*, person: Person, role: str = "", acting_user: Any) -> Any:
    """The person's login: a User linked to them (made with an unusable password, so nobody
    can sign in until the person sets one through the invitation's link). What they may see
    and do follows their committee seats; ``role`` ``PMO`` (a superuser's choice) also makes
    them a programme administrator, ``""`` adds nothing.

    An existing login is returned unchanged. ValidationError when the person has no email
    (the invitation could not reach them) or is a team; PermissionDenied unless PMO.
    """
    roles.require_pmo(acting_user)
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if person.user is not None:
        return person.user
    if person.is_team:
        raise ValidationError("A team cannot sign in; invite its members one by one.")
    if not person.has_email:
        raise ValidationError({"email": f"{person.name} has no email to send an invitation to."})
    if role not in ("", *roles.GROUP_ROLES):
        # Chair, Member and Observer are seats on a committee now, not groups.
        raise ValidationError(
            {"role": f"“{role}” is not a role a login is given; seat them on a committee."}
        )
    if role == roles.PMO and not getattr(acting_user, "is_superuser", False):
        # Separation of duties: the secretariat does not make administrators (who could
        # then seat themselves as chair); only a superuser does.
        raise PermissionDenied("Only a superuser can give a login the PMO role.")
    first, _, last = person.name.partition(" ")
    user = get_user_model()(
        username=_username_for(person), email=person.email, first_name=first[:150]
    )
    user.last_name = last[:150]
    user.set_unusable_password()
    user.save()
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    person.user = user
    validated_save(person, acting_user=acting_user)
    return user


class _InvitationForm(PasswordResetForm):
    """Django's password-reset email, sent to one given login even though it has no usable
    password yet (the stock form skips such users: an invitee has never had one)."""

    def __init__(self, user: Any) -> None:
        super().__init__(data={"email": user.email})
        self.invitee = user

    def get_users(self, email: str) -> list[Any]:
        return [self.invitee]


def person_invite(*, person: Person, role: str = "", acting_user: Any) -> Any:
    """Invite ``person`` to sign in: make their login if they have none
    (:func:`person_login_create`) and email them a one-time link to set a password.

    The link is Django's password-reset link (``default_token_generator``): it stops working
    once a password is set, or after ``PASSWORD_RESET_TIMEOUT``. The email goes after the
    transaction commits. Returns the user.
    """
    user = person_login_create(person=person, role=role, acting_user=acting_user)
    if not user.is_active:
        raise ValidationError(f"{person.name}'s login is inactive; reactivate them first.")
    site = urlsplit(settings.SITE_URL)
    form = _InvitationForm(user)
    form.is_valid()

    def send() -> None:
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name="people/emails/invite_subject.txt",
            email_template_name="people/emails/invite.txt",
            extra_email_context={"person": person, "invited_by": acting_user},
        )

    transaction.on_commit(send)
    logger.info("person invited: #%s %r by %s", person.pk, person.name, acting_user)
    return user


# --- organisations ----------------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, name: str, short_name: str = "", acting_user: Any) -> Organisation:
    """Add an organisation; ValidationError when the name is taken."""
    roles.require_pmo(acting_user)
    organisation = Organisation(
        name=_clean_name(name, Organisation), short_name=(short_name or "").strip()
    )
    return validated_save(organisation, acting_user=acting_user)


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, acting_user: Any, **changes: Any
) -> Organisation:
    """Rename an organisation or change its short name."""
    roles.require_pmo(acting_user)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"], Organisation)
    apply_changes(organisation, changes, ORGANISATION_EDITABLE_FIELDS)
    return validated_save(organisation, acting_user=acting_user)


# --- merging ----------------------------------------------------------------------------------


def _rows_pointing_at(record: models.Model) -> list[tuple[models.Model, str]]:
    """Every row whose foreign key names ``record`` (not one-to-one links, not history)."""
    found = []
    for relation in record._meta.related_objects:
        if not relation.one_to_many:  # a foreign key to ``record`` (not one-to-one, m2m)
            continue
        model = relation.related_model
        if model.__name__.startswith("Historical"):
            continue
        field_name = relation.field.name
        rows = model._default_manager.filter(**{field_name: record}).order_by("pk")
        found.extend((row, field_name) for row in rows)
    return found


def _merge_rows(source: models.Model, target: models.Model, *, acting_user: Any) -> int:
    """Point every row naming ``source`` at ``target``, each saved with its history row.

    A row that would then duplicate one of ``target``'s (the same seat on a committee twice)
    is deleted instead, on record. Returns how many rows moved or went.
    """
    reason = f"merged {source._meta.verbose_name} #{source.pk} “{source}” into #{target.pk}"
    rows = _rows_pointing_at(source)
    for row, field_name in rows:
        setattr(row, field_name, target)
        row._change_reason = reason
        try:
            row.validate_constraints()
            row.validate_unique()
        except ValidationError:
            setattr(row, field_name, source)
            history_delete(row, acting_user=acting_user)
            continue
        with history_user_as(row, acting_user=acting_user):
            row.save(update_fields=[field_name])
    return len(rows)


@transaction.atomic
def person_merge(*, source: Person, target: Person, acting_user: Any) -> Person:
    """Merge ``source`` into ``target`` (the same person typed twice) and delete ``source``.

    Action owners, memberships, participants and any other row naming ``source`` move to
    ``target``; a missing email or login is taken from ``source``. History rows record the
    actor and the reason; the merge is logged. ValidationError when the two are one record.
    """
    roles.require_pmo(acting_user)
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose another person to merge into."})
    source, target = (
        Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=p.pk)
        for p in (source, target)
    )
    moved = _merge_rows(source, target, acting_user=acting_user)
    user = source.user
    source._change_reason = f"merged into person #{target.pk} “{target.name}”"
    history_delete(source, acting_user=acting_user)
    if not target.email and source.email:
        target.email = source.email
    if target.user_id is None and user is not None:
        target.user = user
    target._change_reason = f"merged person #{source.pk} “{source.name}” into this one"
    validated_save(target, acting_user=acting_user)
    logger.info(
        "person merged: #%s %r into #%s %r by %s (%s rows moved)",
        source.pk,
        source.name,
        target.pk,
        target.name,
        acting_user,
        moved,
    )
    return target


@transaction.atomic
def organisation_merge(
    *, source: Organisation, target: Organisation, acting_user: Any
) -> Organisation:
    """Merge ``source`` into ``target``: its people, owned actions and every other row naming
    it move to ``target``, then ``source`` is deleted (on record, with the actor)."""
    roles.require_pmo(acting_user)
    if source.pk == target.pk:
        raise ValidationError({"target": "Choose another organisation to merge into."})
    source = Organisation.objects.select_for_update().get(pk=source.pk)
    target = Organisation.objects.select_for_update().get(pk=target.pk)
    for person in Person.objects.filter(organisation=source):
        twin = Person.objects.filter(organisation=target, name=person.name).first()
        if twin is not None:  # the same person in both: one record
            person_merge(source=person, target=twin, acting_user=acting_user)
    moved = _merge_rows(source, target, acting_user=acting_user)
    source._change_reason = f"merged into organisation #{target.pk} “{target.name}”"
    history_delete(source, acting_user=acting_user)
    logger.info(
        "organisation merged: #%s %r into #%s %r by %s (%s rows moved)",
        source.pk,
        source.name,
        target.pk,
        target.name,
        acting_user,
        moved,
    )
    return target


# --- committees and memberships ---------------------------------------------------------------


@transaction.atomic
def committee_update(*, committee: Committee, acting_user: Any, **changes: Any) -> Committee:
    """Change a committee's name, programme or reminder lead time (its code is in every ref
    and never changes)."""
    roles.require_pmo(acting_user)
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    apply_changes(committee, changes, COMMITTEE_EDITABLE_FIELDS)
    return validated_save(committee, acting_user=acting_user)


def _no_own_seat(person: Person, acting_user: Any) -> None:
    """Separation of duties: nobody but a superuser changes their own seats (a PMO who
    seated themselves as chair could then decide the committee's decisions)."""
    own = person.user_id is not None and person.user_id == getattr(acting_user, "pk", None)
    if own and not getattr(acting_user, "is_superuser", False):
        raise PermissionDenied("You cannot change your own committee seats; ask a superuser.")


def _seats_changed(person: Person, acting_user: Any) -> None:
    """Drop the seats cached on the acting user when they are ``person`` (a superuser
    changing their own seat), so the rest of the request reads the seats as they now are
    (``core.access.forget_access``); any other login reads them afresh on its next request."""
    if person.user_id is not None and person.user_id == getattr(acting_user, "pk", None):
        access.forget_access(acting_user)


@transaction.atomic
def membership_create(
    *,
    committee: Committee,
    person: Person,
    role: str = Membership.Role.MEMBER,
    constituency: str = "",
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    acting_user: Any,
) -> Membership:
    """Give ``person`` a seat on ``committee``; ValidationError for a seat of that role they
    hold with no end date, or an end before the start; PermissionDenied for the acting
    user's own seat. An ended seat of the same role stays on record beside the new one."""
    roles.require_pmo(acting_user)
    _no_own_seat(person, acting_user)
    membership = Membership(
        committee=committee,
        person=person,
        role=role,
        constituency=" ".join((constituency or "").split()),
        start_date=start_date,
        end_date=end_date,
    )
    validated_save(membership, acting_user=acting_user)
    _seats_changed(person, acting_user)
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, acting_user: Any, **changes: Any) -> Membership:
    """Change a seat's role, constituency or dates (``end_date``: the day it ends, today
    for at once; ``core.access.is_current``)."""
    roles.require_pmo(acting_user)
    membership = (
        Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    )
    _no_own_seat(membership.person, acting_user)
    if "constituency" in changes:
        changes["constituency"] = " ".join((changes["constituency"] or "").split())
    apply_changes(membership, changes, MEMBERSHIP_EDITABLE_FIELDS)
    validated_save(membership, acting_user=acting_user)
    _seats_changed(membership.person, acting_user)
    return membership


def membership_end(*, membership: Membership, end_date: dt.date, acting_user: Any) -> Membership:
    """End a seat on ``end_date`` (kept on record, unlike :func:`membership_delete`): from
    that day it gives nothing, so a seat ended today stops giving access at once."""
    return membership_update(membership=membership, end_date=end_date, acting_user=acting_user)


@transaction.atomic
def membership_delete(*, membership: Membership, acting_user: Any) -> None:
    """Remove a seat recorded by mistake (its history keeps it, with the actor)."""
    roles.require_pmo(acting_user)
    history_delete(membership, acting_user=acting_user)
    _seats_changed(membership.person, acting_user)
