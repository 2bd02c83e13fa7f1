"""schemathesis against the live schema: generated requests to every operation, as the PMO.

The schema is loaded from ``/api/v1/schema/`` of the WSGI application (in-process, on the
test database holding the seed report). Each operation is called with generated input
twice over: with generated path parameters (mostly unknown records: 404s), and with the
path pointing at a real seed record (DAG028, DAG28-01, DAG-DEC68, CR023…) so generated
bodies and queries reach the services. Every response must be no 5xx and conform to the
schema: status code documented, content type and body as documented. Examples are bounded
and derandomized, so the run is quick and repeatable.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from changerequests.models import Release
from meetings.models import AgendaItem, DiscussionItem, Membership, Organisation, Person

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 8


def real_path_parameters(path: str) -> dict[str, Any] | None:
    """Path parameters naming a real seed record for ``path``, or None (no parameters)."""
    if "{" not in path:
        return None
    if path.startswith("/api/v1/meetings/"):
        return {"ref": "DAG028", "version": 1}
    if path.startswith("/api/v1/actions/"):
        return {"ref": "DAG28-01"}
    if path.startswith("/api/v1/decisions/"):
        return {"ref": "DAG-DEC68"}
    if path.startswith("/api/v1/change-requests/"):
        return {"ref": "CR023"}
    if path.startswith("/api/v1/committees/") and "/memberships/{id}" in path:
        return {
            "code": "DAG",
            "id": Membership.objects.order_by("pk").values_list("pk", flat=True).first(),
        }
    if path.startswith("/api/v1/committees/"):
        return {"code": "DAG"}
    if path.startswith("/api/v1/exports/"):
        return {"kind": "actions"}
    if path.startswith("/api/v1/releases/"):
        return {"code": "IR5"}
    models = {
        "/api/v1/agenda-items/": AgendaItem,
        "/api/v1/discussion-items/": DiscussionItem,
        "/api/v1/organisations/": Organisation,
        "/api/v1/people/": Person,
    }
    for prefix, model in models.items():
        if path.startswith(prefix):
            return {"id": model.objects.order_by("pk").values_list("pk", flat=True).first()}
    raise AssertionError(f"no real record known for {path}")


def run_operation(operation: Any, headers: dict[str, str], **strategy_kwargs: Any) -> None:
    @given(case=operation.as_strategy(**strategy_kwargs))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.fixture
def keep_connection():
    """The WSGI handler closes the database connection after each request; the test's
    transaction lives on that connection, so keep it open (as Django's test client does)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_conforms_and_never_fails(
    seeded, pmo_user, settings, tmp_path, keep_connection
):
    settings.MEDIA_ROOT = tmp_path
    Release.objects.create(code="IR5", name="Interim Release 5")
    headers = {"Authorization": f"Token {Token.objects.create(user=pmo_user).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        runs: list[dict[str, Any]] = [{}]
        real = real_path_parameters(operation.path)
        if real is not None:
            runs.append(
                {
                    "path_parameters": {
                        k: v for k, v in real.items() if "{" + k + "}" in operation.path
                    }
                }
            )
        for kwargs in runs:
            try:
                run_operation(operation, headers, **kwargs)
            except Exception as exc:  # collect every operation's failure, then report all
                failures.append(f"{operation.label} {kwargs}: {exc}")
    assert operations >= 40
    assert not failures, "\n\n".join(failures)
