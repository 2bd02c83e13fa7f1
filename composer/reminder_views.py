"""The unsubscribe page of reminder emails (the List-Unsubscribe link).

The link carries a signed token naming the person, so it works without logging in. GET shows
a confirmation page (mail scanners that follow links do not unsubscribe anyone); POST stops
the emails, including the one-click POST mail programs send (RFC 8058), which carries no CSRF
token: the signed token is what authorises it.
"""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from composer.reminders import person_for_unsubscribe_token
from core.actors import SYSTEM
from meetings.models import Person
from meetings.services import person_reminders_opt_out_set


@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminders_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET: confirm; POST: opt out (or back in with ``resubscribe=1``). 404 for a bad token."""
    try:
        person = person_for_unsubscribe_token(token=token)
    except (signing.BadSignature, ValueError, Person.DoesNotExist) as exc:
        raise Http404("This unsubscribe link is not valid.") from exc
    done = False
    if request.method == "POST":
        opt_out = request.POST.get("resubscribe") != "1"
        # The signed token checked above, not the session, authorises the change: the
        # product acts on the consent it stands for.
        person = person_reminders_opt_out_set(person=person, opt_out=opt_out, acting_user=SYSTEM)
        done = True
    return render(
        request,
        "actions/reminders_unsubscribe.html",
        {"person": person, "done": done, "token": token},
    )
