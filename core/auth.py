"""The login backend: Django's ModelBackend, reading a session's user with what every page needs.

Every browser page shows the user's roles and links to "My actions" when they are a person
on the register, and every view checks a role: with Django's backend that is three queries
(the user, their groups, their person) before the page reads anything of its own. Here the
user comes with their person, organisation, group names and seats in one query
(:func:`user_row_query`), and the roles and seats are cached on the user.

The API's token authentication (:mod:`core.api.authentication`) reads a token's user by the
same query, led by the token.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core import access, roles


@functools.cache
def user_row_query(vendor: str, *, by_token: bool) -> tuple[str, list[tuple[Any, list[str]]]]:
    """The SQL that reads a user with what every request needs, built once per process, and
    each model's columns in its row.

    One row: (with ``by_token``, the token's columns,) the user's, the user's person and
    that person's organisation (null when the user is no person), the person's seats on
    committees as JSON text (:data:`core.access.SEAT_COLUMNS`, as ``access.access_cache``
    reads them), and the user's group names as a JSON array. The one parameter is the
    token's key, or the user's id.

    Hand-written although the ORM can say it: building and compiling that query on every
    request cost more than many a page's own reads (BENCHMARKS.md), and this one is built
    once. The person and organisation models are reached through the user model's
    relations, so the kernel imports no app.
    """
    user_model = get_user_model()
    person_model = user_model._meta.get_field("person").related_model
    organisation_model = person_model._meta.get_field("organisation").related_model
    qn = connection.ops.quote_name
    parts = [("u", user_model), ("p", person_model), ("o", organisation_model)]
    if by_token:
        parts.insert(0, ("t", Token))
    columns = ", ".join(
        f"{alias}.{qn(f.column)}" for alias, model in parts for f in model._meta.concrete_fields
    )
    membership = user_model.groups.through._meta
    names = "json_agg(g.name)::text" if vendor == "postgresql" else "json_group_array(g.name)"
    seat_model = person_model._meta.get_field("memberships").related_model
    items = ", ".join(f"m.{{seat_{i}}}" for i in range(len(access.SEAT_COLUMNS)))
    seats = (
        f"json_agg(json_build_array({items}))::text"
        if vendor == "postgresql"
        else f"json_group_array(json_array({items}))"
    )
    tables = {
        "token": qn(Token._meta.db_table),
        "token_user": qn(Token._meta.get_field("user").column),
        "token_key": qn(Token._meta.pk.column),
        "user": qn(user_model._meta.db_table),
        "user_id": qn(user_model._meta.pk.column),
        "person": qn(person_model._meta.db_table),
        "person_user": qn(person_model._meta.get_field("user").column),
        "person_id": qn(person_model._meta.pk.column),
        "person_org": qn(person_model._meta.get_field("organisation").column),
        "organisation": qn(organisation_model._meta.db_table),
        "organisation_id": qn(organisation_model._meta.pk.column),
        "membership": qn(membership.db_table),
        "member": qn(membership.get_field("user").column),
        "member_group": qn(membership.get_field("group").column),
        "group": qn(Group._meta.db_table),
        "group_id": qn(Group._meta.pk.column),
        "seat": qn(seat_model._meta.db_table),
        "seat_person": qn(seat_model._meta.get_field("person").column),
        **{
            f"seat_{i}": qn(seat_model._meta.get_field(name).column)
            for i, name in enumerate(access.SEAT_COLUMNS)
        },
    }
    source = "{token} t JOIN {user} u ON u.{user_id} = t.{token_user}" if by_token else "{user} u"
    where = "t.{token_key}" if by_token else "u.{user_id}"
    # Identifiers come from the models' metadata, quoted; the key or id is the one parameter.
    sql = (
        "SELECT {columns}, (SELECT {seats} FROM {seat} m WHERE m.{seat_person} = p.{person_id}),"  # noqa: S608
        " (SELECT {names} FROM {membership} ug"
        " JOIN {group} g ON g.{group_id} = ug.{member_group} WHERE ug.{member} = u.{user_id})"
        f" FROM {source}"
        " LEFT JOIN {person} p ON p.{person_user} = u.{user_id}"
        " LEFT JOIN {organisation} o ON o.{organisation_id} = p.{person_org}"
        f" WHERE {where} = %s"
    ).format(columns=columns, names=names, seats=seats.format(**tables), **tables)
    return sql, [(model, [f.attname for f in model._meta.concrete_fields]) for _, model in parts]


def _converters(model: Any) -> list[tuple[int, Any, list[Any]]]:
    """The database's and the fields' converters of ``model``'s columns, as the ORM applies
    them to what it reads (SQLite's driver gives naive datetimes, for one): ``(position,
    column expression, converters)`` for each column that has any."""
    out = []
    for at, field in enumerate(model._meta.concrete_fields):
        expression = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(expression)
        converters += expression.get_db_converters(connection)
        if converters:
            out.append((at, expression, converters))
    return out


def user_row_read(row: Any, models: list[tuple[Any, list[str]]]) -> list[Any]:
    """The instances of a :func:`user_row_query` row, in its models' order (None for a
    person or organisation the user has none of), with the user's person, organisation,
    roles (``core.roles``) and seats (``core.access``) cached on them as ``select_related``
    and the role checks would: a request then asks no query of them."""
    instances, start = [], 0
    for model, names in models:
        values = list(row[start : start + len(names)])
        start += len(names)
        pk_at = names.index(model._meta.pk.attname)
        if values[pk_at] is None:
            instances.append(None)
            continue
        for at, expression, converters in _converters(model):
            if values[at] is not None:
                for converter in converters:
                    values[at] = converter(values[at], expression, connection)
        instances.append(model.from_db(connection.alias, names, values))
    user, person, organisation = instances[-3:]
    user._state.fields_cache["person"] = person
    if person is not None:
        person._state.fields_cache["user"] = user
        person._state.fields_cache["organisation"] = organisation
    group_names = row[-1]
    roles.user_roles_cache(user, orjson.loads(group_names) if group_names else ())
    access.access_cache(user, person, row[-2])
    return instances


class ModelBackend(backends.ModelBackend):
    """Django's username/password backend; :meth:`get_user` reads roles and person too."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Django's check of a username and password, whose "no" is final.

        Django's own backend stays listed after this one for old sessions (settings), and
        :func:`django.contrib.auth.authenticate` asks every backend in turn until one says
        yes: a wrong password was hashed twice, doubling the cost of each guess to us.
        Raising PermissionDenied stops the round (Django then reports the failure, which
        django-axes counts). A call without a password (single sign-on's callback) is not
        this backend's to refuse.
        """
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user

    def get_user(self, user_id: Any) -> Any:
        """The active user with ``user_id`` (their person, roles and seats loaded), or None.

        One query (:func:`user_row_query`), built once per process.
        """
        pk = get_user_model()._meta.pk
        try:
            user_id = pk.to_python(user_id)
        except ValidationError:
            return None
        # An id no row can have (beyond the column's range) matches nothing, as in the ORM;
        # handed to the driver it would raise (SQLite's cannot bind it).
        low, high = connection.ops.integer_field_range(pk.get_internal_type())
        if isinstance(user_id, int) and not (
            (low is None or user_id >= low) and (high is None or user_id <= high)
        ):
            return None
        sql, models = user_row_query(connection.vendor, by_token=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = user_row_read(row, models)[0]
        return user if self.user_can_authenticate(user) else None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check (listed first in AUTHENTICATION_BACKENDS): a locked-out account
    or address is refused before any password is hashed.

    A check of a password with no request (code in a shell, the test client's ``login``)
    has no client to throttle; axes' own backend refuses to run without one, this one lets
    the next backend check the password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        # Single sign-on's callback carries no password and no account name: the provider
        # throttles its own sign-in, and a shared "no name" count here would let a few
        # failed callbacks anywhere lock out everyone's single sign-on.
        if request is None or password is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RevokeApiTokensOnPasswordChange:
    """A password "validator" with no rule, whose hook revokes the user's API tokens.

    Django calls every validator's ``password_changed`` once a new password is saved, on
    every path (the password-change and reset pages, the admin, ``set_password`` and
    ``save`` in a shell or a command): the one hook Django offers for "the password
    changed". A token is a second password; whoever changes theirs because it leaked must
    not leave a token working.
    """

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one the last trusted proxy saw.

    Behind ``TRUSTED_PROXY_COUNT`` proxies (the compose stack's nginx: 1) REMOTE_ADDR
    is the nearest proxy's and the client is the entry that many places from the right of
    X-Forwarded-For; entries further left are whatever the client sent, so never trusted.
    Used by login throttling (django-axes) and password-reset throttling alike.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if count and len(hops) >= count:
        return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: the sign-in page, saying when to retry.

    429 (Too Many Requests) with ``Retry-After``; the time is the cool-off after the last
    failure, so more guesses during it push it back.
    """
    if request.path.startswith("/api/") and original_response is not None:
        return original_response  # the API's own 429 (core.api.authentication)
    cooloff = settings.AXES_COOLOFF_TIME
    retry_at = timezone.localtime(timezone.now() + cooloff)
    minutes = int(cooloff.total_seconds() // 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
