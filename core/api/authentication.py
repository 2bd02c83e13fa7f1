"""Token authentication (``Authorization: Token <key>``), reading the user's roles with it.

DRF's settings name :class:`TokenAuthentication`.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from core import access, roles
from core.api.db import prepared_statements
from core.auth import client_ip


@functools.cache
def _token_query(vendor: str) -> tuple[str, list[tuple[Any, list[str]]]]:
    """The token lookup's SQL, built once per process, and each model's columns in its row.

    One row: the token's columns, its user's, the user's person and that person's
    organisation (the shape the login backend reads a session's user in, ``core.auth``;
    null when the user is no person), and the user's group names as a JSON array.

    Hand-written although the ORM can say it (``core.auth.ModelBackend`` does): building
    and compiling that query on every API request cost more than the action list's page
    itself (BENCHMARKS.md, "The layering"), and this one is built once per process. The
    person and organisation models are reached through the user model's relations, so the
    kernel imports no app.
    """
    user_model = get_user_model()
    person_model = user_model._meta.get_field("person").related_model
    organisation_model = person_model._meta.get_field("organisation").related_model
    qn = connection.ops.quote_name
    parts = [
        ("t", Token),
        ("u", user_model),
        ("p", person_model),
        ("o", organisation_model),
    ]
    columns = ", ".join(
        f"{alias}.{qn(f.column)}" for alias, model in parts for f in model._meta.concrete_fields
    )
    membership = user_model.groups.through._meta
    names = "json_agg(g.name)::text" if vendor == "postgresql" else "json_group_array(g.name)"
    # The person's memberships as JSON text, as core.access.seats_annotation reads them.
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
    # Identifiers come from the models' metadata, quoted; the key is the one parameter.
    sql = (  # noqa: S608
        "SELECT {columns}, (SELECT {seats} FROM {seat} m WHERE m.{seat_person} = p.{person_id}),"
        " (SELECT {names} FROM {membership} ug"
        " JOIN {group} g ON g.{group_id} = ug.{member_group} WHERE ug.{member} = u.{user_id})"
        " FROM {token} t JOIN {user} u ON u.{user_id} = t.{token_user}"
        " LEFT JOIN {person} p ON p.{person_user} = u.{user_id}"
        " LEFT JOIN {organisation} o ON o.{organisation_id} = p.{person_org}"
        " WHERE t.{token_key} = %s"
    ).format(columns=columns, names=names, seats=seats.format(**tables), **tables)
    return sql, [(model, [f.attname for f in model._meta.concrete_fields]) for _, model in parts]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token <key>``) in one query.

    DRF's own reads the token with its user, and then every request read the user's roles
    (:func:`core.roles.user_roles`) with a second query. Here one query reads the token and
    its user with their person and organisation and their group names, and caches the
    roles on the user, so a request checks its role and finds its person without a query
    of its own. Refusals are DRF's (an unknown token, an inactive user: 401).
    """

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        """DRF's, keeping the Django request for :meth:`authenticate_credentials`."""
        self._django_request = getattr(request, "_request", request)
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        sql, models = _token_query(connection.vendor)
        with prepared_statements(), connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            self._refuse_guess()
        instances, start = [], 0
        for model, names in models:
            values = row[start : start + len(names)]
            start += len(names)
            pk_at = names.index(model._meta.pk.attname)
            is_null = values[pk_at] is None
            instances.append(None if is_null else model.from_db(connection.alias, names, values))
        token, user, person, organisation = instances
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        # The user's person (or that there is none), and its organisation, as select_related
        # would have cached them: no query when a page asks.
        user._state.fields_cache["person"] = person
        if person is not None:
            person._state.fields_cache["user"] = user
            person._state.fields_cache["organisation"] = organisation
        group_names = row[-1]
        roles.user_roles_cache(user, orjson.loads(group_names) if group_names else ())
        access.access_cache(user, person, row[-2])
        return user, token

    def _refuse_guess(self) -> None:
        """Count a wrong token as a failed login of the client's address (django-axes), and
        refuse it: 401, or 429 once the address is locked out.

        Only a wrong token is counted or checked, so a valid token costs no extra query; a
        locked-out address guessing tokens gets 429 until its cool-off ends.
        """
        request = self._django_request
        # No account is named: the address stands in for one, so that wrong tokens from
        # one address do not lock out those from another (settings: AXES_LOCKOUT_PARAMETERS).
        credentials = {"username": f"api-token@{client_ip(request)}"}
        user_login_failed.send(sender=type(self), credentials=credentials, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            raise exceptions.Throttled(
                wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                detail=str(_("Too many failed sign-in attempts from this address; try later.")),
            )
        raise exceptions.AuthenticationFailed(_("Invalid token."))
